package dev.jemu.cli.img;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.devices.block.Drive;
import dev.jemu.devices.block.DriveOptions;
import dev.jemu.devices.block.ImageLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every verb of jemu-img against qemu-img while a drive holds the image (read-write, then read-only), as a
 * running jemu would: the same exit status, and when refused the same lock named in the same words. The
 * drive is opened in this JVM; its lock descriptor excludes jemu-img's (run here too) as another process's would.
 */
class JemuImgLockTest {
    private static final Pattern REFUSAL = Pattern.compile("(Failed to get (shared )?\"[a-z ]+\" lock|force-share=on can only be used with read-only images)");
    private static final Pattern HINT = Pattern.compile("Is another process using the image \\[[^]]+]\\?");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "held {0}")
    @ValueSource(strings = {"read-write", "readonly=on"})
    void verbsRefuseOrShareAsQemuImgDoes(String held) throws Exception {
        JemuImgTest.assumeQemu();
        assumeTrue(ImageLock.available(), "no OFD locks on this host");
        String x = dir.resolve("x.qcow2").toString(), r = dir.resolve("r.raw").toString(), out = dir.resolve("out.raw").toString();
        assertEquals(0, JemuImgTest.qemu("create", "-q", "-f", "qcow2", x, "1M").exit());
        assertEquals(0, JemuImgTest.qemu("create", "-q", "-f", "raw", r, "1M").exit());
        byte[] before = Files.readAllBytes(Path.of(x));
        String[][] verbs = {
                {"info", x}, {"info", "-U", x}, {"check", x}, {"check", "-U", x}, {"map", x}, {"map", "-U", x},
                {"compare", x, r}, {"compare", "-U", x, r}, {"convert", "-O", "raw", x, out}, {"convert", "-U", "-O", "raw", x, out},
                {"snapshot", "-l", x}, {"snapshot", "-l", "-U", x}, {"snapshot", "-c", "s1", x}, {"snapshot", "-U", "-c", "s1", x},
                {"resize", x, "2M"}, {"check", "-r", "all", x}, {"convert", "-n", "-O", "qcow2", r, x}, {"create", "-q", "-f", "qcow2", x, "1M"}};
        int refused;
        try (Drive d = Drive.open(DriveOptions.parse("file=" + x + (held.equals("readonly=on") ? ",readonly=on" : "")), false)) {
            refused = sameAsQemuImg(verbs);
        }
        assertEquals(held.equals("readonly=on") ? 6 : 12, refused, "verbs refused");
        assertEquals(0, java.util.Arrays.compare(before, Files.readAllBytes(Path.of(x))), "no verb touched the held image");
    }

    /** A running writer on the backing file: which verbs on the overlay still read it depends on the verb. */
    @ParameterizedTest(name = "backing {0}")
    @ValueSource(strings = {"raw", "qcow2"})
    void verbsOnAnOverlayWhoseBackingIsWritten(String backingFormat) throws Exception {
        JemuImgTest.assumeQemu();
        assumeTrue(ImageLock.available(), "no OFD locks on this host");
        String b = dir.resolve("b." + backingFormat).toString(), x = dir.resolve("x.qcow2").toString();
        String r = dir.resolve("r.raw").toString(), out = dir.resolve("out.raw").toString();
        assertEquals(0, JemuImgTest.qemu("create", "-q", "-f", backingFormat, b, "1M").exit());
        assertEquals(0, JemuImgTest.qemu("create", "-q", "-f", "qcow2", "-b", b, "-F", backingFormat, x).exit());
        assertEquals(0, JemuImgTest.qemu("create", "-q", "-f", "raw", r, "1M").exit());
        String[][] verbs = {
                {"info", x}, {"info", "--backing-chain", x}, {"info", "-U", "--backing-chain", x}, {"map", x}, {"map", "-U", x},
                {"compare", x, r}, {"snapshot", "-l", x}, {"convert", "-O", "raw", x, out},
                {"convert", "-U", "-O", "raw", x, out}};
        int refused;
        try (Drive d = Drive.open(DriveOptions.parse("file=" + b + ",format=" + backingFormat), false)) {
            refused = sameAsQemuImg(verbs);
        }
        // a raw backing under a reader that shares writing is not held; a qcow2 one keeps its metadata stable.
        // (check is left out: qemu-img check opens the backing chain, jemu-img check does not yet.)
        assertEquals(backingFormat.equals("raw") ? 1 : 5, refused, "verbs refused");
    }

    /** Runs each verb with both tools: same status, same refusal, same hint, one line; answers how many were refused. */
    private static int sameAsQemuImg(String[][] verbs) throws Exception {
        int refused = 0;
        for (String[] v : verbs) {
            JemuImgTest.Run q = JemuImgTest.qemu(v), j = JemuImgTest.jemu(v);
            String what = String.join(" ", v) + "\n qemu-img: " + q.err() + "\n jemu-img: " + j.err();
            assertEquals(q.exit(), j.exit(), what);
            assertEquals(find(REFUSAL, q.err()), find(REFUSAL, j.err()), what);
            assertEquals(find(HINT, q.err()), find(HINT, j.err()), what);
            if (find(REFUSAL, q.err()) != null) {
                refused++;
                assertEquals(1, j.err().strip().lines().count(), "one line: " + j.err());
            }
        }
        return refused;
    }

    private static String find(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? m.group() : null;
    }
}
