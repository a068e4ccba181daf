package dev.jemu.core.machine;

import dev.jemu.core.log.DebugLog;

/**
 * Containment of emulator bugs that a guest reaches: when a device's own code throws a
 * {@link RuntimeException} while serving an MMIO access, a task it posted to the {@link MachineLoop} or one
 * of its timers, the exception ends up here instead of ending the VM. The device is marked broken: one that
 * can show the guest an error state implements {@link Recovery} (virtio: DEVICE_NEEDS_RESET and a
 * configuration interrupt; a driver reset brings it back); any other is switched off (its registers read 0
 * and ignore writes). One {@code -d guest_errors} line names the device and the exception; the guest runs on.
 * The count lets tests and the device fuzzer see that containment happened at all, which is always a bug.
 */
public final class DeviceFaults {
    /** A device that can tell the guest it failed, rather than being switched off. */
    @FunctionalInterface
    public interface Recovery {
        /** The device's own code threw: enter the guest-visible error state. */
        void hostFailure(String why);
    }

    /** Work a device posts to the machine loop, carrying the device's name and recovery for when it throws. */
    public record Task(String device, Recovery recovery, Runnable work) implements Runnable {
        @Override
        public void run() {
            work.run();
        }
    }

    private volatile long count;
    private volatile String last;

    /**
     * An MMIO access to {@code device} threw {@code e}: calls {@code recovery} (may be null), guarding it as
     * well. Returns whether the device recovered; if not, the caller switches it off.
     */
    public boolean contain(String device, RuntimeException e, Recovery recovery) {
        return contain(device, e, recovery, "device disabled");
    }

    private boolean contain(String device, RuntimeException e, Recovery recovery, String otherwise) {
        boolean recovered = false;
        if (recovery != null) {
            try {
                recovery.hostFailure(e.toString());
                recovered = true;
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
        }
        String line = device + ": internal error, " + (recovered ? "device needs reset" : otherwise) + ": " + e;
        last = line;
        count++; // only the machine thread contains faults; volatile for readers elsewhere
        DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s", line);
        return recovered;
    }

    /** A posted task threw: named by its {@link Task}, or else by the code that threw. */
    public void containTask(Runnable work, RuntimeException e) {
        if (work instanceof Task t) {
            contain(t.device(), e, t.recovery(), "work dropped");
        } else {
            StackTraceElement[] at = e.getStackTrace();
            contain("posted work" + (at.length > 0 ? " in " + at[0].getClassName() + "." + at[0].getMethodName() : ""),
                    e, null, "work dropped");
        }
    }

    /** A timer callback threw; the timer stays disarmed until its device arms it again. */
    public void containTimer(String timer, RuntimeException e) {
        contain(timer, e, null, "timer dropped");
    }

    /** How many faults were contained so far. */
    public long count() {
        return count;
    }

    /** The log line of the latest contained fault, or null. */
    public String last() {
        return last;
    }
}
