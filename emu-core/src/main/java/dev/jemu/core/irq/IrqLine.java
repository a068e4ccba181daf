package dev.jemu.core.irq;

/**
 * A level-triggered interrupt wire from a device to whatever controller input it is connected to. Devices
 * raise and lower lines; they never know which controller sits at the other end.
 */
@FunctionalInterface
public interface IrqLine {
    IrqLine NONE = level -> { };

    void set(boolean level);

    default void raise() {
        set(true);
    }

    default void lower() {
        set(false);
    }
}
