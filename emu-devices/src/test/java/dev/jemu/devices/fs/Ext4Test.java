package dev.jemu.devices.fs;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Images made by mke2fs -d (then e2fsck -D, which turns the big directory into an htree) read back. */
class Ext4Test {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"ext2:-b 1024", "ext3:-b 2048", "ext4:", "ext4:-O 64bit -b 1024", "ext4:-O ^extent,^64bit"})
    void readsWhatMke2fsWrote(String variant) throws Exception {
        Tools.need("mke2fs", "e2fsck");
        String type = variant.substring(0, variant.indexOf(':'));
        String extra = variant.substring(variant.indexOf(':') + 1);
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree.resolve("boot/extlinux"));
        Files.createDirectories(tree.resolve("many"));
        byte[] kernel = Tools.pattern(3_000_000, 1); // big enough for double indirect blocks at 1 KiB
        byte[] small = "label l0\n  linux /boot/vmlinux\n".getBytes(StandardCharsets.UTF_8);
        Files.write(tree.resolve("boot/vmlinux-6.1"), kernel);
        Files.write(tree.resolve("boot/extlinux/extlinux.conf"), small);
        Files.write(tree.resolve("empty"), new byte[0]);
        Files.createSymbolicLink(tree.resolve("vmlinux"), Path.of("boot/vmlinux-6.1"));
        String longTarget = "boot/" + "./".repeat(40) + "vmlinux-6.1"; // > 60 bytes: a slow symlink
        Files.createSymbolicLink(tree.resolve("slowlink"), Path.of(longTarget));
        Files.createSymbolicLink(tree.resolve("boot/abs"), Path.of("/boot/extlinux/extlinux.conf"));
        Files.createSymbolicLink(tree.resolve("loop"), Path.of("loop"));
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 600; i++) {
            String n = "file-with-a-longish-name-" + i;
            names.add(n);
            Files.write(tree.resolve("many").resolve(n), ("content " + i).getBytes(StandardCharsets.UTF_8));
        }
        Path img = tmp.resolve("fs.img");
        Tools.truncate(img, 32 << 20);
        List<String> cmd = new java.util.ArrayList<>(List.of("mke2fs", "-q", "-F", "-t", type));
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split(" ")));
        }
        cmd.addAll(List.of("-d", tree.toString(), img.toString()));
        Tools.run(cmd.toArray(String[]::new));
        Tools.run("e2fsck", "-fyD", img.toString());

        Ext4 fs = Ext4.open(Tools.source(img));
        assertArrayEquals(kernel, fs.readFile("/boot/vmlinux-6.1"));
        assertArrayEquals(small, fs.readFile("/boot/extlinux/extlinux.conf"));
        assertArrayEquals(new byte[0], fs.readFile("/empty"));
        assertArrayEquals(kernel, fs.readFile("/vmlinux"), "fast symlink");
        assertArrayEquals(kernel, fs.readFile("/slowlink"), "slow symlink");
        assertArrayEquals(small, fs.readFile("/boot/abs"), "absolute symlink");
        assertArrayEquals(small, fs.readFile("boot/../boot/./extlinux//extlinux.conf"));
        assertNull(fs.readFile("/boot/missing"));
        assertNull(fs.readFile("/boot"), "a directory is not a file");
        assertNull(fs.readFile("/empty/x"));
        assertThrows(FsException.class, () -> fs.readFile("/loop"));
        assertArrayEquals("content 599".getBytes(StandardCharsets.UTF_8), fs.readFile("/many/file-with-a-longish-name-599"));
        Set<String> listed = new HashSet<>();
        for (Ext4.Entry e : fs.listDirectory("/many")) {
            listed.add(e.name());
        }
        listed.remove(".");
        listed.remove("..");
        assertEquals(names, listed);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
    void corruptImagesFailCleanly(int seed) throws Exception {
        Tools.need("mke2fs");
        Path tree = tmp.resolve("t");
        Files.createDirectories(tree.resolve("boot"));
        Files.write(tree.resolve("boot/k"), Tools.pattern(200_000, 2));
        Path img = tmp.resolve("c.img");
        Tools.truncate(img, 4 << 20);
        Tools.run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree.toString(), img.toString());
        byte[] b = Files.readAllBytes(img);
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < 200; i++) { // garbage in the metadata blocks (superblock, descriptors, inode table)
            int o = r.nextInt(1 << (12 + r.nextInt(9)));
            if (o >= 1024 + 0x38 && o < 1024 + 0x3a) {
                continue; // keep the magic
            }
            b[o] = (byte) r.nextInt(256);
        }
        Files.write(img, b);
        try {
            Ext4 fs = Ext4.open(Tools.source(img));
            fs.readFile("/boot/k");
            fs.readFile("/boot/extlinux/extlinux.conf");
        } catch (java.io.IOException e) {
            assertFalse(e.getMessage().contains("\n"));
        } catch (OutOfMemoryError | RuntimeException e) {
            fail("seed " + seed + ": " + e);
        }
    }
}
