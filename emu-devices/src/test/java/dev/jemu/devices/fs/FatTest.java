package dev.jemu.devices.fs;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** FAT12/16/32 images made by mkfs.vfat and filled by mtools, read back. */
class FatTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"12, 4096", "16, 32768", "32, 65536"})
    void readsWhatMtoolsWrote(int bits, int kib) throws Exception {
        Tools.need("mkfs.vfat", "mcopy", "mmd");
        Path img = tmp.resolve("fat.img");
        Tools.run("mkfs.vfat", "-F", String.valueOf(bits), "-C", img.toString(), String.valueOf(kib));
        byte[] kernel = Tools.pattern(bits == 12 ? 700_000 : 3_000_000, bits);
        byte[] conf = "default x\nlabel x\n linux /vmlinuz\n".getBytes(StandardCharsets.UTF_8);
        Path k = Files.write(tmp.resolve("vmlinuz-6.12.0-long-name"), kernel);
        Path c = Files.write(tmp.resolve("extlinux.conf"), conf);
        Path s = Files.write(tmp.resolve("SHORT.TXT"), "short".getBytes(StandardCharsets.UTF_8));
        String i = "-i";
        Tools.run("mmd", i, img.toString(), "::/extlinux");
        Tools.run("mmd", i, img.toString(), "::/extlinux/deeper");
        Tools.run("mcopy", i, img.toString(), c.toString(), "::/extlinux/extlinux.conf");
        Tools.run("mcopy", i, img.toString(), k.toString(), "::/extlinux/deeper/vmlinuz-6.12.0-long-name");
        Tools.run("mcopy", i, img.toString(), s.toString(), "::/SHORT.TXT");
        for (int n = 0; n < 40; n++) { // enough entries to spill the directory into a second cluster
            Tools.run("mcopy", i, img.toString(), s.toString(), "::/extlinux/a-long-file-name-number-" + n + ".txt");
        }

        assertTrue(Fat.probe(Tools.source(img)));
        Fat fs = Fat.open(Tools.source(img));
        assertEquals(bits, fs.bits());
        assertArrayEquals(conf, fs.readFile("/extlinux/extlinux.conf"));
        assertArrayEquals(conf, fs.readFile("/EXTLINUX/EXTLINUX.CONF"), "names match case-insensitively");
        assertArrayEquals(kernel, fs.readFile("/extlinux/deeper/vmlinuz-6.12.0-long-name"));
        assertArrayEquals("short".getBytes(StandardCharsets.UTF_8), fs.readFile("/short.txt"));
        assertArrayEquals("short".getBytes(StandardCharsets.UTF_8), fs.readFile("/extlinux/a-long-file-name-number-39.txt"));
        assertNull(fs.readFile("/extlinux/missing"));
        assertNull(fs.readFile("/extlinux"));
        assertEquals(40 + 2 + 2, fs.listDirectory("/extlinux").size()); // . and .. too
        // the generic probe finds it too
        assertEquals("vfat", FileSystem.probe(Tools.source(img)).type());
    }
}
