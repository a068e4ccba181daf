package dev.jemu.riscv.virt;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.snapshot.MachineState;
import dev.jemu.core.snapshot.MachineStateStream;
import dev.jemu.core.snapshot.StateInput;
import dev.jemu.core.snapshot.StateOutput;
import dev.jemu.core.state.StateException;
import dev.jemu.core.state.StateRecord;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.devices.block.BlockFormats;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.Drive;
import dev.jemu.devices.block.SnapshotInfo;
import dev.jemu.devices.snapshot.VmSnapshots;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machine state stream on the whole virt board (every device, the hart, RAM, the clock) and savevm/loadvm
 * into qcow2 internal snapshots, without a guest OS: state is set through the bus as a guest would.
 */
@Timeout(120)
class VirtSnapshotTest {
    private static final long RAM = 32 << 20;

    @TempDir
    Path dir;

    private MachineConfig config(long ram, String... drives) throws Exception {
        MachineConfig c = new MachineConfig();
        c.kernel = Files.write(dir.resolve("k.bin"), new byte[] {0x6f, 0, 0, 0}); // j .
        c.clock = VirtualClock.instructionCount(0);
        // -rtc clock=vm: states compared field by field must not move with the host's clock (GoldfishRtcTest
        // covers how a clock=host RTC is saved)
        c.rtc = new dev.jemu.core.machine.RtcOptions(c.rtc.startNanos(), true);
        c.ramBytes = ram;
        c.drives.addAll(List.of(drives));
        return c;
    }

    private VirtMachine machine(long ram, String... drives) throws Exception {
        return (VirtMachine) new VirtMachineType().create(config(ram, drives));
    }

    /** Puts state everywhere a guest could: RAM pages, hart registers and CSRs, CLINT, PLIC, UART, RTC, clock. */
    private static void scribble(VirtMachine m, long seed) {
        Random r = new Random(seed);
        GuestRam ram = m.ram();
        for (int i = 0; i < 200; i++) {
            long page = r.nextLong(ram.size() / 4096);
            ram.writeLong(page * 4096 + r.nextInt(512) * 8, r.nextLong() | 1);
        }
        m.clock().setNanos(123_456_789_000L + seed);
        m.hart().setReg(5, 0x1234_5678_9abcL + seed);
        m.hart().setReg(31, -seed);
        m.hart().setPc(VirtMap.DRAM.base + 0x40);
        m.hart().setCsr(0x340, 0xfeed + seed); // mscratch
        m.hart().setCsr(0x305, VirtMap.DRAM.base + 0x100); // mtvec
        m.bus().write(VirtMap.CLINT.base + 0x4000, 8, 0x7fff_0000L + seed); // mtimecmp, in the future
        m.bus().write(VirtMap.PLIC.base + 4 * 10, 4, 5);                      // priority of source 10
        m.bus().write(VirtMap.PLIC.base + 0x2000, 4, 1 << 10);                // context 0 enables
        m.bus().write(VirtMap.UART0.base + 3, 1, 0x03);                       // LCR 8N1
        m.bus().write(VirtMap.UART0.base + 7, 1, 0x5a + (int) seed);          // scratch register
        m.bus().write(VirtMap.RTC.base + 0x0c, 4, 1 + seed);                  // alarm high
    }

    static byte[] save(MachineState m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MachineStateStream.save(m, StateOutput.of(out));
        return out.toByteArray();
    }

    static void load(MachineState m, byte[] stream) {
        MachineStateStream.load(m, StateInput.of(new ByteArrayInputStream(stream)));
    }

    static List<StateRecord> records(MachineState m) {
        List<StateRecord> out = new ArrayList<>();
        for (Stateful s : m.stateful()) {
            out.add(StateRecord.of(s));
        }
        return out;
    }

    private static void assertSameMachine(VirtMachine a, VirtMachine b) {
        assertEquals(records(a), records(b));
        assertEquals(a.clock().nanos(), b.clock().nanos());
        MemorySegment x = a.ram().segment(), y = b.ram().segment();
        assertEquals(-1, x.mismatch(y), "RAM differs");
    }

    @Test
    void everyDeviceTheHartRamAndClockGoIntoASecondBoard() throws Exception {
        try (VirtMachine a = machine(RAM); VirtMachine b = machine(RAM)) {
            scribble(a, 1);
            scribble(b, 2); // b's own state, all of which the load must replace
            assertNotEquals(records(a), records(b));
            byte[] stream = save(a);
            assertTrue(stream.length < 2 << 20, "zero pages are skipped: " + stream.length + " bytes");
            load(b, stream);
            assertSameMachine(a, b);
            assertEquals(0x1234_5678_9abdL, b.hart().reg(5));
            assertEquals(0x5b, b.bus().read(VirtMap.UART0.base + 7, 1));
            // a second save of the loaded machine is the same stream, but for nothing at all
            assertArrayEquals(stream, save(b));
        }
    }

    /** A board with a virtio-rng and a virtio-9p device (the slots after the disks): their state goes along too. */
    @Test
    void rngAnd9pDevicesGoIntoASecondBoard() throws Exception {
        Path share = Files.createDirectories(dir.resolve("share"));
        try (VirtMachine a = hostDevicesMachine(share); VirtMachine b = hostDevicesMachine(share);
             VirtMachine plain = machine(RAM)) {
            scribble(a, 5);
            scribble(b, 6);
            long rng = VirtMap.VIRTIO.base(VirtMap.VIRTIO.count - 1), nineP = VirtMap.VIRTIO.base(VirtMap.VIRTIO.count - 2);
            assertEquals(4, a.bus().read(rng + 0x08, 4), "virtio-rng in the first slot after the (no) disks");
            assertEquals(9, a.bus().read(nineP + 0x08, 4), "virtio-9p in the next");
            for (long base : new long[] {rng, nineP}) {
                a.bus().write(base + 0x70, 4, 1);  // status ACKNOWLEDGE
                a.bus().write(base + 0x70, 4, 3);  // | DRIVER
                a.bus().write(base + 0x24, 4, 1);  // driver features select
                a.bus().write(base + 0x30, 4, 0);  // queue select
                a.bus().write(base + 0x38, 4, 16); // queue size
            }
            assertNotEquals(records(a), records(b));
            byte[] stream = save(a);
            load(b, stream);
            assertSameMachine(a, b);
            assertEquals(3, b.bus().read(rng + 0x70, 4));
            assertEquals(3, b.bus().read(nineP + 0x70, 4));
            assertArrayEquals(stream, save(b));
            // a board without those devices does not take their state
            StateException e = assertThrows(StateException.class, () -> load(plain, stream));
            assertEquals("machine state was saved with the devices [virtio-rng, virtio-9p mount_tag=share], this "
                    + "machine has []", e.getMessage());
        }
    }

    /** A board with a virtio-net device on a UDP netdev: its state (the link status) goes along, and the device
     *  set names it by its MAC. */
    @Test
    void virtioNetGoesIntoASecondBoard() throws Exception {
        try (VirtMachine a = netMachine("52:54:00:00:00:21"); VirtMachine b = netMachine("52:54:00:00:00:21");
             VirtMachine other = netMachine("52:54:00:00:00:22")) {
            long net = VirtMap.VIRTIO.base(VirtMap.VIRTIO.count - 1);
            assertEquals(1, a.bus().read(net + 0x08, 4), "virtio-net in the first free slot");
            assertEquals(0x21, a.bus().read(net + 0x105, 1), "the MAC's last byte in the configuration space");
            a.bus().write(net + 0x70, 4, 1);
            a.bus().write(net + 0x70, 4, 3);
            for (Stateful st : a.stateful()) { // set_link off, as the monitor does it on the machine thread
                if (st instanceof dev.jemu.devices.virtio.VirtioMmioTransport t
                        && t.device() instanceof dev.jemu.devices.virtio.net.VirtioNet n) {
                    n.setLink(false);
                }
            }
            assertEquals(0, a.bus().read(net + 0x106, 2), "link down");
            byte[] stream = save(a);
            load(b, stream);
            assertSameMachine(a, b);
            assertEquals(0, b.bus().read(net + 0x106, 2), "the link is still down after the load");
            assertEquals(3, b.bus().read(net + 0x70, 4));
            StateException e = assertThrows(StateException.class, () -> load(other, stream));
            assertTrue(e.getMessage().contains("virtio-net mac=52:54:00:00:00:21"), e.getMessage());
        }
    }

    private VirtMachine netMachine(String mac) throws Exception {
        MachineConfig c = config(RAM);
        int port;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        c.netdevs.add("socket,id=n0,udp=127.0.0.1:" + port + ",localaddr=127.0.0.1:" + port);
        c.devices.add("virtio-net-device,netdev=n0,mac=" + mac);
        return (VirtMachine) new VirtMachineType().create(c);
    }

    private VirtMachine hostDevicesMachine(Path share) throws Exception {
        MachineConfig c = config(RAM);
        c.devices.add("virtio-rng-device,max-bytes=1024,period=1000");
        c.virtfs.add("local,path=" + share + ",mount_tag=share,security_model=none");
        return (VirtMachine) new VirtMachineType().create(c);
    }

    @Test
    void refusalsNameTheReasonAndChangeNothing() throws Exception {
        Path disk = dir.resolve("d.img");
        Files.write(disk, new byte[1 << 20]);
        try (VirtMachine a = machine(RAM); VirtMachine b = machine(RAM); VirtMachine big = machine(RAM * 2);
             VirtMachine withDisk = machine(RAM, "file=" + disk + ",format=raw")) {
            scribble(a, 1);
            scribble(b, 2);
            byte[] good = save(a);
            List<StateRecord> before = records(b);
            byte[] ramBefore = b.ram().segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);

            byte[] newer = good.clone();
            newer[11] = 2; // format version 2
            assertRefused(b, newer, "machine state format version 2 is newer than this jemu's 1");
            byte[] magic = good.clone();
            magic[0] = 'X';
            assertRefused(b, magic, "not a jemu machine state (bad magic)");
            assertRefused(b, save(renamed(a, "sifive_u")), "machine state is of a riscv64 'sifive_u' machine, this is a riscv64 'virt' one");
            assertRefused(b, save(big), "machine state has 64 MiB of RAM, this machine 32 MiB (-m must match)");
            assertRefused(b, save(withDisk), "machine state was saved with the devices [virtio-blk vda 1048576 bytes], this machine has []");
            assertRefused(withDisk, good, "machine state was saved with the devices [], this machine has [virtio-blk vda 1048576 bytes]");
            assertEquals(before, records(b), "devices unchanged after the refusals");
            assertArrayEquals(ramBefore, b.ram().segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    "RAM unchanged after the refusals");
        }
    }

    private static void assertRefused(MachineState m, byte[] stream, String message) {
        StateException e = assertThrows(StateException.class, () -> load(m, stream));
        assertEquals(message, e.getMessage());
    }

    /** {@code m} under another board name, to save a foreign stream. */
    private static MachineState renamed(VirtMachine m, String board) {
        return new MachineState() {
            @Override public String architecture() { return m.architecture(); }
            @Override public String board() { return board; }
            @Override public GuestRam ram() { return m.ram(); }
            @Override public VirtualClock clock() { return m.clock(); }
            @Override public List<Stateful> stateful() { return m.stateful(); }
            @Override public List<String> deviceSet() { return m.deviceSet(); }
            @Override public void stateLoaded() { m.stateLoaded(); }
        };
    }

    /** 200 truncated, bit-flipped, spliced or random streams: each refused with one line, none hangs. */
    @Test
    void fuzzedStreamsAreRefusedWithOneLine() throws Exception {
        try (VirtMachine a = machine(RAM); VirtMachine b = machine(RAM)) {
            scribble(a, 3);
            byte[] good = save(a);
            Random r = new Random(20261206);
            List<String> kinds = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                byte[] bad = switch (i % 5) {
                    case 0 -> Arrays.copyOf(good, r.nextInt(good.length));                 // truncated
                    case 1 -> flip(good, r, 1);                                             // one byte
                    case 2 -> flip(good, r, 1 + r.nextInt(16));                             // several bytes
                    case 3 -> splice(good, r);                                               // bytes cut out
                    default -> {                                                            // a header, then noise
                        byte[] noise = new byte[r.nextInt(4096)];
                        r.nextBytes(noise);
                        byte[] x = Arrays.copyOf(good, 8 + noise.length);
                        System.arraycopy(noise, 0, x, 8, noise.length);
                        yield x;
                    }
                };
                long t0 = System.nanoTime();
                StateException e = assertThrows(StateException.class, () -> load(b, bad), "fuzz case " + i);
                assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 5, "fuzz case " + i + " took long");
                assertNotNull(e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                kinds.add(e.getMessage().replaceAll("[0-9]+", "N"));
            }
            assertTrue(kinds.stream().distinct().count() >= 4, "refused for several reasons: " + kinds.stream().distinct().toList());
            load(b, good); // and the intact stream still loads
            assertSameMachine(a, b);
        }
    }

    private static byte[] flip(byte[] good, Random r, int n) {
        byte[] x = good.clone();
        for (int k = 0; k < n; k++) {
            x[r.nextInt(x.length)] ^= (byte) (1 + r.nextInt(255));
        }
        return x;
    }

    private static byte[] splice(byte[] good, Random r) {
        int from = r.nextInt(good.length - 1), len = 1 + r.nextInt(Math.min(64, good.length - from));
        byte[] x = new byte[good.length - len];
        System.arraycopy(good, 0, x, 0, from);
        System.arraycopy(good, from + len, x, from, good.length - from - len);
        return x;
    }

    /** savevm/loadvm/delvm into a qcow2 disk: the disk and the machine both come back; QEMU reads the image. */
    @Test
    void savevmAndLoadvmThroughQcow2() throws Exception {
        Path disk = dir.resolve("d.qcow2");
        BlockFormats.byName("qcow2").create(disk, 8 << 20, new CreateOptions());
        try (VirtMachine m = machine(RAM, "file=" + disk + ",format=qcow2")) {
            Drive d = m.drives().get(0);
            d.write(4096, "before".getBytes(), 0, 6);
            scribble(m, 4);
            List<StateRecord> saved = records(m);
            byte[] ram = m.ram().segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            long clock = m.clock().nanos();

            VmSnapshots.Result s = VmSnapshots.save(m, "s1");
            assertTrue(s.vmStateSize() > 0);
            List<SnapshotInfo> list = VmSnapshots.list(m);
            assertEquals(1, list.size());
            assertEquals("s1", list.get(0).name());
            assertEquals(s.vmStateSize(), list.get(0).vmStateSize());
            assertEquals(clock, list.get(0).vmClockNsec());

            d.write(4096, "after!".getBytes(), 0, 6);
            scribble(m, 5);
            VmSnapshots.load(m, "s1");
            byte[] back = new byte[6];
            d.read(4096, back, 0, 6);
            assertEquals("before", new String(back));
            assertEquals(saved, records(m));
            assertArrayEquals(ram, m.ram().segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertEquals(clock, m.clock().nanos());

            // a second savevm of the same name replaces the first, as QEMU's does
            VmSnapshots.save(m, "s1");
            assertEquals(1, VmSnapshots.list(m).size());
            StateException missing = assertThrows(StateException.class, () -> VmSnapshots.load(m, "nope"));
            assertEquals("Snapshot 'nope' does not exist in one or more devices", missing.getMessage());
            d.snapshotCreate("diskonly", 0, 0);
            StateException diskOnly = assertThrows(StateException.class, () -> VmSnapshots.load(m, "diskonly"));
            assertTrue(diskOnly.getMessage().contains("no VM state"), diskOnly.getMessage());
            VmSnapshots.delete(m, "s1");
            VmSnapshots.delete(m, "diskonly");
            assertEquals(List.of(), VmSnapshots.list(m));
        }
        assertQemuImgCheckClean(disk);
    }

    /**
     * savevm/loadvm on a preallocated qcow2 with a persistent dirty bitmap (jemu-img's extensions): the snapshot
     * and the disk come back, QEMU lists the VM state and finds no corruption, and the only clusters its check
     * calls leaked are those any writable open by jemu leaves (the bitmaps it marks inconsistent), none of savevm's.
     */
    @Test
    void savevmOnAPreallocatedImageWithABitmapAddsNothingToFix() throws Exception {
        Path disk = dir.resolve("b.qcow2"), plain = dir.resolve("plain.qcow2");
        BlockFormats.byName("qcow2").create(disk, 8 << 20, CreateOptions.parse("preallocation=metadata"));
        if (qemuImg(0, "bitmap", "--add", disk.toString(), "b0") == null) {
            return; // no qemu-img here: the CI machine has it
        }
        Files.copy(disk, plain);
        try (VirtMachine m = machine(RAM, "file=" + plain + ",format=qcow2")) {
            m.drives().get(0).write(8192, "before".getBytes(), 0, 6);
        }
        try (VirtMachine m = machine(RAM, "file=" + disk + ",format=qcow2")) {
            Drive d = m.drives().get(0);
            d.write(8192, "before".getBytes(), 0, 6);
            scribble(m, 7);
            List<StateRecord> saved = records(m);
            VmSnapshots.save(m, "s1");
            d.write(8192, "after!".getBytes(), 0, 6);
            scribble(m, 8);
            VmSnapshots.load(m, "s1");
            byte[] back = new byte[6];
            d.read(8192, back, 0, 6);
            assertEquals("before", new String(back));
            assertEquals(saved, records(m));
        }
        String list = qemuImg(0, "snapshot", "-l", disk.toString());
        assertTrue(java.util.regex.Pattern.compile("(?m)^1\\s+s1\\s+\\d+(\\.\\d+)? [KM]iB ").matcher(list).find(), list);
        String checked = qemuImg(-1, "check", disk.toString()), baseline = qemuImg(-1, "check", plain.toString());
        assertFalse(checked.contains("ERROR"), checked);
        assertEquals(baseline.lines().filter(l -> l.startsWith("Leaked")).toList(),
                checked.lines().filter(l -> l.startsWith("Leaked")).toList(), checked);
    }

    /** qemu-img's output, asserting its exit status (-1: 0 or 3, leaks only); null without qemu-img. */
    private static String qemuImg(int status, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-img"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(status < 0 ? p.exitValue() == 0 || p.exitValue() == 3 : p.exitValue() == status,
                String.join(" ", cmd) + ": " + out);
        return out;
    }

    @Test
    void loadvmOfAnotherRamSizeChangesNeitherDiskNorMachine() throws Exception {
        Path disk = dir.resolve("d.qcow2");
        BlockFormats.byName("qcow2").create(disk, 8 << 20, new CreateOptions());
        try (VirtMachine m = machine(RAM, "file=" + disk + ",format=qcow2")) {
            VmSnapshots.save(m, "small");
        }
        try (VirtMachine m = machine(RAM * 2, "file=" + disk + ",format=qcow2")) {
            m.drives().get(0).write(0, "keep".getBytes(), 0, 4);
            List<StateRecord> before = records(m);
            StateException e = assertThrows(StateException.class, () -> VmSnapshots.load(m, "small"));
            assertEquals("Snapshot 'small': machine state has 32 MiB of RAM, this machine 64 MiB (-m must match)",
                    e.getMessage());
            byte[] b = new byte[4];
            m.drives().get(0).read(0, b, 0, 4);
            assertEquals("keep", new String(b), "the disk was not reverted");
            assertEquals(before, records(m));
        }
    }

    private static void assertQemuImgCheckClean(Path image) throws Exception {
        qemuImg(0, "check", image.toString()); // no qemu-img here: the CI machine has it
    }
}
