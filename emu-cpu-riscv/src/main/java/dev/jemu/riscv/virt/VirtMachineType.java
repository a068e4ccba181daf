package dev.jemu.riscv.virt;

import dev.jemu.core.machine.BootProperties;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.DeviceInfo;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineType;
import dev.jemu.core.machine.PropertyInfo;
import dev.jemu.devices.virtio.VirtioSlots;
import java.util.List;

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

    /** What {@code -device} can add: devices on the virtio-mmio slots. */
    @Override
    public List<DeviceInfo> devices() {
        return VirtioSlots.DEVICES;
    }

    /** QEMU's virt-machine properties that jemu implements; each has the meaning of the flag it names. */
    @Override
    public List<PropertyInfo> properties() {
        return BootProperties.ALL;
    }

    @Override
    public Machine create(MachineConfig config) throws ConfigException {
        return new VirtMachine(config);
    }
}
