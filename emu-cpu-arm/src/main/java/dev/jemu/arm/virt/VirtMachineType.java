package dev.jemu.arm.virt;

import dev.jemu.core.machine.BootProperties;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.DeviceInfo;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineType;
import dev.jemu.core.machine.PropertyInfo;
import dev.jemu.devices.virtio.VirtioSlots;
import java.util.List;

/** {@code -M virt} for aarch64: QEMU's virt board. */
public final class VirtMachineType implements MachineType {
    @Override
    public String name() {
        return "virt";
    }

    @Override
    public String description() {
        return "QEMU 7.2 ARM Virtual Machine (GICv2/v3, PL011, PL031, PL061, PSCI, virtio-mmio)";
    }

    @Override
    public String architecture() {
        return "aarch64";
    }

    @Override
    public boolean isDefault() {
        return true;
    }

    @Override
    public List<DeviceInfo> devices() {
        return VirtioSlots.DEVICES;
    }

    /** QEMU's virt-machine properties that jemu implements, with QEMU's descriptions. */
    @Override
    public List<PropertyInfo> properties() {
        List<PropertyInfo> own = List.of(
                new PropertyInfo("gic-version", "string", "Set GIC version. Valid values are 2, 3, host and max",
                        null),
                new PropertyInfo("secure", "bool", "Set on/off to enable/disable the ARM Security Extensions "
                        + "(TrustZone); only off (no EL3 in jemu)", null),
                new PropertyInfo("virtualization", "bool", "Set on/off to enable/disable emulating a guest CPU which "
                        + "implements the ARM Virtualization Extensions; only off (no EL2 in jemu)", null));
        return java.util.stream.Stream.concat(BootProperties.ALL.stream(), own.stream())
                .sorted(java.util.Comparator.comparing(PropertyInfo::name)).toList();
    }

    @Override
    public Machine create(MachineConfig config) throws ConfigException {
        return new VirtMachine(config);
    }
}
