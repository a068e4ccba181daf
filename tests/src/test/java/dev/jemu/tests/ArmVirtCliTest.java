package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aarch64 virt board from the command line: it is listed and picked by {@code -cpu}, and bad input (a
 * riscv64 kernel, a bad Image header, a GIC version or EL that jemu does not have) is one line and status 1.
 */
class ArmVirtCliTest {
    static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static void oneLine(JemuProcess.Result r, String expectedPart) {
        assertEquals(1, r.status(), r::describe);
        assertTrue(r.err().startsWith("jemu: ") && r.err().endsWith("\n") && r.err().indexOf('\n') == r.err().length() - 1,
                r::describe);
        assertTrue(r.err().contains(expectedPart), r::describe);
    }

    @Test
    void listedWithItsProperties() throws Exception {
        JemuProcess.Result r = JemuProcess.run(T, "-cpu", "cortex-a57", "-M", "help");
        assertEquals(0, r.status(), r::describe);
        assertTrue(r.out().contains("virt ") && r.out().contains("[aarch64]"), r.out());
        r = JemuProcess.run(T, "-cpu", "cortex-a57", "-M", "virt,help");
        assertEquals(0, r.status(), r::describe);
        assertTrue(r.out().contains("gic-version=<string>"), r.out());
    }

    @Test
    void riscvKernelOnCortexA57() throws Exception {
        ByteBuffer rv = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        rv.putLong(48, 0x5643534952L).putInt(56, 0x05435352); // "RISCV\0\0\0", "RSC\x05"
        Path k = Files.write(dir.resolve("Image"), rv.array());
        oneLine(JemuProcess.run(T, "-M", "virt", "-cpu", "cortex-a57", "-nographic", "-kernel", k.toString()),
                "not an arm64 Image");
    }

    @Test
    void imageWithBadHeader() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(16, 4096).putInt(56, 0x644d5241); // image_size smaller than the file
        Path k = Files.write(dir.resolve("Image"), b.array());
        oneLine(JemuProcess.run(T, "-M", "virt", "-cpu", "cortex-a57", "-nographic", "-kernel", k.toString()),
                "bad arm64 Image header");
    }

    @Test
    void unknownGicVersionAndMissingEls() throws Exception {
        oneLine(JemuProcess.run(T, "-M", "virt,gic-version=7", "-cpu", "cortex-a57", "-nographic"),
                "Invalid gic-version value");
        oneLine(JemuProcess.run(T, "-M", "virt,secure=on", "-cpu", "cortex-a57", "-nographic"), "EL3");
        oneLine(JemuProcess.run(T, "-M", "virt,virtualization=on", "-cpu", "cortex-a57", "-nographic"), "EL2");
    }

    @Test
    void theRiscvKitOnCortexA57IsRefusedFromFileAndFromTheDisksExtlinux() throws Exception {
        oneLine(JemuProcess.run(T, "-M", "virt", "-cpu", "cortex-a57", "-nographic", "-kernel",
                Kit.file("riscv64", "Image").toString()), "not an arm64 Image");
        // no -kernel: the disk boot reads extlinux.conf and the (gzip) kernel it names, as on riscv64
        JemuProcess.Result r = JemuProcess.run(T, "-M", "virt", "-cpu", "cortex-a57", "-nographic", "-drive",
                "file=" + Kit.file("riscv64", "disk.qcow2") + ",if=virtio,snapshot=on");
        oneLine(r, "extlinux.conf");
        assertTrue(r.err().contains("not an arm64 Image"), r::describe);
    }
}
