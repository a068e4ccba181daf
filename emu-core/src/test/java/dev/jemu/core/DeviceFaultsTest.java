package dev.jemu.core;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.machine.Cpu;
import dev.jemu.core.machine.DeviceFaults;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.time.Timer;
import dev.jemu.core.time.VirtualClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** Containment: a device that throws on MMIO, in posted work or in a timer does not end the VM. */
@Isolated // switches the global -d log on
class DeviceFaultsTest {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    DeviceFaultsTest() {
        DebugLog.enable(EnumSet.of(DebugLog.Category.GUEST_ERRORS));
        DebugLog.setOutput(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void quiet() {
        DebugLog.enable(EnumSet.noneOf(DebugLog.Category.class));
        DebugLog.setOutput(System.err);
    }

    private String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    /** Throws on register 0, reads 7 elsewhere, signals a bus error on register 8. */
    private static class Buggy implements MmioDevice {
        int calls;

        @Override
        public long read(long offset, int size) {
            calls++;
            if (offset == 8) {
                throw BusError.INSTANCE;
            }
            if (offset == 0) {
                int[] none = new int[0];
                return none[(int) offset - 1];
            }
            return 7;
        }

        @Override
        public void write(long offset, int size, long value) {
            calls++;
            throw new IllegalStateException("write bug");
        }
    }

    @Test
    void aThrowingDeviceIsSwitchedOffAndLogged() {
        AddressSpace bus = new AddressSpace();
        Buggy d = new Buggy();
        bus.addMmio("buggy@1000", 0x1000, 0x100, d);
        assertEquals(7, bus.read(0x1004, 4));
        assertThrows(BusError.class, () -> bus.read(0x1008, 4)); // an access fault is not a bug
        assertEquals(0, bus.faults().count());
        assertEquals(0, bus.read(0x1000, 4));
        assertEquals(1, bus.faults().count());
        assertEquals("buggy@1000: internal error, device disabled: java.lang.ArrayIndexOutOfBoundsException: "
                + "Index -1 out of bounds for length 0\n", log());
        int calls = d.calls;
        assertEquals(0, bus.read(0x1004, 4)); // switched off: reads 0 without reaching the device
        bus.write(0x1004, 4, 1);
        assertEquals(calls, d.calls);
        assertEquals(1, bus.faults().count());
    }

    /** A device with a recovery (virtio's NEEDS_RESET) stays in service. */
    private static final class Recovering extends Buggy implements DeviceFaults.Recovery {
        final List<String> failures = new ArrayList<>();

        @Override
        public void hostFailure(String why) {
            failures.add(why);
        }
    }

    @Test
    void aDeviceWithARecoveryIsToldAndStaysInService() {
        AddressSpace bus = new AddressSpace();
        Recovering d = new Recovering();
        bus.addMmio("virtio@2000", 0x2000, 0x100, d);
        bus.write(0x2000, 4, 1);
        assertEquals(List.of("java.lang.IllegalStateException: write bug"), d.failures);
        assertEquals(7, bus.read(0x2004, 4));
        assertEquals("virtio@2000: internal error, device needs reset: java.lang.IllegalStateException: write bug\n",
                log());
    }

    /** Never halts, retires the whole budget. */
    private static final class IdleCpu implements Cpu {
        @Override
        public long run(long budget) {
            return budget;
        }

        @Override
        public boolean isHalted() {
            return false;
        }

        @Override
        public void reset() {
        }

        @Override
        public String stateId() {
            return "cpu";
        }

        @Override
        public void saveState(StateWriter out) {
        }

        @Override
        public void loadState(StateReader in) {
        }
    }

    @Test
    void postedWorkAndTimersThatThrowDoNotEndTheLoop() {
        VirtualClock clock = VirtualClock.instructionCount(0);
        MachineLoop loop = new MachineLoop(clock);
        List<String> ran = new ArrayList<>();
        Timer bad = clock.newTimer("rtc.alarm", () -> {
            throw new IllegalStateException("timer bug");
        });
        Timer good = clock.newTimer("clint.mtimecmp0", () -> {
            ran.add("timer");
            loop.requestExit(ExitRequest.poweroff(3));
        });
        bad.armAt(10);
        good.armAt(20);
        loop.poster("serial@10000000").accept(() -> {
            throw new UnsupportedOperationException("receive bug");
        });
        List<String> recovered = new ArrayList<>();
        loop.post(new DeviceFaults.Task("virtio-blk@10008000", recovered::add, () -> {
            throw new NullPointerException("completion bug");
        }));
        loop.post(() -> ran.add("posted"));
        ExitRequest e = loop.run(new IdleCpu());
        assertEquals(3, e.status());
        assertEquals(List.of("posted", "timer"), ran);
        assertEquals(List.of("java.lang.NullPointerException: completion bug"), recovered);
        assertEquals(3, loop.faults().count());
        assertEquals("""
                serial@10000000: internal error, work dropped: java.lang.UnsupportedOperationException: receive bug
                virtio-blk@10008000: internal error, device needs reset: java.lang.NullPointerException: completion bug
                rtc.alarm: internal error, timer dropped: java.lang.IllegalStateException: timer bug
                """, log());
    }
}
