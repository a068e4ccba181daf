package dev.jemu.core.snapshot;

import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.state.StateException;
import dev.jemu.core.state.StateRecord;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The live-migration variant of the machine state stream (ARCHITECTURE.md, "Live migration"): the same header
 * under its own magic, then RAM in rounds sent while the guest runs, the devices once it is stopped, and a last
 * round after them. Big-endian, in sections that each start with a u8 tag:
 * <pre>
 * header   magic "JEMU-MG\n", then the state stream's header (format version, jemu version, architecture, board,
 *          RAM bytes, page size, device set, guest clock at the start)
 * 1 PAGES  u64 first page, u32 count (at most 4096), the pages' bytes (a page may come again: the last wins)
 * 2 ZERO   u64 first page, u32 count: pages that are zero now (sent after a page was dirtied to zero)
 * 3 ROUND  u32 pass: a pre-copy round ends (progress only)
 * 4 DEVICES u64 guest clock ns, u32 byte length, u32 record count, the records (once, machine stopped)
 * 5 STOPPED (no payload, before DEVICES) the source's guest was stopped (paused): the destination stays paused,
 *          as QEMU's destination takes the source's run state (its global state); absent when it was running
 * 0 END    u32 CRC-32C of every byte before it
 * </pre>
 * The destination checks the header before anything else, starts from zeroed RAM (so the first round leaves out
 * every zero page), writes pages straight into guest RAM and applies the devices only once the checksum matched.
 * Over a socket the destination answers on the same connection ({@link #ACK_HEADER} after the header, {@link
 * #ACK_LOADED} once running, or {@link #NACK} and a UTF line), so the source can fail and run on.
 */
public final class MigrationStream {
    static final byte[] MAGIC = "JEMU-MG\n".getBytes(StandardCharsets.US_ASCII);
    static final byte END = 0, PAGES = 1, ZERO = 2, ROUND = 3, DEVICES = 4, STOPPED = 5;
    public static final int PAGE = MachineStateStream.PAGE;
    public static final int ACK_HEADER = 'H', ACK_LOADED = 'K', NACK = 'E';

    private MigrationStream() {
    }

    /** The source's side: call {@link #header} first, then pages and rounds, {@link #devices} once, {@link #end}. */
    public static final class Writer {
        private final MachineStateStream.CrcOutput crc;
        private final DataOutputStream d;
        private byte[] copy = new byte[0];

        public Writer(StateOutput sink) {
            crc = new MachineStateStream.CrcOutput(sink);
            d = new DataOutputStream(crc);
        }

        public void header(MachineState m) throws IOException {
            MachineStateStream.writeHeader(d, m, MAGIC);
            d.flush();
        }

        /**
         * {@code count} pages from {@code first} on. Copied out once first: the guest may be writing them, and the
         * checksum must cover the bytes that are sent (a page changed meanwhile is dirty and comes again).
         */
        public void pages(GuestRam ram, long first, int count) throws IOException {
            d.writeByte(PAGES);
            d.writeLong(first);
            d.writeInt(count);
            int n = count * PAGE;
            if (copy.length < n) {
                copy = new byte[n];
            }
            MemorySegment.copy(ram.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, first * PAGE, copy, 0, n);
            d.write(copy, 0, n);
        }

        public void zero(long first, int count) throws IOException {
            d.writeByte(ZERO);
            d.writeLong(first);
            d.writeInt(count);
        }

        public void round(int pass) throws IOException {
            d.writeByte(ROUND);
            d.writeInt(pass);
            d.flush();
        }

        /** The source's guest was not running at the switch-over (the destination will not run it either). */
        public void stopped() throws IOException {
            d.writeByte(STOPPED);
        }

        /** The devices' records, captured with the machine stopped ({@link #capture}). */
        public void devices(Capture c) throws IOException {
            d.writeByte(DEVICES);
            d.writeLong(c.clockNanos);
            d.writeInt(c.records.length);
            d.write(c.records);
        }

        public void end() throws IOException {
            d.writeByte(END);
            d.flush();
            d.writeInt((int) crc.crc.getValue());
            d.flush();
        }
    }

    /** The devices' state at the switch-over: the guest clock and every record. */
    public record Capture(long clockNanos, byte[] records) {
    }

    /** Drains the devices (their last DMA reaches RAM, and the dirty log) and captures their state. */
    public static Capture capture(MachineState m) throws IOException {
        byte[] records = MachineStateStream.deviceSection(m);
        return new Capture(m.clock().nanos(), records);
    }

    /** Whether page {@code page} of {@code ram} is all zeroes. */
    public static boolean isZero(GuestRam ram, long page) {
        return MachineStateStream.isZero(ram.segment(), page);
    }

    /**
     * What the destination has read: the clock and device records, checked, to {@link #apply}, and whether the
     * source's guest was stopped.
     */
    public record Loaded(long clockNanos, Map<String, StateRecord> records, boolean sourceStopped) {
    }

    /** The destination's side: reads a whole stream into the machine's RAM, then the devices into a Loaded. */
    public static final class Reader {
        private final MachineStateStream.CrcInput crc;
        private final DataInputStream d;
        private final MachineState m;

        public Reader(MachineState m, StateInput source) {
            this.m = m;
            crc = new MachineStateStream.CrcInput(source);
            d = new DataInputStream(crc);
        }

        /** Reads and checks the header against the machine; nothing has changed if it is refused. */
        public MachineStateStream.Header header() {
            try {
                MachineStateStream.Header h = MachineStateStream.header(d, MAGIC, "jemu migration stream");
                MachineStateStream.checkFits(h, m);
                return h;
            } catch (EOFException e) {
                throw new StateException("migration stream is truncated");
            } catch (IOException e) {
                throw new StateException("cannot read the migration stream: " + e.getMessage());
            }
        }

        /**
         * Reads the rest into guest RAM (zeroed first) and checks it; the devices are not touched yet (the
         * machine must not run after a refusal here, its RAM is overwritten). Every refusal: one-line
         * {@link StateException}.
         */
        public Loaded body() {
            try {
                return readBody();
            } catch (EOFException e) {
                throw new StateException("migration stream is truncated");
            } catch (IOException e) {
                throw new StateException("cannot read the migration stream: " + e.getMessage());
            }
        }

        private Loaded readBody() throws IOException {
            GuestRam ram = m.ram();
            long pages = ram.size() / PAGE;
            ram.zero(0, ram.size());
            Loaded loaded = null;
            boolean stopped = false;
            while (true) {
                byte tag = d.readByte();
                switch (tag) {
                    case END -> {
                        int expected = (int) crc.crc.getValue();
                        if (d.readInt() != expected) {
                            throw new StateException("migration stream is corrupt (checksum mismatch)");
                        }
                        if (loaded == null) {
                            throw new StateException("migration stream is corrupt (no device state)");
                        }
                        return loaded;
                    }
                    case PAGES, ZERO -> {
                        long first = d.readLong();
                        int count = d.readInt();
                        if (count <= 0 || count > MachineStateStream.MAX_RUN_PAGES || first < 0 || first > pages - count) {
                            throw new StateException("migration stream is corrupt (RAM pages " + first + "+" + count
                                    + " outside " + pages + " pages)");
                        }
                        if (tag == ZERO) {
                            ram.zero(first * PAGE, (long) count * PAGE);
                        } else {
                            ram.populate(first * PAGE, (long) count * PAGE);
                            crc.readFully(ram.segment().asSlice(first * PAGE, (long) count * PAGE));
                        }
                    }
                    case ROUND -> d.readInt();
                    case STOPPED -> stopped = true;
                    case DEVICES -> {
                        if (loaded != null) {
                            throw new StateException("migration stream is corrupt (two device sections)");
                        }
                        long clock = d.readLong();
                        loaded = new Loaded(clock, MachineStateStream.readRecords(d, m), stopped);
                    }
                    default -> throw new StateException("migration stream is corrupt (section tag " + tag + ")");
                }
            }
        }
    }

    /** Applies what {@link Reader#body} read: the clock, then every device (machine thread, machine stopped). */
    public static void apply(MachineState m, Loaded loaded) {
        MachineStateStream.restore(m, loaded.clockNanos(), loaded.records());
    }
}
