package dev.jemu.devices.block;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.devices.virtio.blk.BlockDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriveOptionsTest {
    @TempDir
    Path tmp;

    @Test
    void parsesQemuSyntax() throws Exception {
        DriveOptions o = DriveOptions.parse("file=a,,b.img,if=none,id=d0,format=qcow2,readonly=on,snapshot=off,"
                + "cache=unsafe,media=disk,discard=unmap");
        assertEquals("a,b.img", o.file());
        assertEquals("none", o.iface());
        assertEquals("d0", o.id());
        assertEquals("qcow2", o.format());
        assertTrue(o.readOnly());
        assertFalse(o.snapshot());
        assertEquals(DriveOptions.Cache.UNSAFE, o.cache());
        assertTrue(o.cache().ignoresFlush());
        assertEquals(DriveOptions.Discard.UNMAP, o.discard());

        DriveOptions s = DriveOptions.parse("disk.qcow2");
        assertEquals("disk.qcow2", s.file());
        assertNull(s.iface());
        assertNull(s.format());
        assertEquals(DriveOptions.Cache.WRITEBACK, s.cache());
        assertTrue(DriveOptions.parse("file=x,cache=writethrough").cache().writeThrough());
        assertTrue(DriveOptions.parse("file=x,cache=directsync").cache().writeThrough());
        assertFalse(DriveOptions.parse("file=x,cache=none").cache().writeThrough());
        assertEquals(-1, s.index());
        assertEquals(3, DriveOptions.parse("file=x,index=3").index());
    }

    @Test
    void bareImageIsUnitZeroOfTheDefaultInterface() throws Exception {
        DriveOptions o = DriveOptions.parse(DriveOptions.bareImage("my,disk.qcow2"));
        assertEquals("my,disk.qcow2", o.file());
        assertEquals(0, o.index());
        assertNull(o.iface());
        assertNull(o.format());
        assertFalse(o.readOnly());
    }

    @Test
    void errorsAreOneLine() {
        assertError("-drive file=x,bogus=1: Invalid parameter 'bogus'", "file=x,bogus=1");
        assertError("-drive file=x,if=ide: interface if=ide is not supported", "file=x,if=ide");
        assertError("-drive file=x,cache=fast: invalid cache option 'fast'", "file=x,cache=fast");
        assertError("-drive file=x,readonly=maybe: Parameter 'readonly' expects 'on' or 'off'", "file=x,readonly=maybe");
        assertError("-drive if=virtio: no file given", "if=virtio");
        assertError("-drive file=x,if=none: if=none needs an id=", "file=x,if=none");
        assertError("-drive file=x,media=cdrom: media=cdrom is not supported", "file=x,media=cdrom");
        assertError("-drive file=x,index=a: Parameter 'index' expects a number", "file=x,index=a");
        assertError("-drive file=x,index=-1: index -1 is out of range", "file=x,index=-1");
    }

    private static void assertError(String expectedStart, String spec) {
        ConfigException e = assertThrows(ConfigException.class, () -> DriveOptions.parse(spec));
        assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    private MachineConfig config(String... driveThenDevices) {
        MachineConfig c = new MachineConfig();
        for (String s : driveThenDevices) {
            if (s.startsWith("-device ")) {
                c.devices.add(s.substring(8));
            } else {
                c.drives.add(s);
            }
        }
        return c;
    }

    @Test
    void resolvesDevicesThenVirtioDrivesInQemuOrder() throws Exception {
        Path a = Files.write(tmp.resolve("a.img"), new byte[4096]);
        Path b = Files.write(tmp.resolve("b.img"), new byte[8192]);
        Path c = Files.write(tmp.resolve("c.img"), new byte[16384]);
        MachineConfig cfg = config("file=" + a + ",format=raw", "file=" + b + ",if=none,id=bb,format=raw",
                "file=" + c + ",if=virtio,format=raw", "-device virtio-blk-device,drive=bb,serial=S1");
        List<BlockDevices.Disk> disks = BlockDevices.resolve(cfg, "virtio");
        try {
            assertEquals(3, disks.size());
            assertEquals(8192, disks.get(0).drive().size());
            assertEquals("S1", disks.get(0).serial());
            assertEquals(4096, disks.get(1).drive().size());
            assertEquals(16384, disks.get(2).drive().size());
        } finally {
            for (BlockDevices.Disk d : disks) {
                d.drive().close();
            }
        }
    }

    @Test
    void indexTakesAUnitAndDrivesWithoutOneTakeTheFirstFree() throws Exception {
        Path a = Files.write(tmp.resolve("a.img"), new byte[4096]);
        Path b = Files.write(tmp.resolve("b.img"), new byte[8192]);
        // the bare image (unit 0) and a later -drive (unit 1): both virtio disks, in command-line order
        List<BlockDevices.Disk> disks = BlockDevices.resolve(config(DriveOptions.bareImage(b.toString()),
                "file=" + a + ",format=raw"), "virtio");
        try {
            assertEquals(2, disks.size());
            assertEquals(8192, disks.get(0).drive().size());
            assertEquals(4096, disks.get(1).drive().size());
        } finally {
            for (BlockDevices.Disk d : disks) {
                d.drive().close();
            }
        }
        // units are counted per interface: if=none drives do not take virtio units
        disks = BlockDevices.resolve(config("file=" + a + ",if=none,id=n0,index=0", DriveOptions.bareImage(b.toString())),
                "virtio");
        for (BlockDevices.Disk d : disks) {
            d.drive().close();
        }
        assertEquals(1, disks.size());
        assertEquals(8192, disks.get(0).drive().size());
        // a -drive before it already has unit 0
        assertResolveError("drive with bus=0, unit=0 (index=0) exists", "file=" + a + ",format=raw",
                DriveOptions.bareImage(b.toString()));
        assertResolveError("-drive file=" + b + ",index=2: drive with bus=0, unit=2 (index=2) exists",
                "file=" + a + ",index=2", "file=" + b + ",index=2");
    }

    @Test
    void resolveErrors() throws Exception {
        Path a = Files.write(tmp.resolve("a.img"), new byte[4096]);
        assertResolveError("Property 'drive' can't find value 'nope'", "file=" + a + ",if=none,id=d0",
                "-device virtio-blk-device,drive=nope");
        assertResolveError("'e1000' is not a valid device model name", "-device e1000");
        assertResolveError("'virtio-net' is not a valid device model name on this machine (use virtio-net-device)",
                "-device virtio-net");
        assertResolveError("Drive 'd0' is already in use", "file=" + a + ",if=none,id=d0",
                "-device virtio-blk-device,drive=d0", "-device virtio-blk-device,drive=d0");
        assertResolveError("Could not open '" + tmp.resolve("missing.img") + "': No such file or directory",
                "file=" + tmp.resolve("missing.img"));
        assertResolveError("Unknown file format 'qcow3'", "file=" + a + ",format=qcow3");
        assertResolveError("Duplicate ID 'd0'", "file=" + a + ",if=none,id=d0", "file=" + a + ",if=none,id=d0");
    }

    private void assertResolveError(String expected, String... opts) {
        ConfigException e = assertThrows(ConfigException.class, () -> BlockDevices.resolve(config(opts), "virtio"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void snapshotOverlayKeepsTheImageAndIsDeleted() throws Exception {
        byte[] orig = new byte[1 << 16];
        orig[5] = 42;
        Path a = Files.write(tmp.resolve("a.img"), orig);
        String tmpdir = System.getProperty("java.io.tmpdir");
        long before = countOverlays(Path.of(tmpdir));
        try (Drive d = Drive.open(DriveOptions.parse("file=" + a + ",format=raw,snapshot=on"), false)) {
            assertEquals(1 << 16, d.size());
            assertEquals(before + 1, countOverlays(Path.of(tmpdir)));
            d.write(0, new byte[512], 0, 512);
            byte[] back = new byte[512];
            d.read(0, back, 0, 512);
            assertEquals(0, back[5]);
        }
        assertArrayEquals(orig, Files.readAllBytes(a));
        assertEquals(before, countOverlays(Path.of(tmpdir)));
        // global -snapshot does the same
        try (Drive d = Drive.open(DriveOptions.parse("file=" + a), true)) {
            d.write(0, new byte[512], 0, 512);
        }
        assertArrayEquals(orig, Files.readAllBytes(a));
    }

    private static long countOverlays(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("jemu-snapshot-")).count();
        }
    }
}
