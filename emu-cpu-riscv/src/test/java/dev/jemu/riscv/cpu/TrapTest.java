package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Synchronous exceptions, delegation and privilege transitions. */
class TrapTest {
    static final long CODE = RAM_BASE + 0x1000, USER = RAM_BASE + 0x2000;

    /** Runs {@code main} at CODE in M-mode with halting trap handlers. */
    static TestRig run(Asm main, Asm... more) {
        TestRig rig = new TestRig().handlers().openPmp();
        rig.load(main);
        for (Asm a : more) {
            rig.load(a);
        }
        rig.hart.setPc(main.origin);
        rig.run(100_000);
        return rig;
    }

    static void assertMTrap(TestRig rig, long cause, long epc, long tval) {
        assertEquals(M_HANDLER, rig.hart.pc(), "not in the M handler");
        assertEquals(3, rig.hart.privilege());
        assertEquals(cause, rig.hart.csr(Csr.MCAUSE), "mcause");
        assertEquals(epc, rig.hart.csr(Csr.MEPC), "mepc");
        assertEquals(tval, rig.hart.csr(Csr.MTVAL), "mtval");
    }

    @Test
    void illegalInstructionReportsItsBits() {
        Asm a = new Asm(CODE).emit(0xffffffff);
        assertMTrap(run(a), Trap.ILLEGAL_INSN, CODE, 0xffffffffL);
        Asm c = new Asm(CODE).emit16(0x0000).emit16(0x0001);
        assertMTrap(run(c), Trap.ILLEGAL_INSN, CODE, 0);
        Asm csr = new Asm(CODE).csrr(A0, 0x7c0); // no such CSR
        assertMTrap(run(csr), Trap.ILLEGAL_INSN, CODE, Asm.i(0x7c0, 0, 2, A0, 0x73) & 0xffffffffL);
    }

    @Test
    void ecallAndEbreak() {
        assertMTrap(run(new Asm(CODE).ecall()), Trap.ECALL_M, CODE, 0);
        assertMTrap(run(new Asm(CODE).ebreak()), Trap.BREAKPOINT, CODE, 0);
        assertMTrap(run(new Asm(CODE).emit16(0x9002)), Trap.BREAKPOINT, CODE, 0); // c.ebreak
        TestRig u = run(new Asm(CODE).enter(0, USER), new Asm(USER).ecall());
        assertMTrap(u, Trap.ECALL_U, USER, 0);
        assertEquals(0, (u.hart.csr(Csr.MSTATUS) >>> 11) & 3, "MPP = U");
        TestRig s = run(new Asm(CODE).enter(1, USER), new Asm(USER).ecall());
        assertMTrap(s, Trap.ECALL_S, USER, 0);
        assertEquals(1, (s.hart.csr(Csr.MSTATUS) >>> 11) & 3, "MPP = S");
    }

    @Test
    void accessFaults() {
        assertMTrap(run(new Asm(CODE).li(A0, 0x40).ld(A1, A0, 0)), Trap.LOAD_ACCESS, CODE + 4, 0x40);
        assertMTrap(run(new Asm(CODE).li(A0, 0x40).sw(A1, A0, 0)), Trap.STORE_ACCESS, CODE + 4, 0x40);
        assertMTrap(run(new Asm(CODE).li(A0, 0x40).jalr(RA, A0, 0)), Trap.INSN_ACCESS, 0x40, 0x40);
        // MMIO is not executable
        assertMTrap(run(new Asm(CODE).li(A0, MMIO_BASE).jalr(RA, A0, 0)), Trap.INSN_ACCESS, MMIO_BASE, MMIO_BASE);
    }

    @Test
    void mmioLoadsAndStoresReachTheDevice() {
        TestRig rig = run(new Asm(CODE).li(A0, MMIO_BASE).li(A1, 0x1234).sd(A1, A0, 8).ld(A2, A0, 8)
                .lw(A3, A0, 8).ld(A4, A0, 8).halt());
        assertEquals(0x1234, rig.hart.reg(A2));
        assertEquals(0x1234, rig.hart.reg(A3));
        assertEquals(1, rig.mmioWrites);
        assertEquals(3, rig.mmioReads, "every MMIO access goes to the device");
    }

    @Test
    void delegatedExceptionGoesToSupervisor() {
        Asm main = new Asm(CODE).li(T1, 1L << Trap.ECALL_U).csrw(Csr.MEDELEG, T1).enter(0, USER);
        TestRig rig = run(main, new Asm(USER).addi(A0, ZERO, 7).ecall());
        Hart h = rig.hart;
        assertEquals(S_HANDLER, h.pc());
        assertEquals(1, h.privilege());
        assertEquals(Trap.ECALL_U, h.csr(Csr.SCAUSE));
        assertEquals(USER + 4, h.csr(Csr.SEPC));
        assertEquals(0, h.csr(Csr.SSTATUS) & Csr.MSTATUS_SPP, "SPP = U");
        assertEquals(7, h.reg(A0));
    }

    @Test
    void delegationNeverLowersPrivilege() {
        // an exception in M-mode goes to M even if delegated
        Asm main = new Asm(CODE).li(T1, 1L << Trap.BREAKPOINT).csrw(Csr.MEDELEG, T1).ebreak();
        long at = main.here() - 4;
        assertMTrap(run(main), Trap.BREAKPOINT, at, 0);
    }

    @Test
    void mretAndSretRestoreState() {
        // M -> S via mret (MPIE=1 -> MIE=1), S -> U via sret, U ecall -> M
        Asm main = new Asm(CODE).li(T1, Csr.MSTATUS_MPIE).csrrs(ZERO, Csr.MSTATUS, T1).enter(1, USER);
        Asm sup = new Asm(USER).li(T0, USER + 0x100).csrw(Csr.SEPC, T0).li(T0, Csr.MSTATUS_SPP | Csr.MSTATUS_SPIE)
                .csrrc(ZERO, Csr.SSTATUS, T0).sret();
        Asm usr = new Asm(USER + 0x100).ecall();
        TestRig rig = run(main, sup, usr);
        assertMTrap(rig, Trap.ECALL_U, USER + 0x100, 0);
        long ms = rig.hart.csr(Csr.MSTATUS);
        assertTrue((ms & Csr.MSTATUS_MPIE) != 0, "MIE was 1 before the trap (restored by mret)");
        assertTrue((ms & Csr.MSTATUS_SPIE) != 0, "sret sets SPIE");
    }

    @Test
    void mretClearsMprvWhenLeavingM() {
        Asm main = new Asm(CODE).li(T1, Csr.MSTATUS_MPRV).csrrs(ZERO, Csr.MSTATUS, T1).enter(1, USER);
        TestRig rig = run(main, new Asm(USER).ecall());
        assertEquals(0, rig.hart.csr(Csr.MSTATUS) & Csr.MSTATUS_MPRV);
    }

    @Test
    void trapVirtualMemoryAndTimeoutWaitAndSretTraps() {
        long tsr = Csr.MSTATUS_TSR, tw = Csr.MSTATUS_TW, tvm = Csr.MSTATUS_TVM;
        int sretBits = 0x10200073, wfiBits = 0x10500073, sfence = 0x12000073;
        Object[][] cases = {
            {tsr, new Asm(USER).sret(), sretBits},
            {tw, new Asm(USER).wfi(), wfiBits},
            {tvm, new Asm(USER).sfenceVma(), sfence},
            {tvm, new Asm(USER).csrr(A0, Csr.SATP), Asm.i(Csr.SATP, 0, 2, A0, 0x73)},
        };
        for (Object[] c : cases) {
            Asm main = new Asm(CODE).li(T1, (Long) c[0]).csrrs(ZERO, Csr.MSTATUS, T1).enter(1, USER);
            assertMTrap(run(main, (Asm) c[1]), Trap.ILLEGAL_INSN, USER, ((Integer) c[2]) & 0xffffffffL);
        }
        // without the trap bits, S may use them (satp read works)
        TestRig ok = run(new Asm(CODE).enter(1, USER), new Asm(USER).csrr(A0, Csr.SATP).ecall());
        assertMTrap(ok, Trap.ECALL_S, USER + 4, 0);
    }

    @Test
    void privilegedCsrsAndInstructionsFromLowerModes() {
        // U reading sstatus, S reading mstatus, S executing mret, U executing wfi
        Object[][] cases = {
            {0, new Asm(USER).csrr(A0, Csr.SSTATUS)},
            {1, new Asm(USER).csrr(A0, Csr.MSTATUS)},
            {1, new Asm(USER).mret()},
            {0, new Asm(USER).wfi()},
            {0, new Asm(USER).sret()},
        };
        for (Object[] c : cases) {
            TestRig rig = run(new Asm(CODE).enter((Integer) c[0], USER), (Asm) c[1]);
            assertEquals(M_HANDLER, rig.hart.pc());
            assertEquals(Trap.ILLEGAL_INSN, rig.hart.csr(Csr.MCAUSE));
            assertEquals((long) (Integer) c[0], (rig.hart.csr(Csr.MSTATUS) >>> 11) & 3);
        }
    }

    @Test
    void writingReadOnlyCsrIsIllegalButReadingWorks() {
        assertMTrap(run(new Asm(CODE).csrw(Csr.MHARTID, A0)), Trap.ILLEGAL_INSN, CODE,
                Asm.i(Csr.MHARTID, A0, 1, 0, 0x73) & 0xffffffffL);
        TestRig rig = run(new Asm(CODE).li(A0, 99).csrr(A0, Csr.MHARTID).csrrs(A1, Csr.MHARTID, ZERO).halt());
        assertFalse(rig.hart.pc() == M_HANDLER);
        assertEquals(0, rig.hart.reg(A0));
    }

    @Test
    void vectoredInterruptsButNotExceptions() {
        // exceptions use the base even in vectored mode
        TestRig rig = new TestRig().openPmp();
        rig.load(new Asm(M_HANDLER).halt());
        rig.hart.setCsr(Csr.MTVEC, M_HANDLER | 1);
        rig.load(new Asm(CODE).ecall());
        rig.hart.setPc(CODE);
        rig.run(1000);
        assertEquals(M_HANDLER, rig.hart.pc());
    }

    @Test
    void guestCannotCrashTheEmulatorWithGarbage() {
        TestRig rig = new TestRig().handlers();
        java.util.Random r = new java.util.Random(42);
        byte[] junk = new byte[8192];
        r.nextBytes(junk);
        rig.bus.load(CODE, junk);
        for (int i = 0; i < 200; i++) {
            rig.hart.setPc(CODE + 2L * r.nextInt(4096));
            rig.hart.setPrivilege(r.nextInt(2) == 0 ? 3 : 1);
            rig.hart.run(50); // must return normally whatever the bytes are
        }
    }

    /**
     * Found by the device fuzzer (issue 14): a guest trapping forever retired nothing, so run() never returned
     * and the machine loop froze (no posted work, timers or quit). A trap storm must end the run at the
     * budget, and at once when the loop wants attention.
     */
    @Test
    @org.junit.jupiter.api.Timeout(10) // before the fix, run() never returned
    void aTrapStormEndsTheRun() {
        long[][] cases = {{0, Trap.INSN_ACCESS}, {TestRig.RAM_BASE + 0x1000, Trap.ILLEGAL_INSN}}; // unmapped; zeros
        for (long[] c : cases) {
            long mtvec = c[0];
            TestRig rig = new TestRig();
            rig.hart.setCsr(Csr.MTVEC, mtvec);
            rig.hart.setPc(mtvec);
            assertEquals(0, rig.hart.run(1000));
            rig.loop.post(() -> { });
            assertEquals(0, rig.hart.run(Long.MAX_VALUE)); // returns: the loop has work
            assertEquals(c[1], rig.hart.csr(Csr.MCAUSE));
        }
    }

    /**
     * While an S-mode ECALL is in the built-in firmware, the hart's state is the one before the ECALL (pc on it,
     * a0 the argument): a call that waits for other harts waits at a safepoint, where a snapshot may save the
     * hart, and the restored hart makes the call again instead of going on with a0 still the argument. After
     * the call pc is past it, unless the call chose where the hart goes on.
     */
    @Test
    void duringAnSbiCallTheHartIsStillBeforeItsEcall() {
        long sup = RAM_BASE + 0x1000, resume = RAM_BASE + 0x3000;
        TestRig rig = new TestRig().handlers().openPmp();
        Hart h = rig.hart;
        rig.load(new Asm(RAM_BASE + 0x800).enter(1, sup));
        rig.load(new Asm(sup).li(A0, 7).ecall().addi(A2, A0, 0).li(A0, 9).ecall().halt());
        rig.load(new Asm(resume).halt());
        long[] seen = new long[4];
        int[] calls = {0};
        h.setEcallHandler(hart -> {
            int k = calls[0]++;
            seen[2 * k] = hart.pc();
            seen[2 * k + 1] = hart.reg(A0);
            hart.setReg(A0, 100 + k);
            if (k == 1) {
                hart.setPc(resume); // e.g. a non-retentive suspend's resume address
            }
            return true;
        });
        h.setPc(RAM_BASE + 0x800);
        rig.run(1000);
        long ecall1 = sup + 4; // after li a0, 7 (one addi)
        assertEquals(2, calls[0]);
        assertEquals(ecall1, seen[0], "pc on the ECALL during the call");
        assertEquals(7, seen[1], "a0 still the argument");
        assertEquals(100, h.reg(A2), "the result, and execution went on after the ECALL");
        assertEquals(resume, h.pc(), "the second call chose where the hart goes on");
        assertEquals(101, h.reg(A0));
    }
}
