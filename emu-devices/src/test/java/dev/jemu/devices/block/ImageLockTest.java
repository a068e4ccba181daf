package dev.jemu.devices.block;

import static dev.jemu.devices.block.QemuTools.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.machine.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Drives take QEMU's lock bytes: the same bytes as qemu-system-riscv64 for the same -drive (read from
 * /proc/locks), and the exclusions that follow from them. OFD locks of two descriptors exclude each other
 * even inside one process, so two drives opened here behave as two jemu processes would.
 */
class ImageLockTest {
    @TempDir
    Path dir;
    private Path qcow2, raw, overlay;

    @BeforeEach
    void images() throws Exception {
        assumeTrue(ImageLock.available(), "no OFD locks on this host");
        qcow2 = dir.resolve("q.qcow2");
        raw = dir.resolve("r.raw");
        overlay = dir.resolve("o.qcow2");
        BlockFormats.byName("qcow2").create(qcow2, 1 << 20, new CreateOptions());
        BlockFormats.byName("raw").create(raw, 1 << 20, new CreateOptions());
        BlockFormats.byName("qcow2").create(overlay, -1,
                new CreateOptions().put("backing_file", raw.toString()).put("backing_fmt", "raw"));
    }

    private static Drive open(Path file, String opts, boolean snapshot) throws ConfigException {
        return Drive.open(DriveOptions.parse("file=" + file + (opts.isEmpty() ? "" : "," + opts)), snapshot);
    }

    private static String refusal(Path file, String opts, boolean snapshot) {
        ConfigException e = assertThrows(ConfigException.class, () -> open(file, opts, snapshot).close());
        return e.getMessage();
    }

    @Test
    void aSecondWriterIsRefusedWithQemusWords() throws Exception {
        try (Drive first = open(qcow2, "", false)) {
            assertEquals("-drive file=" + qcow2 + ": Failed to get \"write\" lock. Is another process using the image ["
                    + qcow2 + "]?", refusal(qcow2, "", false));
            assertTrue(refusal(qcow2, "readonly=on", false).contains(": Failed to get shared \"write\" lock. Is another"),
                    "a reader does not share writing with a writer");
            assertTrue(refusal(qcow2, "", true).contains("Failed to get shared \"write\" lock"), "-snapshot reads the image");
        }
        open(qcow2, "", false).close(); // closing the first drive dropped its bytes
    }

    @Test
    void readersShareAndExcludeWriters() throws Exception {
        try (Drive a = open(qcow2, "readonly=on", false); Drive b = open(qcow2, "readonly=on", false);
             Drive c = open(qcow2, "", true)) {
            assertTrue(refusal(qcow2, "", false).contains("Failed to get \"write\" lock"));
        }
    }

    @Test
    void fileLockingOffLetsTwoWritersIn() throws Exception {
        try (Drive a = open(raw, "format=raw", false); Drive b = open(raw, "format=raw,file.locking=off", false)) {
            assertFalse(a.readOnly() || b.readOnly());
        }
        try (Drive a = open(raw, "format=raw,file.locking=off", false)) {
            assertTrue(LockBytes.of(raw).isEmpty(), "file.locking=off takes no bytes");
            open(raw, "format=raw", false).close(); // and does not keep a locking opener out either
        }
    }

    @Test
    void backingFilesAreReadLockedWhateverTheTopsLocking() throws Exception {
        try (Drive top = open(overlay, "file.locking=off", false)) {
            assertTrue(refusal(raw, "format=raw", false).contains("Failed to get \"write\" lock. Is another process using the image ["
                    + raw + "]?"), "nobody may write under an overlay");
            open(raw, "format=raw,readonly=on", false).close();
        }
        try (Drive writer = open(raw, "format=raw", false)) {
            String m = refusal(overlay, "", false);
            assertTrue(m.contains("Failed to get shared \"write\" lock. Is another process using the image [" + raw + "]?"), m);
        }
    }

    @Test
    void badLockingValueIsOneLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> DriveOptions.parse("file=x,file.locking=maybe"));
        assertEquals("-drive file=x,file.locking=maybe: invalid parameter value: maybe", e.getMessage());
    }

    @Test
    void createRefusesAnImageInUseInsteadOfTruncatingIt() throws Exception {
        long before = Files.size(qcow2);
        try (Drive d = open(qcow2, "", false)) {
            BlockException e = assertThrows(BlockException.class,
                    () -> BlockFormats.byName("raw").create(qcow2, 4 << 20, new CreateOptions()));
            assertEquals(qcow2 + ": Failed to get \"write\" lock. Is another process using the image [" + qcow2 + "]?", e.getMessage());
        }
        assertEquals(before, Files.size(qcow2), "the image was left alone");
    }

    /** The same -drive in QEMU 7.2 and in jemu: the same bytes on every file of the chain. */
    @ParameterizedTest(name = "{0} {1} snapshot={2}")
    @CsvSource(delimiter = '|', value = {
            "q.qcow2||false", "q.qcow2|readonly=on|false", "q.qcow2||true",
            "r.raw|format=raw|false", "r.raw|format=raw,readonly=on|false", "r.raw|format=raw|true",
            "o.qcow2||false", "o.qcow2|readonly=on|false", "o.qcow2||true", "o.qcow2|file.locking=off|false",
            "v.vmdk||false", "v.vmdk|readonly=on|false", "d.vdi||false", "d.vdi|readonly=on|true"})
    void sameBytesAsQemu(String name, String options, boolean snapshot) throws Exception {
        assumeTrue(QemuTools.has("qemu-system-riscv64") && QemuTools.has("qemu-img"), "QEMU not installed");
        Path file = dir.resolve(name);
        String opts = options == null ? "" : options;
        List<Path> files = new ArrayList<>(List.of(file));
        if (name.equals("o.qcow2")) files.add(raw);
        if (name.equals("v.vmdk")) {
            ok("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=monolithicFlat", file.toString(), "1M");
            files.add(dir.resolve("v-flat.vmdk"));
        }
        if (name.equals("d.vdi")) ok("qemu-img", "create", "-q", "-f", "vdi", file.toString(), "1M");
        Map<Path, TreeSet<Long>> qemu = qemuBytes(file, opts, snapshot, files);
        Map<Path, TreeSet<Long>> jemu = new TreeMap<>();
        try (Drive d = open(file, opts, snapshot)) {
            for (Path f : files) jemu.put(f, LockBytes.of(f));
        }
        assertFalse(qemu.get(file).isEmpty() && !opts.contains("locking=off"), "QEMU took no locks: " + qemu);
        assertEquals(qemu, jemu);
        for (Path f : files) assertTrue(LockBytes.of(f).isEmpty(), "closing the drive released " + f);
    }

    private static Map<Path, TreeSet<Long>> qemuBytes(Path file, String opts, boolean snapshot, List<Path> files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-system-riscv64", "-M", "virt", "-S", "-nographic", "-monitor", "none",
                "-serial", "none", "-drive", "file=" + file + ",if=none,id=d0" + (opts.isEmpty() ? "" : "," + opts),
                "-device", "virtio-blk-device,drive=d0"));
        if (snapshot) cmd.add("-snapshot");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            // QEMU settles its bytes as the chain and then the device attach: wait until three reads agree
            Map<Path, TreeSet<Long>> m = new TreeMap<>(), prev = null;
            int same = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (same < 3 && System.nanoTime() < deadline) {
                assertTrue(p.isAlive(), "QEMU ended: " + cmd);
                Thread.sleep(100);
                m = new TreeMap<>();
                for (Path f : files) m.put(f, LockBytes.of(f));
                boolean any = m.values().stream().anyMatch(x -> !x.isEmpty());
                same = any && m.equals(prev) ? same + 1 : 0;
                prev = m;
            }
            return m;
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
