package dev.jemu.core.snapshot;

import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.state.StateException;
import dev.jemu.core.state.StateRecord;
import dev.jemu.core.state.Stateful;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The whole machine as one stream: the format of savevm's VM state, and of live migration later. Big-endian
 * ({@link DataOutputStream}), in this order (ARCHITECTURE.md, "Machine state stream"):
 * <pre>
 * header   magic "JEMU-VM\n", u32 format version, UTF jemu version, UTF architecture, UTF board,
 *          u64 RAM bytes, u32 page size, u32 device count + UTF per device, u64 guest clock ns
 * devices  u32 byte length, u32 record count, then each {@link StateRecord} (id, version, named fields)
 * RAM      page runs: u8 1, u64 first page, u32 page count, the pages' bytes; zero pages are never sent
 *          and a page may come again (a later round wins); u8 0 ends them
 * trailer  u32 CRC-32C of every byte before it
 * </pre>
 * Loading checks the header against the machine first (one clear line, nothing changed), then reads every
 * record without applying it, then the RAM (straight into guest RAM, large reads) and the checksum; only then
 * are the clock and the devices restored. A stream that breaks inside the RAM part has overwritten RAM but no
 * device: the machine must not be resumed then (QEMU's rule for a failed loadvm too).
 */
public final class MachineStateStream {
    public static final int FORMAT_VERSION = 1;
    static final byte[] MAGIC = "JEMU-VM\n".getBytes(StandardCharsets.US_ASCII);
    static final int PAGE = 4096;
    static final int MAX_RUN_PAGES = 4096;          // 16 MiB per page record
    private static final int MAX_DEVICE_BYTES = 64 << 20;
    private static final int MAX_RECORDS = 4096;
    private static final int MAX_DEVICES = 256;
    static final byte RUN = 1, END = 0;
    private static final MemorySegment ZERO_PAGE = MemorySegment.ofArray(new byte[PAGE]);

    private MachineStateStream() {
    }

    /** The stream's header, as {@link #readHeader} finds it. */
    public record Header(int formatVersion, String jemuVersion, String architecture, String board, long ramBytes,
                         int pageSize, List<String> devices, long clockNanos) {
    }

    /** Writes the machine's state; the caller has stopped it (devices drain their I/O in saveState). */
    public static void save(MachineState m, StateOutput sink) throws IOException {
        CrcOutput out = new CrcOutput(sink);
        DataOutputStream d = new DataOutputStream(out);
        // Devices first: saving a virtio device completes its in-flight requests, which write guest RAM.
        byte[] devices = deviceSection(m);
        writeHeader(d, m, MAGIC);
        d.writeInt(devices.length);
        d.write(devices);
        writeRam(m.ram(), d, out);
        d.writeByte(END);
        d.flush();
        d.writeInt((int) out.crc.getValue());
        d.flush();
    }

    /** Every CPU's and device's record: u32 count, then the records (draining the virtio devices first). */
    static byte[] deviceSection(MachineState m) throws IOException {
        ByteArrayOutputStream devices = new ByteArrayOutputStream();
        DataOutputStream dd = new DataOutputStream(devices);
        List<Stateful> all = m.stateful();
        dd.writeInt(all.size());
        for (Stateful s : all) {
            StateRecord.of(s).writeTo(dd);
        }
        dd.flush();
        return devices.toByteArray();
    }

    /** The header after {@code magic}: what the machine is, so that a loader can refuse a stream up front. */
    static void writeHeader(DataOutputStream d, MachineState m, byte[] magic) throws IOException {
        d.write(magic);
        d.writeInt(FORMAT_VERSION);
        d.writeUTF(jemuVersion());
        d.writeUTF(m.architecture());
        d.writeUTF(m.board());
        d.writeLong(m.ram().size());
        d.writeInt(PAGE);
        d.writeInt(m.deviceSet().size());
        for (String device : m.deviceSet()) {
            d.writeUTF(device);
        }
        d.writeLong(m.clock().nanos());
    }

    /** Every run of non-zero pages as one page record (at most {@link #MAX_RUN_PAGES} pages each). */
    private static void writeRam(GuestRam ram, DataOutputStream d, CrcOutput out) throws IOException {
        MemorySegment seg = ram.segment();
        long pages = ram.size() / PAGE;
        long p = 0;
        while (p < pages) {
            if (isZero(seg, p)) {
                p++;
                continue;
            }
            long first = p;
            while (p < pages && p - first < MAX_RUN_PAGES && !isZero(seg, p)) {
                p++;
            }
            d.writeByte(RUN);
            d.writeLong(first);
            d.writeInt((int) (p - first));
            d.flush();
            out.write(seg.asSlice(first * PAGE, (p - first) * PAGE));
        }
    }

    static boolean isZero(MemorySegment seg, long page) {
        return MemorySegment.mismatch(seg, page * PAGE, page * PAGE + PAGE, ZERO_PAGE, 0, PAGE) < 0;
    }

    /** Reads and checks only the header (e.g. to list what a snapshot holds). */
    public static Header readHeader(InputStream in) throws IOException {
        return header(new DataInputStream(in), MAGIC, "jemu machine state");
    }

    /**
     * Loads a stream written by {@link #save} into {@code m}. Every refusal is a {@link StateException} with
     * one line; see the class comment for what has changed by then.
     */
    public static void load(MachineState m, StateInput source) {
        try {
            loadChecked(m, source);
        } catch (EOFException e) {
            throw new StateException("machine state is truncated");
        } catch (IOException e) {
            throw new StateException("cannot read the machine state: " + e.getMessage());
        }
    }

    /**
     * Reads the header and the device records and checks that they fit {@code m}, changing nothing: a caller
     * that must undo other work on a refusal (loadvm reverting disks) asks this first.
     */
    public static Header check(MachineState m, StateInput source) {
        try {
            DataInputStream d = new DataInputStream(source);
            Header h = header(d, MAGIC, "jemu machine state");
            checkFits(h, m);
            readRecords(d, m);
            return h;
        } catch (EOFException e) {
            throw new StateException("machine state is truncated");
        } catch (IOException e) {
            throw new StateException("cannot read the machine state: " + e.getMessage());
        }
    }

    private static void loadChecked(MachineState m, StateInput source) throws IOException {
        CrcInput in = new CrcInput(source);
        DataInputStream d = new DataInputStream(in);
        Header h = header(d, MAGIC, "jemu machine state");
        checkFits(h, m);
        Map<String, StateRecord> records = readRecords(d, m);
        readRam(m.ram(), d, in);
        int expected = (int) in.crc.getValue();
        int stored = d.readInt();
        if (stored != expected) {
            throw new StateException("machine state is corrupt (checksum mismatch)");
        }
        restore(m, h.clockNanos(), records);
    }

    /** The checked records applied: the clock first, so that devices re-arm their timers from the saved time. */
    static void restore(MachineState m, long clockNanos, Map<String, StateRecord> records) {
        m.clock().setNanos(clockNanos);
        for (Stateful s : m.stateful()) {
            records.get(s.stateId()).restore(s);
        }
        m.stateLoaded();
    }

    static Header header(DataInputStream d, byte[] expectedMagic, String what) throws IOException {
        byte[] magic = new byte[expectedMagic.length];
        d.readFully(magic);
        if (!java.util.Arrays.equals(magic, expectedMagic)) {
            throw new StateException("not a " + what + " (bad magic)");
        }
        int version = d.readInt();
        if (version != FORMAT_VERSION) {
            throw new StateException("machine state format version " + Integer.toUnsignedString(version)
                    + (Integer.compareUnsigned(version, FORMAT_VERSION) > 0 ? " is newer than this jemu's " : " is not ")
                    + FORMAT_VERSION);
        }
        String jemu = d.readUTF();
        String arch = d.readUTF();
        String board = d.readUTF();
        long ram = d.readLong();
        int page = d.readInt();
        int n = d.readInt();
        if (n < 0 || n > MAX_DEVICES) {
            throw new StateException("machine state is corrupt (" + n + " devices)");
        }
        List<String> devices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            devices.add(d.readUTF());
        }
        return new Header(version, jemu, arch, board, ram, page, List.copyOf(devices), d.readLong());
    }

    static void checkFits(Header h, MachineState m) {
        if (!h.architecture().equals(m.architecture()) || !h.board().equals(m.board())) {
            throw new StateException("machine state is of a " + h.architecture() + " '" + h.board()
                    + "' machine, this is a " + m.architecture() + " '" + m.board() + "' one");
        }
        if (h.ramBytes() != m.ram().size()) {
            throw new StateException("machine state has " + mib(h.ramBytes()) + " of RAM, this machine "
                    + mib(m.ram().size()) + " (-m must match)");
        }
        if (h.pageSize() != PAGE) {
            throw new StateException("machine state has a page size of " + h.pageSize() + ", expected " + PAGE);
        }
        int savedCpus = cpus(h.devices()), cpus = cpus(m.deviceSet());
        if (savedCpus != cpus) {
            throw new StateException("machine state was saved with " + savedCpus + " CPU" + (savedCpus == 1 ? "" : "s")
                    + " (-smp " + savedCpus + "), this machine has " + cpus);
        }
        if (!h.devices().equals(m.deviceSet())) {
            throw new StateException("machine state was saved with the devices " + h.devices() + ", this machine has "
                    + m.deviceSet());
        }
    }

    // --- -smp: a board with several CPUs names their number in its device set ("cpus=N"; none for one CPU, so
    // states saved before boards had several CPUs still load)

    /** The entry a board with {@code n} CPUs puts in its device set, or null for one. */
    public static String cpusEntry(int n) {
        return n == 1 ? null : "cpus=" + n;
    }

    private static int cpus(List<String> devices) {
        for (String d : devices) {
            if (d.startsWith("cpus=")) {
                try {
                    return Integer.parseInt(d.substring("cpus=".length()));
                } catch (NumberFormatException e) {
                    throw new StateException("machine state is corrupt (device set entry " + d + ")");
                }
            }
        }
        return 1;
    }

    private static String mib(long bytes) {
        return (bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes");
    }

    /** Every record, checked against the machine's devices (one each, no stranger, no newer version). */
    static Map<String, StateRecord> readRecords(DataInputStream d, MachineState m) throws IOException {
        int bytes = d.readInt();
        if (bytes < 4 || bytes > MAX_DEVICE_BYTES) {
            throw new StateException("machine state is corrupt (device section of " + bytes + " bytes)");
        }
        byte[] section = d.readNBytes(bytes);
        if (section.length < bytes) {
            throw new EOFException();
        }
        DataInputStream r = new DataInputStream(new ByteArrayInputStream(section));
        int n = r.readInt();
        if (n < 0 || n > MAX_RECORDS) {
            throw new StateException("machine state is corrupt (" + n + " device records)");
        }
        Map<String, StateRecord> byId = new HashMap<>();
        try {
            for (int i = 0; i < n; i++) {
                StateRecord rec = StateRecord.readFrom(r, r.available());
                if (byId.put(rec.id(), rec) != null) {
                    throw new StateException("machine state is corrupt (two records for " + rec.id() + ")");
                }
            }
        } catch (EOFException e) {
            throw new StateException("machine state is corrupt (device records cut short)");
        }
        Map<String, Stateful> mine = new HashMap<>();
        for (Stateful s : m.stateful()) {
            mine.put(s.stateId(), s);
            StateRecord rec = byId.get(s.stateId());
            if (rec == null) {
                throw new StateException("machine state has no state for " + s.stateId());
            }
            if (rec.version() > s.stateVersion() || rec.version() < 1) {
                throw new StateException(s.stateId() + ": state version " + rec.version()
                        + " is not one this jemu reads (1 to " + s.stateVersion() + ")");
            }
        }
        for (String id : byId.keySet()) {
            if (!mine.containsKey(id)) {
                throw new StateException("machine state has state for " + id + ", which this machine lacks");
            }
        }
        return byId;
    }

    /** Empty RAM first (pages dropped, not written), then each page record read straight into place. */
    private static void readRam(GuestRam ram, DataInputStream d, CrcInput in) throws IOException {
        long pages = ram.size() / PAGE;
        ram.zero(0, ram.size());
        while (true) {
            byte tag = d.readByte();
            if (tag == END) {
                return;
            }
            if (tag != RUN) {
                throw new StateException("machine state is corrupt (RAM record tag " + tag + ")");
            }
            long first = d.readLong();
            int count = d.readInt();
            if (count <= 0 || count > MAX_RUN_PAGES || first < 0 || first > pages - count) {
                throw new StateException("machine state is corrupt (RAM pages " + first + "+" + count
                        + " outside " + pages + " pages)");
            }
            ram.populate(first * PAGE, (long) count * PAGE); // one call faults the run in, not one per page
            in.readFully(ram.segment().asSlice(first * PAGE, (long) count * PAGE));
        }
    }

    /** This jemu's version, as the launcher's version resource says (informational in the header). */
    static String jemuVersion() {
        try (InputStream v = ClassLoader.getSystemResourceAsStream("dev/jemu/cli/version.txt")) {
            return v == null ? "unknown" : new String(v.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Checksums what passes through. */
    static final class CrcOutput extends StateOutput {
        final CRC32C crc = new CRC32C();
        private final StateOutput out;

        CrcOutput(StateOutput out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            crc.update(b);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            crc.update(b, off, len);
            out.write(b, off, len);
        }

        @Override
        public void write(MemorySegment src) throws IOException {
            crc.update(src.asByteBuffer());
            out.write(src);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }

    /** Checksums what passes through. */
    static final class CrcInput extends StateInput {
        final CRC32C crc = new CRC32C();
        private final StateInput in;

        CrcInput(StateInput in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                crc.update(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                crc.update(b, off, n);
            }
            return n;
        }

        @Override
        public void readFully(MemorySegment dst) throws IOException {
            in.readFully(dst);
            crc.update(dst.asByteBuffer());
        }
    }
}
