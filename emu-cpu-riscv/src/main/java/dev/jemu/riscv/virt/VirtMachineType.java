package dev.jemu.riscv.virt;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.devices.board.VirtBoardType;

/** {@code -M virt} for riscv64: QEMU's virt board. */
public final class VirtMachineType extends VirtBoardType {
    public VirtMachineType() {
        super("riscv64", "RISC-V VirtIO board (QEMU's virt: 16550A, PLIC, CLINT, goldfish RTC, virtio-mmio)");
    }

    @Override
    public Machine create(MachineConfig config) throws ConfigException {
        return new VirtMachine(config);
    }
}
