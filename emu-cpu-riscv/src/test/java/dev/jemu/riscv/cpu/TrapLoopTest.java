package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.TestRig.RAM_BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.machine.ExitRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A trap whose vector is the trapping instruction itself: the run ends (M-mode) or it is logged (S-mode). */
class TrapLoopTest {
    static final long CODE = RAM_BASE + 0x1000;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @AfterEach
    void logOff() {
        DebugLog.enable(Set.of());
        DebugLog.setOutput(System.err);
    }

    @Test
    void mModeLoopAtAnUnmappedVectorEndsTheRun() {
        TestRig rig = new TestRig();                 // mtvec 0, nothing mapped at 0
        rig.load(new Asm(CODE).emit(0xffffffff));     // an illegal instruction: into the vector, which faults
        rig.hart.setPc(CODE);
        ExitRequest e = rig.loop.run(rig.hart);
        assertEquals(ExitRequest.poweroff(1), e);
        assertEquals(0, rig.hart.pc());
        assertEquals(Trap.INSN_ACCESS, rig.hart.csr(Csr.MCAUSE));
    }

    @Test
    void sModeLoopIsLoggedUnderGuestErrorsOnce() {
        DebugLog.setOutput(new PrintStream(log, true, StandardCharsets.UTF_8));
        DebugLog.enable(EnumSet.of(DebugLog.Category.GUEST_ERRORS));
        TestRig rig = new TestRig().openPmp();
        rig.hart.setCsr(Csr.MEDELEG, 1L << Trap.INSN_ACCESS | 1L << Trap.ILLEGAL_INSN);
        rig.load(new Asm(CODE).enter(1, CODE + 0x100));     // S-mode with stvec 0
        rig.load(new Asm(CODE + 0x100).emit(0xffffffff));
        rig.hart.setPc(CODE);
        for (int i = 0; i < 5; i++) {
            rig.hart.run(1000); // returns: fetch faults use up the budget though nothing retires
        }
        assertEquals(1, rig.hart.privilege());
        assertEquals(0, rig.hart.pc());
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("hart0 is stuck in a trap loop: cause 1 (instruction access fault) at pc 0x0 in "
                + "S-mode"), text);
        assertEquals(1, text.lines().count(), text);
        assertFalse(rig.hart.isHalted());
    }
}
