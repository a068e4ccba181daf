package dev.jemu.devices.board;

import dev.jemu.core.machine.BootProperties;
import dev.jemu.core.machine.DeviceInfo;
import dev.jemu.core.machine.MachineType;
import dev.jemu.core.machine.PropertyInfo;
import dev.jemu.devices.virtio.VirtioSlots;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code -M virt} of one architecture: the default board, its {@code -device}s on the virtio-mmio slots, QEMU's
 * boot properties and the board's own.
 */
public abstract class VirtBoardType implements MachineType {
    private final String architecture;
    private final String description;

    protected VirtBoardType(String architecture, String description) {
        this.architecture = architecture;
        this.description = description;
    }

    @Override
    public final String name() {
        return "virt";
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final String architecture() {
        return architecture;
    }

    @Override
    public final boolean isDefault() {
        return true;
    }

    /** What {@code -device} can add: devices on the virtio-mmio slots. */
    @Override
    public final List<DeviceInfo> devices() {
        return VirtioSlots.DEVICES;
    }

    /** The board's properties beyond the boot ones ({@link BootProperties}), with QEMU's descriptions. */
    protected List<PropertyInfo> boardProperties() {
        return List.of();
    }

    /** QEMU's virt-machine properties that jemu implements, sorted by name. */
    @Override
    public final List<PropertyInfo> properties() {
        return Stream.concat(BootProperties.ALL.stream(), boardProperties().stream())
                .sorted(Comparator.comparing(PropertyInfo::name)).toList();
    }
}
