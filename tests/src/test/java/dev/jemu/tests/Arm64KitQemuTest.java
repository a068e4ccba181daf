package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.tests.diff.ProcessRun;
import dev.jemu.tests.diff.Tools;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The arm64 guest kit (scripts/jemu-kit arm64) boots under QEMU 7.2, the reference peer: Debian's arm64
 * kernel with the kit's initrd reaches JEMU-BOOT-OK and powers off with status 0. A broken kit fails here,
 * before any jemu aarch64 boot test can blame the emulator.
 */
@Tag("boot")
class Arm64KitQemuTest {
    private static final String ARCH = Kit.ARM64;
    private static final String QEMU = "qemu-system-aarch64";

    @Test
    void theKitKernelAndInitrdBootUnderQemuAndPowerOff() {
        if (!Tools.onPath(QEMU)) {
            if (System.getenv("CI") != null) throw new AssertionError(QEMU + " not installed (.ci/run installs it)");
            assumeTrue(false, QEMU + " not installed");
        }
        List<String> cmd = List.of(QEMU, "-M", "virt", "-cpu", "cortex-a57", "-m", "512M", "-nographic", "-no-reboot",
                "-kernel", Kit.file(ARCH, "Image").toString(), "-initrd", Kit.file(ARCH, "initrd.cpio.gz").toString(),
                "-append", "console=ttyAMA0");
        ProcessRun r = ProcessRun.run(cmd, Duration.ofSeconds(60));
        String out = r.stdoutText().replace("\r", "");
        String describe = "qemu status " + r.status() + "\n" + out.lines().skip(Math.max(0, out.lines().count() - 15))
                .reduce("", (a, b) -> a + b + "\n") + r.stderr();
        assertFalse(r.timedOut(), describe);
        assertTrue(out.contains("JEMU-BOOT-OK aarch64 "), describe);
        assertTrue(out.contains("JEMU-POWEROFF"), describe);
        assertTrue(out.contains("reboot: Power down"), describe);
        assertEquals(0, r.status(), describe);
    }
}
