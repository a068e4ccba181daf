package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One Debian boot with the scripting flags as a script would pass them: the guest reads the RTC that
 * {@code -rtc} set, the disk serial {@code -global} gave the virtio-blk device of a JSON {@code -blockdev}
 * node, on the console {@code -nodefaults -serial mon:stdio} names.
 */
@Tag("boot")
class ScriptingFlagsBootTest {
    @BeforeEach
    void needBoard() {
        Kit.requireBoard("riscv64", "virt");
    }

    @Test
    void guestSeesTheRtcBaseAndTheGlobalSerialOfABlockdevDisk() throws Exception {
        String blockdev = "{\"driver\":\"qcow2\",\"node-name\":\"root\",\"read-only\":true,"
                + "\"file\":{\"driver\":\"file\",\"filename\":\"" + Kit.file("riscv64", "root.qcow2") + "\"}}";
        String[] args = {"-M", "virt", "-cpu", "riscv64", "-m", "512M", "-nodefaults", "-serial", "mon:stdio",
            "-no-user-config", "-name", "guest=kit,debug-threads=on", "-vga", "none", "-boot", "order=c", "-no-reboot",
            "-msg", "timestamp=on", "-rtc", "base=2020-01-02T03:04:05,clock=vm,driftfix=slew",
            "-global", "virtio-blk-device.serial=JEMUSER7", "-blockdev", blockdev,
            "-device", "virtio-blk-device,drive=root",
            "-kernel", Kit.file("riscv64", "Image").toString(), "-initrd", Kit.file("riscv64", "initrd.cpio.gz").toString(),
            "-append", "console=ttyS0 jemu.shell"};
        JemuProcess.Result r = JemuProcess.run(JemuProcess.timeout(),
                List.of(new JemuProcess.Step(" # ", "cat /sys/class/rtc/rtc0/date /sys/class/rtc/rtc0/time "
                                + "/sys/block/vda/serial; echo JEMU-READ-$((40+2))\n"),
                        new JemuProcess.Step("JEMU-READ-42", "poweroff -f\n")),
                args);
        assertFalse(r.timedOut(), r::describe);
        assertEquals(0, r.status(), r::describe);
        String out = r.out().replace("\r", "");
        assertTrue(out.contains("JEMU-BOOT-OK"), r::describe);
        assertTrue(out.contains("\n2020-01-02\n"), r::describe);
        // guest time since the machine was built, on top of 03:04:05 (a boot takes well under five minutes)
        assertTrue(Pattern.compile("\n03:0[4-9]:\\d\\d\n").matcher(out).find(), r::describe);
        assertTrue(out.contains("\nJEMUSER7"), r::describe); // sysfs prints the serial without a newline
        assertEquals("", r.err(), "no jemu messages on a clean run");
        System.out.printf("scripting-flags boot: %d ms%n", r.elapsed().toMillis());
    }
}
