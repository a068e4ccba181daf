package dev.jemu.core.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jemu.core.memory.DirtyLog;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.snapshot.MachineState;
import dev.jemu.core.snapshot.MigrationStream;
import dev.jemu.core.snapshot.StateInput;
import dev.jemu.core.snapshot.StateOutput;
import dev.jemu.core.state.StateException;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.VirtualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The migration stream on a small machine: rounds of pages (one dirtied again, one dirtied to zero) before and
 * after the devices load into an equal machine; 200 fuzzed streams (truncated, bit-flipped, foreign headers) are
 * each refused with one line, no other exception, no hang, and no device touched. The dirty log marks what
 * the RAM accessors write and hands each page over once.
 */
class MigrationStreamTest {
    private static final int PAGES = 64;

    /** A device with one field. */
    static final class Counter implements Stateful {
        final String id;
        long value;

        Counter(String id, long value) {
            this.id = id;
            this.value = value;
        }

        public String stateId() {
            return id;
        }

        public void saveState(StateWriter out) {
            out.putLong("value", value);
        }

        public void loadState(StateReader in) {
            value = in.getLong("value");
        }
    }

    static final class Fake implements MachineState {
        final GuestRam ram;
        final VirtualClock clock = VirtualClock.realtime();
        final Counter a = new Counter("a", 0), b = new Counter("b", 0);
        final String board;
        boolean loaded;

        Fake(String board, int pages) {
            this.board = board;
            ram = new GuestRam((long) pages * 4096);
        }

        public String architecture() {
            return "test";
        }

        public String board() {
            return board;
        }

        public GuestRam ram() {
            return ram;
        }

        public VirtualClock clock() {
            return clock;
        }

        public List<Stateful> stateful() {
            return List.of(a, b);
        }

        public List<String> deviceSet() {
            return List.of("disk vda 1024 bytes");
        }

        public void stateLoaded() {
            loaded = true;
        }
    }

    /** A source machine with some pages of data and device values, and its stream in two rounds. */
    private static byte[] stream(Fake src) throws IOException {
        Random r = new Random(7);
        for (int p = 0; p < PAGES; p += 3) {
            for (int i = 0; i < 4096; i += 8) {
                src.ram.writeLong((long) p * 4096 + i, r.nextLong());
            }
        }
        src.a.value = 41;
        src.b.value = -5;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MigrationStream.Writer w = new MigrationStream.Writer(StateOutput.of(bytes));
        w.header(src);
        DirtyLog log = src.ram.dirtyLog();
        log.start();
        send(w, src, log.take(), true);
        w.round(1);
        src.ram.writeLong(3 * 4096 + 8, 0x1234);          // dirtied again
        src.ram.zero(6 * 4096, 4096);                      // dirtied to zero
        src.ram.writeInt(10 * 4096, 77);                   // a zero page gets data
        send(w, src, log.take(), false);
        w.round(2);
        MigrationStream.Capture c = MigrationStream.capture(src);
        src.ram.writeLong(9 * 4096, 99);                   // after the devices (a drained request's DMA)
        w.devices(c);
        send(w, src, log.take(), false);
        log.stop();
        w.end();
        return bytes.toByteArray();
    }

    private static void send(MigrationStream.Writer w, Fake m, long[] dirty, boolean first) throws IOException {
        for (int p = 0; p < PAGES; p++) {
            if ((dirty[p >>> 6] & (1L << p)) == 0) {
                continue;
            }
            if (MigrationStream.isZero(m.ram, p)) {
                if (!first) {
                    w.zero(p, 1);
                }
            } else {
                w.pages(m.ram, p, 1);
            }
        }
    }

    @Test
    void roundsBeforeAndAfterTheDevicesLoadIntoAnEqualMachine() throws IOException {
        Fake src = new Fake("b", PAGES);
        byte[] s = stream(src);
        Fake dst = new Fake("b", PAGES);
        dst.ram.writeLong(6 * 4096, 5); // old content the stream must clear
        MigrationStream.Reader r = new MigrationStream.Reader(dst, StateInput.of(new ByteArrayInputStream(s)));
        r.header();
        MigrationStream.apply(dst, r.body());
        byte[] want = new byte[PAGES * 4096], got = new byte[PAGES * 4096];
        src.ram.copyOut(0, want, 0, want.length);
        dst.ram.copyOut(0, got, 0, got.length);
        assertArrayEquals(want, got);
        assertEquals(41, dst.a.value);
        assertEquals(-5, dst.b.value);
        assertTrue(dst.loaded);
        assertEquals(0x1234, dst.ram.readLong(3 * 4096 + 8));
        assertEquals(99, dst.ram.readLong(9 * 4096));
    }

    @Test
    void dirtyLogMarksWritesAndHandsEachPageOverOnce() {
        GuestRam ram = new GuestRam(PAGES * 4096L);
        DirtyLog log = ram.dirtyLog();
        ram.writeLong(0, 1);
        assertFalse(log.active());
        log.start();
        assertEquals(PAGES, DirtyLog.count(log.take()));
        assertEquals(0, DirtyLog.count(log.take()));
        ram.writeByte(5 * 4096 + 3, (byte) 1);
        ram.load(7 * 4096 + 4000, new byte[200]);          // across a page boundary: pages 7 and 8
        long[] d = log.take();
        assertEquals(3, DirtyLog.count(d));
        assertTrue((d[0] & (1L << 5)) != 0 && (d[0] & (1L << 7)) != 0 && (d[0] & (1L << 8)) != 0);
        log.stop();
    }

    @Test
    void fuzzedStreamsAreRefusedInOneLine() throws Exception {
        byte[] good = stream(new Fake("b", PAGES));
        Random r = new Random(2026);
        int refused = 0;
        for (int i = 0; i < 200; i++) {
            byte[] s;
            Fake dst = new Fake("b", PAGES);
            switch (i % 4) {
                case 0 -> s = java.util.Arrays.copyOf(good, r.nextInt(good.length)); // truncated
                case 1 -> {
                    s = good.clone();
                    for (int k = 1 + r.nextInt(4); k > 0; k--) {
                        int at = r.nextInt(s.length);
                        s[at] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 2 -> {                                                        // a foreign header
                    s = good.clone();
                    int at = r.nextInt(60);
                    s[at] ^= (byte) (1 + r.nextInt(255));
                }
                default -> {                                                       // another machine
                    s = good;
                    dst = switch (r.nextInt(2)) {
                        case 0 -> new Fake("other", PAGES);
                        default -> new Fake("b", PAGES * 2);
                    };
                }
            }
            Fake d = dst;
            byte[] bytes = s;
            CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    MigrationStream.Reader reader = new MigrationStream.Reader(d, StateInput.of(new ByteArrayInputStream(bytes)));
                    reader.header();
                    MigrationStream.apply(d, reader.body());
                    return null;
                } catch (StateException e) {
                    return e.getMessage();
                }
            });
            String message;
            try {
                message = outcome.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("stream " + i + ": not a one-line refusal", e.getCause());
            }
            if (message == null) {
                // a flip that changed nothing the loader checks cannot pass the checksum
                fail("stream " + i + " (kind " + (i % 4) + ") was loaded");
            }
            assertFalse(message.isBlank() || message.contains("\n"), "stream " + i + ": " + message);
            assertFalse(d.loaded, "stream " + i + ": devices were touched");
            assertEquals(0, d.a.value, "stream " + i);
            refused++;
        }
        assertEquals(200, refused);
    }
}
