package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
    private static final KitGuest G = KitGuest.RISCV64;
    private static final String ARCH = G.kit();

    @BeforeEach
    void needBoard() {
        G.requireBoard("virt");
    }

    private static List<String> base(String append) {
        return G.kernelArgs("virt", append);
    }

    private static JemuProcess.Result boot(List<String> args) throws Exception {
        return G.boot(args);
    }

    /** The built-in SBI, with jemu.info and the root disk on virtio-blk: one boot checks all three. */
    @Test
    void bootsWithTheBuiltInSbiBindsTheBoardDriversAndMountsTheRootDisk() throws Exception {
        List<String> args = base("jemu.info");
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
        List<String> args = base("");
        args.addAll(List.of("-bios", Kit.file(ARCH, "fw_jump.bin").toString()));
        JemuProcess.Result r = boot(args);
        assertTrue(r.out().contains("OpenSBI"), r::describe);
    }

    @Test
    void bootsWithOpenSbiFwDynamic() throws Exception {
        List<String> args = base("");
        args.addAll(List.of("-bios", Kit.file(ARCH, "fw_dynamic.bin").toString()));
        JemuProcess.Result r = boot(args);
        assertTrue(r.out().contains("OpenSBI"), r::describe);
    }

    @Test
    void typesIntoTheGuestShell() throws Exception {
        G.typeIntoTheShell(base("jemu.shell"));
    }
}
