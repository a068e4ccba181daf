package dev.jemu.devices.snapshot;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.ForwardingCharBackend;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.state.StateException;
import java.nio.charset.StandardCharsets;

/**
 * Where a board starts snapshots outside a monitor: {@code -loadvm NAME}, and a test-only savevm trigger.
 *
 * <p>The trigger, {@code -Djemu.test.savevm=NAME@MARKER}: once the guest has written MARKER on its first serial
 * port, the machine (on its own thread, between two instruction runs) saves snapshot NAME and quits with status
 * 0, or 1 if the save failed. Tests use it until the monitors' savevm exists: the guest itself says when, in
 * band and on every host (a signal would not be portable; the console's escape key Ctrl-A is taken). It is a
 * system property, so it is in no help text. Timings go to stderr with it, and for -loadvm with
 * {@code -Djemu.stats=true}.
 */
public final class VmSnapshotHooks {
    private VmSnapshotHooks() {
    }

    /** {@code -loadvm NAME} right after the machine is built (its images loaded), before it runs. */
    public static void loadAtStart(SnapshotMachine m, String name) throws ConfigException {
        if (name == null) {
            return;
        }
        try {
            VmSnapshots.Result r = VmSnapshots.load(m, name);
            if (Boolean.getBoolean("jemu.stats")) {
                System.err.printf("jemu: loadvm %s: %d bytes of VM state in %.1f ms (check %.1f, disks %.1f, "
                        + "state %.1f)%n", name, r.vmStateSize(), r.nanos() / 1e6, r.checkNanos() / 1e6,
                        r.diskNanos() / 1e6, r.stateNanos() / 1e6);
            }
        } catch (StateException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** {@code serial}, watched for the test trigger's marker when the property asks for it. */
    public static CharBackend saveOnSerialMarker(CharBackend serial, SnapshotMachine m, MachineLoop loop) {
        String spec = System.getProperty("jemu.test.savevm");
        if (spec == null) {
            return serial;
        }
        int at = spec.indexOf('@');
        if (at <= 0 || at == spec.length() - 1) {
            System.err.println("jemu: -Djemu.test.savevm=" + spec + ": expected NAME@MARKER; ignored");
            return serial;
        }
        String name = spec.substring(0, at);
        byte[] marker = spec.substring(at + 1).getBytes(StandardCharsets.UTF_8);
        return new MarkerWatch(serial, marker, () -> loop.post(() -> saveAndQuit(m, loop, name)));
    }

    private static void saveAndQuit(SnapshotMachine m, MachineLoop loop, String name) {
        m.clock().pause();
        try {
            VmSnapshots.Result r = VmSnapshots.save(m, name);
            System.err.printf("jemu: savevm %s: %d bytes of VM state in %.1f ms (state %.1f, disks %.1f)%n", name,
                    r.vmStateSize(), r.nanos() / 1e6, r.stateNanos() / 1e6, r.diskNanos() / 1e6);
            loop.requestExit(ExitRequest.quit(0));
        } catch (StateException e) {
            System.err.println("jemu: savevm " + name + ": " + e.getMessage());
            loop.requestExit(ExitRequest.quit(1));
        }
    }

    /** Passes output through and fires once when the marker has gone by. */
    private static final class MarkerWatch extends ForwardingCharBackend {
        private final byte[] marker;
        private final Runnable fire;
        private int matched;
        private boolean fired;

        MarkerWatch(CharBackend inner, byte[] marker, Runnable fire) {
            super(inner);
            this.marker = marker;
            this.fire = fire;
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            inner.write(data, offset, length);
            for (int i = offset; i < offset + length && !fired; i++) {
                matched = data[i] == marker[matched] ? matched + 1 : (data[i] == marker[0] ? 1 : 0);
                if (matched == marker.length) {
                    fired = true;
                    fire.run();
                }
            }
        }
    }
}
