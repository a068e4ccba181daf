package dev.jemu.core.machine;

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

    /** Builds the machine: devices wired, firmware and kernel loaded, ready to {@link Machine#run()}. */
    Machine create(MachineConfig config) throws ConfigException;
}
