package dev.jemu.core.control;

import dev.jemu.core.log.Messages;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineConfig;

/**
 * What a board's run loop does when its CPUs stop with an {@link ExitRequest}, the same on every board: a
 * poweroff ends the run with its status (or, with {@code -no-shutdown}, pauses in state shutdown); a reset
 * rebuilds the boot state (or, with {@code -no-reboot}, is a shutdown); a quit ends the run. The events go to
 * the monitors through {@link MachineControl}.
 */
public final class GuestExits {
    /** The board's reset: devices to power-on state, RAM cleared, images reloaded. */
    @FunctionalInterface
    public interface Reset {
        void reset() throws ConfigException;
    }

    /** The status to end the run with, or -1 to run on. */
    public static int handle(ExitRequest e, MachineControl control, MachineConfig config, Reset reset) {
        switch (e.kind()) {
            case POWEROFF -> {
                control.guestShutdown(ShutdownCause.GUEST_SHUTDOWN);
                if (config.noShutdown && e.status() == 0) {
                    // -no-shutdown: the CPUs stop in state shutdown; the host side and the monitors run on
                    // until a quit, or a system_reset (then cont) starts the guest again
                    control.pauseAfterShutdown();
                    return -1;
                }
                return e.status();
            }
            case QUIT -> {
                return e.status();
            }
            default -> {
                ShutdownCause cause = control.takeResetCause();
                if (config.noReboot) {
                    control.guestShutdown(cause); // QEMU: -no-reboot turns every reset into a shutdown
                    if (config.noShutdown) {
                        control.pauseAfterShutdown();
                        return -1;
                    }
                    return 0;
                }
                try {
                    reset.reset();
                } catch (ConfigException ex) {
                    Messages.error(ex.getMessage()); // an image file vanished meanwhile
                    return 1;
                }
                control.resetDone(cause);
                return -1;
            }
        }
    }

    private GuestExits() {
    }
}
