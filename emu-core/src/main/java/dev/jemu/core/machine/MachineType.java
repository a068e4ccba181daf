package dev.jemu.core.machine;

import java.util.List;

/**
 * A board plug-in (found through {@link java.util.ServiceLoader}): {@code -M name}. Several architectures
 * may each have a board of the same name ("virt"); {@code -cpu} tells them apart.
 */
public interface MachineType {
    String name();

    String description();

    /** Name of the {@link CpuArchitecture} this board is built around. */
    String architecture();

    /** Whether this is the board chosen when only {@code -cpu} is given. */
    default boolean isDefault() {
        return false;
    }

    /** The devices {@code -device} can add to this board ({@code -device help}); the parsers accept only these. */
    default List<DeviceInfo> devices() {
        return List.of();
    }

    /** The board's {@code -M name,prop=value} properties ({@code -M name,help}), sorted by name. */
    default List<PropertyInfo> properties() {
        return List.of();
    }

    /** Builds the machine: devices wired, firmware and kernel loaded, ready to {@link Machine#run()}. */
    Machine create(MachineConfig config) throws ConfigException;
}
