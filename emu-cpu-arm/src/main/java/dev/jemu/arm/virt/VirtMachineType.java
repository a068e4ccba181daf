package dev.jemu.arm.virt;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.PropertyInfo;
import dev.jemu.devices.board.VirtBoardType;
import java.util.List;

/** {@code -M virt} for aarch64: QEMU's virt board. */
public final class VirtMachineType extends VirtBoardType {
    public VirtMachineType() {
        super("aarch64", "QEMU 7.2 ARM Virtual Machine (GICv2/v3, PL011, PL031, PL061, PSCI, virtio-mmio)");
    }

    @Override
    protected List<PropertyInfo> boardProperties() {
        return List.of(
                new PropertyInfo("gic-version", "string", "Set GIC version. Valid values are 2, 3, host and max",
                        null),
                new PropertyInfo("secure", "bool", "Set on/off to enable/disable the ARM Security Extensions "
                        + "(TrustZone); only off (no EL3 in jemu)", null),
                new PropertyInfo("virtualization", "bool", "Set on/off to enable/disable emulating a guest CPU which "
                        + "implements the ARM Virtualization Extensions; only off (no EL2 in jemu)", null));
    }

    @Override
    public Machine create(MachineConfig config) throws ConfigException {
        return new VirtMachine(config);
    }
}
