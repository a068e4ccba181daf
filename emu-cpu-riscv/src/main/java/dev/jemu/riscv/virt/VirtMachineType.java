package dev.jemu.riscv.virt;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineType;

/** {@code -M virt} for riscv64: QEMU's virt board. */
public final class VirtMachineType implements MachineType {
    @Override
    public String name() {
        return "virt";
    }

    @Override
    public String description() {
        return "RISC-V VirtIO board (QEMU's virt: 16550A, PLIC, CLINT, goldfish RTC, virtio-mmio)";
    }

    @Override
    public String architecture() {
        return "riscv64";
    }

    @Override
    public boolean isDefault() {
        return true;
    }

    @Override
    public Machine create(MachineConfig config) throws ConfigException {
        return new VirtMachine(config);
    }
}
