package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Boots Debian's riscv64 kernel from the kit the way a user would (QEMU's flags, -nographic serial on stdio)
 * and checks the kit's /init reached its markers and the guest powered off with status 0.
 */
@Tag("boot")
class RiscvBootTest {
    private static final String ARCH = "riscv64";

    @BeforeEach
    void needBoard() {
        Kit.requireBoard(ARCH, "virt");
    }

    private static List<String> base(String append) {
        Path image = Kit.file(ARCH, "Image");
        Path initrd = Kit.file(ARCH, "initrd.cpio.gz");
        return new ArrayList<>(List.of("-M", "virt", "-cpu", "riscv64", "-m", "512M", "-nographic", "-no-reboot",
                "-kernel", image.toString(), "-initrd", initrd.toString(), "-append", append));
    }

    private static JemuProcess.Result boot(List<String> args) throws Exception {
        JemuProcess.Result r = JemuProcess.run(JemuProcess.timeout(), args.toArray(String[]::new));
        assertFalse(r.timedOut(), r::describe);
        assertTrue(r.out().contains("JEMU-BOOT-OK riscv64 "), r::describe);
        assertTrue(r.out().contains("JEMU-POWEROFF"), r::describe);
        assertEquals(0, r.status(), r::describe);
        System.out.printf("boot %s: %d ms%n", args, r.elapsed().toMillis());
        return r;
    }

    /** The built-in SBI, with jemu.info and the root disk on virtio-blk: one boot checks all three. */
    @Test
    void bootsWithTheBuiltInSbiBindsTheBoardDriversAndMountsTheRootDisk() throws Exception {
        List<String> args = base("console=ttyS0 jemu.info");
        args.addAll(List.of("-drive", "file=" + Kit.file(ARCH, "root.qcow2") + ",if=none,id=d0,format=qcow2,snapshot=on",
                "-device", "virtio-blk-device,drive=d0"));
        JemuProcess.Result r = boot(args);
        String out = r.out().replace("\r", "");
        // as under QEMU (shared kit logs riscv64-info.log): the UART, PLIC, RTC and poweroff drivers are bound
        for (String driver : List.of("(of_serial|serial8250)", "riscv-plic", "goldfish_rtc", "syscon-poweroff")) {
            assertTrue(Pattern.compile("(?m)^platform/devices/\\S+ -> " + driver + "$").matcher(out).find(),
                    () -> "driver " + driver + " not bound; " + r.describe());
        }
        assertTrue(out.contains("== /proc/interrupts"), r::describe);
        assertTrue(out.contains("JEMU-DISK-OK"), r::describe);
        assertTrue(out.contains("JEMU-HELLO jemu kit riscv64"), r::describe);
    }

    @Test
    void bootsWithOpenSbiFwJump() throws Exception {
        List<String> args = base("console=ttyS0");
        args.addAll(List.of("-bios", Kit.file(ARCH, "fw_jump.bin").toString()));
        JemuProcess.Result r = boot(args);
        assertTrue(r.out().contains("OpenSBI"), r::describe);
    }

    @Test
    void bootsWithOpenSbiFwDynamic() throws Exception {
        List<String> args = base("console=ttyS0");
        args.addAll(List.of("-bios", Kit.file(ARCH, "fw_dynamic.bin").toString()));
        JemuProcess.Result r = boot(args);
        assertTrue(r.out().contains("OpenSBI"), r::describe);
    }

    @Test
    void typesIntoTheGuestShell() throws Exception {
        List<String> args = base("console=ttyS0 jemu.shell");
        JemuProcess.Result r = JemuProcess.run(JemuProcess.timeout(),
                List.of(new JemuProcess.Step(" # ", "echo JEMU-TYPED-$((6*7))\n"),
                        new JemuProcess.Step("JEMU-TYPED-42", "poweroff -f\n")),
                args.toArray(String[]::new));
        assertFalse(r.timedOut(), r::describe);
        // the shell computed what was typed: stdin reached the guest through the UART
        assertTrue(r.out().contains("JEMU-TYPED-42"), r::describe);
        assertEquals(0, r.status(), r::describe);
    }
}
