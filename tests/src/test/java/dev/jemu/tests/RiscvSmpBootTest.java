package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kit's Debian kernel on riscv64 {@code virt} with several harts: under the built-in SBI (hart 0 boots, the
 * others come up through HSM hart_start, IPIs and remote fences through the SBI) and under OpenSBI (every hart
 * enters fw_jump from the reset vector, OpenSBI picks its boot hart and starts the others through the ACLINT).
 * The kernel must bring every hart up and the shell's {@code nproc} must count them. Nothing depends on how the
 * harts interleave, so the same tests hold with one host thread per hart.
 */
@Tag("boot")
class RiscvSmpBootTest {
    private static final KitGuest G = KitGuest.RISCV64;

    @BeforeEach
    void needBoard() {
        G.requireBoard("virt");
    }

    /** Boots with {@code -smp smp} and {@code extra} flags, asks the shell for nproc, powers off. */
    private static JemuProcess.Result bootAndCount(String smp, int harts, List<String> extra) throws Exception {
        List<String> args = G.kernelArgs("virt", "jemu.shell");
        args.addAll(List.of("-smp", smp));
        args.addAll(extra);
        JemuProcess.Result r = JemuProcess.run(JemuProcess.timeout(),
                List.of(new JemuProcess.Step(" # ", "echo JEMU-NPROC-$(nproc)-END\n"),
                        new JemuProcess.Step("JEMU-NPROC-", "poweroff -f\n")),
                args.toArray(String[]::new));
        assertFalse(r.timedOut(), r::describe);
        String out = r.out().replace("\r", "");
        assertTrue(out.contains("smp: Brought up 1 node, " + harts + " CPUs"), r::describe);
        assertTrue(out.contains("JEMU-NPROC-" + harts + "-END"), r::describe);
        assertEquals(0, r.status(), r::describe);
        System.out.printf("boot -smp %s %s: %d ms%n", smp, extra, r.elapsed().toMillis());
        return r;
    }

    @Test
    void twoHartsUnderTheBuiltInSbi() throws Exception {
        bootAndCount("2", 2, List.of());
    }

    @Test
    void fourHartsUnderTheBuiltInSbi() throws Exception {
        bootAndCount("cpus=4,sockets=1,cores=4", 4, List.of());
    }

    @Test
    void twoHartsUnderOpenSbi() throws Exception {
        JemuProcess.Result r = bootAndCount("2", 2, List.of("-bios", G.file("fw_jump.bin").toString()));
        assertTrue(r.out().contains("Platform HART Count         : 2"), r::describe);
    }
}
