package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Interrupt priority, enables and delegation, vectored mode, WFI and Sstc. */
class InterruptTest {
    static final long CODE = RAM_BASE + 0x1000, SUP = RAM_BASE + 0x2000;
    static final long INT = Trap.INTERRUPT;

    static TestRig rig() {
        return new TestRig().handlers().openPmp();
    }

    @Test
    void priorityOrderMeiMsiMtiSeiSsiSti() {
        int[] order = {Csr.IRQ_MEI, Csr.IRQ_MSI, Csr.IRQ_MTI, Csr.IRQ_SEI, Csr.IRQ_SSI, Csr.IRQ_STI};
        for (int k = 0; k < order.length; k++) {
            TestRig rig = rig();
            Hart h = rig.hart;
            rig.load(new Asm(CODE).addi(A0, A0, 1).halt());
            h.setPc(CODE);
            h.setCsr(Csr.MIE, Csr.ALL_INTERRUPTS);
            h.setCsr(Csr.MSTATUS, Csr.MSTATUS_MIE);
            long sw = 0;
            for (int j = k; j < order.length; j++) {
                int bit = order[j];
                if (bit == Csr.IRQ_SSI || bit == Csr.IRQ_STI) {
                    sw |= 1L << bit;
                } else {
                    h.setInterruptPending(bit, true);
                }
            }
            h.setCsr(Csr.MIP, sw);
            rig.run(100);
            assertEquals(INT | order[k], h.csr(Csr.MCAUSE), "highest pending of " + k + ".." + order.length);
            assertEquals(CODE, h.csr(Csr.MEPC), "taken before the first instruction");
        }
    }

    /**
     * csrs/csrc on mip write only the named bits: a pending external SEIP read back must not become the software
     * SEIP (OpenSBI sets SSIP this way on an IPI; a stuck software SEIP then starved every other S interrupt of an
     * SMP Linux guest).
     */
    @Test
    void csrSetAndClearOnMipLeaveTheExternalSeipAlone() {
        TestRig rig = rig();
        Hart h = rig.hart;
        rig.load(new Asm(CODE).li(T0, Csr.MIP_SSIP).csrrs(A0, Csr.MIP, T0).csrrc(A1, Csr.MIP, T0)
                .li(T1, Csr.MIP_STIP).csrrs(ZERO, Csr.MIP, T1).halt());
        h.setPc(CODE);
        h.setInterruptPending(Csr.IRQ_SEI, true); // the PLIC asserts SEIP meanwhile
        rig.run(100);
        assertEquals(Csr.MIP_SEIP, h.reg(A0), "the read shows the external line");
        assertEquals(Csr.MIP_SEIP | Csr.MIP_SSIP, h.reg(A1));
        h.setInterruptPending(Csr.IRQ_SEI, false); // the line drops: SEIP goes with it
        assertEquals(Csr.MIP_STIP, h.csr(Csr.MIP));
        // csrw writes the software SEIP as the spec says
        rig.load(new Asm(CODE + 0x100).li(T0, Csr.MIP_SEIP).csrrw(ZERO, Csr.MIP, T0).halt());
        h.setPc(CODE + 0x100);
        rig.run(100);
        assertEquals(Csr.MIP_SEIP, h.csr(Csr.MIP));
    }

    @Test
    void machineInterruptsNeedMieOnlyInMachineMode() {
        TestRig rig = rig();
        Hart h = rig.hart;
        rig.load(new Asm(CODE).addi(A0, A0, 1).halt());
        h.setPc(CODE);
        h.setCsr(Csr.MIE, Csr.MIP_MTIP);
        h.setInterruptPending(Csr.IRQ_MTI, true);
        rig.run(100);
        assertEquals(CODE + 4, h.pc(), "MIE = 0: not taken in M");
        // in S-mode an M-level interrupt is taken regardless of MIE
        TestRig r2 = rig();
        r2.load(new Asm(CODE).enter(1, SUP));
        r2.load(new Asm(SUP).addi(A0, A0, 1).halt());
        r2.hart.setPc(CODE);
        r2.hart.setCsr(Csr.MIE, Csr.MIP_MTIP);
        r2.hart.setInterruptPending(Csr.IRQ_MTI, true);
        r2.run(1000);
        assertEquals(M_HANDLER, r2.hart.pc());
        assertEquals(INT | Csr.IRQ_MTI, r2.hart.csr(Csr.MCAUSE));
        assertEquals(SUP, r2.hart.csr(Csr.MEPC));
        assertEquals(1, (r2.hart.csr(Csr.MSTATUS) >>> 11) & 3);
    }

    @Test
    void delegatedInterruptsGoToSupervisor() {
        TestRig rig = rig();
        Hart h = rig.hart;
        // S with SIE = 0: a delegated STI waits; after "csrsi sstatus, SIE" it is taken to S
        Asm sup = new Asm(SUP).addi(A0, ZERO, 1).csrrsi(ZERO, Csr.SSTATUS, 2).addi(A1, ZERO, 2).halt();
        rig.load(new Asm(CODE).enter(1, SUP));
        rig.load(sup);
        h.setPc(CODE);
        h.setCsr(Csr.MIDELEG, Csr.S_INTERRUPTS);
        h.setCsr(Csr.MIE, Csr.MIP_STIP);
        h.setCsr(Csr.MIP, Csr.MIP_STIP);
        rig.run(1000);
        assertEquals(S_HANDLER, h.pc());
        assertEquals(INT | Csr.IRQ_STI, h.csr(Csr.SCAUSE));
        assertEquals(SUP + 8, h.csr(Csr.SEPC), "taken right after the instruction that enabled it");
        assertEquals(1, h.reg(A0));
        assertEquals(0, h.reg(A1));
        assertTrue((h.csr(Csr.SSTATUS) & Csr.MSTATUS_SPIE) != 0);
        assertTrue((h.csr(Csr.SSTATUS) & Csr.MSTATUS_SPP) != 0);
    }

    @Test
    void delegatedInterruptIsMaskedInMachineMode() {
        TestRig rig = rig();
        Hart h = rig.hart;
        rig.load(new Asm(CODE).addi(A0, A0, 1).halt());
        h.setPc(CODE);
        h.setCsr(Csr.MSTATUS, Csr.MSTATUS_MIE | Csr.MSTATUS_SIE);
        h.setCsr(Csr.MIDELEG, Csr.S_INTERRUPTS);
        h.setCsr(Csr.MIE, Csr.MIP_SSIP);
        h.setCsr(Csr.MIP, Csr.MIP_SSIP);
        rig.run(100);
        assertEquals(CODE + 4, h.pc());
    }

    @Test
    void supervisorSoftwareInterruptFromSip() {
        TestRig rig = rig();
        Hart h = rig.hart;
        rig.load(new Asm(CODE).enter(1, SUP));
        rig.load(new Asm(SUP).csrrsi(ZERO, Csr.SSTATUS, 2).csrrsi(ZERO, Csr.SIP, 2).addi(A0, ZERO, 5).halt());
        h.setPc(CODE);
        h.setCsr(Csr.MIDELEG, Csr.S_INTERRUPTS);
        h.setCsr(Csr.MIE, Csr.MIP_SSIP);
        rig.run(1000);
        assertEquals(S_HANDLER, h.pc());
        assertEquals(INT | Csr.IRQ_SSI, h.csr(Csr.SCAUSE));
        assertEquals(0, h.reg(A0));
    }

    @Test
    void vectoredMode() {
        TestRig rig = rig();
        Hart h = rig.hart;
        long base = RAM_BASE + 0x400;
        rig.load(new Asm(base + 4 * Csr.IRQ_MEI).halt());
        rig.load(new Asm(CODE).addi(A0, A0, 1).halt());
        h.setCsr(Csr.MTVEC, base | 1);
        h.setCsr(Csr.MIE, Csr.MIP_MEIP);
        h.setCsr(Csr.MSTATUS, Csr.MSTATUS_MIE);
        h.setInterruptPending(Csr.IRQ_MEI, true);
        h.setPc(CODE);
        rig.run(100);
        assertEquals(base + 4 * Csr.IRQ_MEI, h.pc());
    }

    @Test
    void wfiHaltsUntilAnInterruptIsPending() {
        TestRig rig = rig();
        Hart h = rig.hart;
        rig.load(new Asm(CODE).wfi().addi(A0, ZERO, 7).halt());
        h.setPc(CODE);
        h.setCsr(Csr.MIE, Csr.MIP_MTIP); // enabled in mie but MIE = 0: wakes without trapping
        rig.run(100);
        assertTrue(h.isHalted());
        assertEquals(CODE + 4, h.pc());
        assertEquals(0, h.run(100), "a halted hart does nothing");
        h.setInterruptPending(Csr.IRQ_MTI, true);
        assertFalse(h.isHalted());
        rig.run(100);
        assertEquals(7, h.reg(A0));
        // a pending disabled-in-mie interrupt does not wake it
        TestRig r2 = rig();
        r2.load(new Asm(CODE).wfi().halt());
        r2.hart.setPc(CODE);
        r2.run(100);
        r2.hart.setInterruptPending(Csr.IRQ_MEI, true);
        assertTrue(r2.hart.isHalted());
    }

    @Test
    void wfiDoesNotHaltWhenSomethingIsPending() {
        TestRig rig = rig();
        Hart h = rig.hart;
        rig.load(new Asm(CODE).wfi().addi(A0, ZERO, 7).halt());
        h.setPc(CODE);
        h.setCsr(Csr.MIE, Csr.MIP_MSIP);
        h.setInterruptPending(Csr.IRQ_MSI, true);
        rig.run(100);
        assertFalse(h.isHalted());
        assertEquals(7, h.reg(A0));
    }

    @Test
    void sstcRaisesStipAtStimecmp() {
        TestRig rig = rig();
        Hart h = rig.hart;
        // 1 ns per instruction and 10 MHz: one tick per 100 instructions
        Asm sup = new Asm(SUP).csrrsi(ZERO, Csr.SSTATUS, 2);
        long loop = sup.here();
        sup.addi(A0, A0, 1).jal(ZERO, (int) (loop - sup.here()));
        rig.load(new Asm(CODE).enter(1, SUP));
        rig.load(sup);
        h.setPc(CODE);
        h.setCsr(Csr.MENVCFG, Csr.MENVCFG_STCE);
        h.setCsr(Csr.MCOUNTEREN, 2);
        h.setCsr(Csr.MIDELEG, Csr.S_INTERRUPTS);
        h.setCsr(Csr.MIE, Csr.MIP_STIP);
        h.setCsr(Csr.STIMECMP, 50); // tick 50 = 5000 ns
        assertEquals(0, h.csr(Csr.MIP) & Csr.MIP_STIP);
        h.setCsr(Csr.MIP, Csr.MIP_STIP); // not writable while Sstc drives it
        assertEquals(0, h.csr(Csr.MIP) & Csr.MIP_STIP);
        for (int i = 0; i < 20 && h.pc() != S_HANDLER; i++) {
            rig.runFor(1000);
        }
        assertEquals(S_HANDLER, h.pc());
        assertEquals(INT | Csr.IRQ_STI, h.csr(Csr.SCAUSE));
        assertTrue(rig.timebase.ticks() >= 50);
        assertTrue(rig.clock.nanos() < 7000, "fired near the deadline, not at the end: " + rig.clock.nanos());
        // moving stimecmp into the future clears STIP
        h.setCsr(Csr.STIMECMP, -1L);
        assertEquals(0, h.csr(Csr.MIP) & Csr.MIP_STIP);
    }

    @Test
    void stimecmpAccessFromSupervisorNeedsStceAndTm() {
        TestRig rig = rig();
        rig.load(new Asm(CODE).enter(1, SUP));
        rig.load(new Asm(SUP).csrr(A0, Csr.STIMECMP).ecall());
        rig.hart.setPc(CODE);
        rig.hart.setCsr(Csr.MCOUNTEREN, 2);
        rig.run(1000);
        assertEquals(Trap.ILLEGAL_INSN, rig.hart.csr(Csr.MCAUSE), "STCE = 0");
        TestRig ok = rig();
        ok.load(new Asm(CODE).enter(1, SUP));
        ok.load(new Asm(SUP).csrr(A0, Csr.STIMECMP).ecall());
        ok.hart.setPc(CODE);
        ok.hart.setCsr(Csr.MCOUNTEREN, 2);
        ok.hart.setCsr(Csr.MENVCFG, Csr.MENVCFG_STCE);
        ok.run(1000);
        assertEquals(Trap.ECALL_S, ok.hart.csr(Csr.MCAUSE));
        assertEquals(-1L, ok.hart.reg(A0));
    }

    @Test
    void ecallHandlerServesSupervisorCalls() {
        TestRig rig = rig();
        Hart h = rig.hart;
        h.setEcallHandler(hart -> {
            if (hart.reg(A7) != 0x10) {
                return false;
            }
            hart.setReg(A0, 0);
            hart.setReg(A1, 42);
            return true;
        });
        rig.load(new Asm(CODE).enter(1, SUP));
        rig.load(new Asm(SUP).li(A7, 0x10).ecall().addi(A2, A1, 1).li(A7, 0x99).ecall());
        h.setPc(CODE);
        rig.run(1000);
        assertEquals(43, h.reg(A2), "resumed after the served ecall");
        assertEquals(Trap.ECALL_S, h.csr(Csr.MCAUSE), "unserved call traps normally");
        assertEquals(M_HANDLER, h.pc());
    }
}
