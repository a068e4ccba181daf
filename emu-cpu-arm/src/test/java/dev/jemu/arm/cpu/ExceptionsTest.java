package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Exception entry and return: syndromes, vector offsets per source, IRQ masking, WFI, illegal returns. */
class ExceptionsTest {
    static final long VBAR = TestRig.RAM + 0x800;
    /** Code at RAM, a vector table of NOPs at RAM + 0x800. */
    static final String VECTORS = "\n.org 0x800\n.rept 512\nnop\n.endr\n";

    static TestRig rig(String code) {
        TestRig r = new TestRig().asm(code + VECTORS);
        r.cpu.sysregs.vbar = VBAR;
        return r;
    }

    /** Runs {@code n} steps: each one instruction, or one exception taken (run's budget counts both). */
    static void step(TestRig r, int n) {
        for (int i = 0; i < n; i++) {
            r.run(1);
        }
    }

    @Test
    void svcAtEl1TakesTheCurrentElSpxVectorWithReturnAfterIt() {
        TestRig r = rig("nop\nsvc #0x1234");
        r.cpu.setNzcv(0x6000_0000L); // Z and C
        r.cpu.daif = 0;
        step(r, 2);
        assertEquals(VBAR + 0x200, r.cpu.pc);
        assertEquals(0x5600_1234L, r.cpu.sysregs.esr); // EC 0x15, IL, imm16
        assertEquals(TestRig.RAM + 8, r.cpu.sysregs.elr);
        assertEquals(0x6000_0005L, r.cpu.sysregs.spsr); // ZC, DAIF clear, EL1h
        assertEquals(0xf, r.cpu.daif);
        assertEquals(1, r.cpu.el);
    }

    @Test
    void svcFromEl0TakesTheLowerElVectorAndEretReturns() {
        TestRig r = rig("svc #7\nnop");
        r.cpu.sysregs.spsr = 0; // EL0t
        r.cpu.sysregs.elr = TestRig.RAM;
        r.cpu.x[Regs.SP] = 0x1111; // SP_EL1
        // start at EL1 on an ERET placed in the vector area's first slot, which drops to EL0 at RAM
        r.bus.write(VBAR, 4, 0xd69f03e0L); // eret
        r.cpu.setPc(VBAR);
        r.cpu.spEl[0] = 0x2222;
        step(r, 1);
        assertEquals(0, r.cpu.el);
        assertEquals(0x2222, r.cpu.x[Regs.SP]);
        assertEquals(TestRig.RAM, r.cpu.pc);
        step(r, 1);
        assertEquals(VBAR + 0x400, r.cpu.pc);
        assertEquals(1, r.cpu.el);
        assertEquals(0x1111, r.cpu.x[Regs.SP]);
        assertEquals(0x5600_0007L, r.cpu.sysregs.esr);
        assertEquals(TestRig.RAM + 4, r.cpu.sysregs.elr);
        assertEquals(0L, r.cpu.sysregs.spsr);
    }

    @Test
    void el1WithSp0UsesTheFirstVectorGroup() {
        TestRig r = rig("msr spsel, #0\nbrk #3");
        r.cpu.x[Regs.SP] = 0x5000;
        step(r, 2);
        assertEquals(VBAR, r.cpu.pc);
        assertEquals(0xf200_0003L, r.cpu.sysregs.esr); // EC 0x3c, IL, comment
        assertEquals(TestRig.RAM + 4, r.cpu.sysregs.elr); // BRK returns to itself
        assertEquals(0x3c4L, r.cpu.sysregs.spsr); // EL1t, DAIF set
        assertEquals(0x5000, r.cpu.spEl[1]); // SP_EL1 kept from before SPSel went to 0
    }

    @Test
    void undefinedInstructionHasEcZeroAndKeepsFar() {
        TestRig r = rig(".word 0");
        r.cpu.sysregs.far = 0xabcd;
        step(r, 1);
        assertEquals(VBAR + 0x200, r.cpu.pc);
        assertEquals(0x0200_0000L, r.cpu.sysregs.esr);
        assertEquals(TestRig.RAM, r.cpu.sysregs.elr);
        assertEquals(0xabcd, r.cpu.sysregs.far); // not valid for this EC: FAR_EL1 unchanged, as QEMU
    }

    @Test
    void hvcAndSmcWithoutFirmwareAreUndefinedAndFirmwareAnswersThem() {
        TestRig r = rig("hvc #0\nsmc #1\nnop");
        step(r, 1);
        assertEquals(0x0200_0000L, r.cpu.sysregs.esr);
        int[] calls = new int[2];
        r.cpu.setFirmware((cpu, smc, imm) -> {
            calls[smc ? 1 : 0]++;
            cpu.x[0] = 42;
            return true;
        });
        r.cpu.setPc(TestRig.RAM);
        step(r, 2);
        assertEquals(1, calls[0]);
        assertEquals(1, calls[1]);
        assertEquals(42, r.x(0));
        assertEquals(TestRig.RAM + 8, r.cpu.pc);
    }

    @Test
    void hvcAtEl0IsUndefinedEvenWithFirmware() {
        TestRig r = rig("hvc #0");
        r.cpu.setFirmware((cpu, smc, imm) -> true);
        r.cpu.el = 0;
        step(r, 1);
        assertEquals(VBAR + 0x400, r.cpu.pc);
        assertEquals(0x0200_0000L, r.cpu.sysregs.esr);
    }

    @Test
    void irqIsMaskedByIAndTakenAtOnceWhenDaifClrUnmasksIt() {
        TestRig r = rig("nop\nnop\nmsr daifclr, #2\nnop\nnop");
        r.cpu.setIrq(true);
        step(r, 2); // masked: the NOPs run
        assertEquals(TestRig.RAM + 8, r.cpu.pc);
        step(r, 2); // DAIFClr; the IRQ is taken before the next instruction (the vector's first NOP runs)
        assertEquals(VBAR + 0x280 + 4, r.cpu.pc);
        assertEquals(TestRig.RAM + 12, r.cpu.sysregs.elr);
        assertEquals(0x345L, r.cpu.sysregs.spsr); // D, A, F still set, I clear, EL1h
    }

    @Test
    void fiqFromEl0UsesTheLowerElFiqVector() {
        TestRig r = rig("nop\nnop");
        r.cpu.el = 0;
        r.cpu.daif = 0;
        r.cpu.setFiq(true);
        step(r, 1);
        assertEquals(VBAR + 0x500 + 4, r.cpu.pc);
        assertEquals(TestRig.RAM, r.cpu.sysregs.elr);
    }

    @Test
    void wfiHaltsUntilAnInterruptEvenAMaskedOne() {
        TestRig r = rig("wfi\nnop\nnop");
        r.run(10);
        assertTrue(r.cpu.isHalted());
        assertEquals(TestRig.RAM + 4, r.cpu.pc);
        assertEquals(0, r.run(10)); // stays halted
        r.cpu.setIrq(true); // masked (DAIF all set): WFI ends, execution goes on
        assertFalse(r.cpu.isHalted());
        step(r, 1);
        assertEquals(TestRig.RAM + 8, r.cpu.pc);
    }

    @Test
    void wfiWithAnUnmaskedIrqTakesItOnWakeUp() {
        TestRig r = rig("wfi\nnop");
        r.cpu.daif = 0;
        r.run(5);
        assertTrue(r.cpu.isHalted());
        r.cpu.setIrq(true);
        step(r, 1);
        assertEquals(VBAR + 0x280 + 4, r.cpu.pc);
        assertEquals(TestRig.RAM + 4, r.cpu.sysregs.elr); // the instruction after the WFI
    }

    @Test
    void wfiAndWfeAtEl0TrapWhenSctlrSaysSo() {
        TestRig r = rig("wfi\nwfe");
        r.cpu.sysregs.sctlr &= ~(SysRegs.SCTLR_NTWI | SysRegs.SCTLR_NTWE);
        r.cpu.el = 0;
        step(r, 1);
        assertEquals(0x07e0_0000L, r.cpu.sysregs.esr); // EC 0x01, IL, CV, COND 0xe, TI 0
        assertEquals(TestRig.RAM, r.cpu.sysregs.elr);
        r.cpu.el = 0;
        r.cpu.setPc(TestRig.RAM + 4);
        step(r, 1);
        assertEquals(0x07e0_0001L, r.cpu.sysregs.esr);
        assertFalse(r.cpu.isHalted());
    }

    @Test
    void illegalExceptionReturnSetsIlAndFaultsAtTheTarget() {
        TestRig r = rig("eret\nnop");
        r.cpu.sysregs.spsr = 0x8 | 0x3c0; // EL2h: not implemented
        r.cpu.sysregs.elr = TestRig.RAM + 4;
        step(r, 1);
        assertEquals(1, r.cpu.el);
        assertEquals(TestRig.RAM + 4, r.cpu.pc);
        step(r, 1);
        assertEquals(VBAR + 0x200, r.cpu.pc);
        assertEquals(0x3a00_0000L, r.cpu.sysregs.esr); // EC 0x0e
        assertEquals(TestRig.RAM + 4, r.cpu.sysregs.elr);
        assertEquals(1L << 20, r.cpu.sysregs.spsr & (1L << 20)); // PSTATE.IL saved
        assertFalse(r.cpu.exceptions.illegalState);
    }

    @Test
    void eretAtEl0IsUndefinedAndEretClearsTheMonitor() {
        TestRig r = rig("eret");
        r.cpu.exclusiveAddr = 0x100;
        r.cpu.sysregs.spsr = 0x5;
        r.cpu.sysregs.elr = TestRig.RAM;
        step(r, 1);
        assertEquals(-1, r.cpu.exclusiveAddr);
        r.cpu.el = 0;
        r.cpu.setPc(TestRig.RAM);
        step(r, 1);
        assertEquals(VBAR + 0x400, r.cpu.pc);
        assertEquals(0x0200_0000L, r.cpu.sysregs.esr);
    }

    @Test
    void hintAndBarrierSpacesNeedOp1Three() {
        assertTrue(A64Decoder.decode(0xd503201f) != A64Decoder.UNDEFINED); // nop
        assertTrue(A64Decoder.decode(0xd503233f) != A64Decoder.UNDEFINED); // paciasp: a hint, NOP here
        assertTrue(A64Decoder.decode(0xd5033fdf) != A64Decoder.UNDEFINED); // isb
        assertEquals(A64Decoder.UNDEFINED, A64Decoder.decode(0xd500201f)); // op1 = 0, CRn = 2: unallocated
        assertEquals(A64Decoder.UNDEFINED, A64Decoder.decode(0xd50330ff)); // sb (ARMv8.5): not implemented
    }

    @Test
    void pcAlignmentFaultReportsFar() {
        TestRig r = rig("nop");
        r.cpu.setPc(TestRig.RAM + 2);
        step(r, 1);
        assertEquals(0x8a00_0000L, r.cpu.sysregs.esr); // EC 0x22
        assertEquals(TestRig.RAM + 2, r.cpu.sysregs.far);
    }

    @Test
    void branchToMisalignedTargetInTheSamePageFaults() {
        // the target is inside the block's page: the run loop must not execute the word at target & ~3
        TestRig r = rig("adr x4, 1f\norr x4, x4, #2\nblr x4\n1: mov x5, #1");
        r.run(4); // one block: adr, orr, blr, then the fault
        assertEquals(0x8a00_0000L, r.cpu.sysregs.esr); // EC 0x22, PC alignment
        assertEquals(TestRig.RAM + 14, r.cpu.sysregs.far);
        assertEquals(TestRig.RAM + 14, r.cpu.sysregs.elr);
        assertEquals(0, r.cpu.x[5]);
    }

    @Test
    void daifSetAtEl0WithoutUmaTrapsWithItsOwnOp1AndOp2() {
        // MSR DAIFSet is op0 0, op1 3, CRn 4, CRm = the immediate, op2 6; QEMU 7.2 reports op1 and op2 swapped
        TestRig r = rig("msr daifset, #2");
        r.cpu.el = 0;
        step(r, 1);
        assertEquals(VBAR + 0x400, r.cpu.pc);
        assertEquals(0x18L << 26 | 1L << 25 | 6 << 17 | 3 << 14 | 4 << 10 | 31 << 5 | 2 << 1, r.cpu.sysregs.esr);
    }
}
