package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** PMP matching, permissions and locking, unit-level and through the hart. */
class PmpTest {
    static final int RWX = Pmp.R | Pmp.W | Pmp.X;

    static int cfg(int mode, int perms) {
        return mode << Pmp.A_SHIFT | perms;
    }

    @Test
    void noEntriesMeansMachineOnly() {
        Pmp p = new Pmp();
        p.reset();
        assertTrue(p.check(0x8000_0000L, 8, Pmp.R, 3));
        assertFalse(p.check(0x8000_0000L, 8, Pmp.R, 1));
        assertFalse(p.check(0x8000_0000L, 8, Pmp.R, 0));
    }

    @Test
    void torNa4Napot() {
        Pmp p = new Pmp();
        p.reset();
        p.writeAddr(0, 0x8000_0000L >>> 2);
        p.writeAddr(1, 0x8000_1000L >>> 2);                       // TOR [0x80000000, 0x80001000)
        p.writeAddr(2, 0x9000_0000L >>> 2);                       // NA4 at 0x90000000
        p.writeAddr(3, (0xa000_0000L >>> 2) | (0x10000 >>> 3) - 1); // NAPOT 64 KiB at 0xa0000000
        p.writeCfg(0, (long) cfg(Pmp.TOR, Pmp.R) << 8 | (long) cfg(Pmp.NA4, Pmp.W | Pmp.R) << 16
                | (long) cfg(Pmp.NAPOT, Pmp.X) << 24);
        assertTrue(p.check(0x8000_0000L, 8, Pmp.R, 1));
        assertFalse(p.check(0x8000_0000L, 8, Pmp.W, 1));
        assertTrue(p.check(0x8000_0ff8L, 8, Pmp.R, 0));
        assertFalse(p.check(0x8000_0ffcL, 8, Pmp.R, 0), "straddles the end of the entry");
        assertFalse(p.check(0x8000_1000L, 4, Pmp.R, 1));
        assertTrue(p.check(0x9000_0000L, 4, Pmp.W, 1));
        assertFalse(p.check(0x9000_0004L, 4, Pmp.W, 1));
        assertFalse(p.check(0x9000_0000L, 8, Pmp.W, 1), "NA4 covers 4 bytes only");
        assertTrue(p.check(0xa000_fffcL, 4, Pmp.X, 1));
        assertFalse(p.check(0xa001_0000L, 4, Pmp.X, 1));
        assertFalse(p.check(0xa000_0000L, 4, Pmp.R, 1));
        // M-mode ignores unlocked entries
        assertTrue(p.check(0xa000_0000L, 4, Pmp.W, 3));
        // page uniformity for the TLB
        assertEquals(Pmp.R, p.pagePermissions(0x8000_0000L, 1));
        assertEquals(-1, p.pagePermissions(0x9000_0000L, 1));
        assertEquals(Pmp.X, p.pagePermissions(0xa000_1000L, 1));
        assertEquals(0, p.pagePermissions(0xb000_0000L, 1));
        assertEquals(RWX, p.pagePermissions(0xb000_0000L, 3));
    }

    @Test
    void lowestNumberedMatchWins() {
        Pmp p = new Pmp();
        p.reset();
        p.writeAddr(0, (0x8000_0000L >>> 2) | (0x1000 >>> 3) - 1); // NAPOT 4 KiB, no permissions
        p.writeAddr(1, -1L);                                       // NAPOT everything, RWX
        p.writeCfg(0, cfg(Pmp.NAPOT, 0) | (long) cfg(Pmp.NAPOT, RWX) << 8);
        assertFalse(p.check(0x8000_0010L, 4, Pmp.R, 1));
        assertTrue(p.check(0x8000_1010L, 4, Pmp.R, 1));
    }

    @Test
    void lockedEntriesBindMachineModeAndIgnoreWrites() {
        Pmp p = new Pmp();
        p.reset();
        p.writeAddr(0, (0x8000_0000L >>> 2) | (0x1000 >>> 3) - 1);
        p.writeCfg(0, cfg(Pmp.NAPOT, Pmp.R) | Pmp.L);
        assertFalse(p.check(0x8000_0000L, 4, Pmp.W, 3), "locked: M-mode is checked too");
        assertTrue(p.check(0x8000_0000L, 4, Pmp.R, 3));
        p.writeCfg(0, cfg(Pmp.NAPOT, RWX));
        p.writeAddr(0, 0);
        assertEquals(cfg(Pmp.NAPOT, Pmp.R) | Pmp.L, p.readCfg(0) & 0xff, "locked cfg unchanged");
        assertEquals((0x8000_0000L >>> 2) | (0x1000 >>> 3) - 1, p.readAddr(0), "locked addr unchanged");
        // a locked TOR entry also locks the previous pmpaddr
        Pmp q = new Pmp();
        q.reset();
        q.writeAddr(0, 0x100);
        q.writeAddr(1, 0x200);
        q.writeCfg(0, (long) (cfg(Pmp.TOR, Pmp.R) | Pmp.L) << 8);
        q.writeAddr(0, 0x150);
        assertEquals(0x100, q.readAddr(0));
    }

    @Test
    void hartRaisesAccessFaultsFromPmp() {
        TestRig rig = new TestRig().handlers();
        long code = RAM_BASE + 0x1000, user = RAM_BASE + 0x2000, secret = RAM_BASE + 0x3000;
        Hart h = rig.hart;
        // entry 0: the secret page, no access; entry 1: all memory RWX
        h.setCsr(Csr.PMPADDR0, (secret >>> 2) | (0x1000 >>> 3) - 1);
        h.setCsr(Csr.PMPADDR0 + 1, -1L);
        h.setCsr(Csr.PMPCFG0, cfg(Pmp.NAPOT, 0) | (long) cfg(Pmp.NAPOT, RWX) << 8);
        rig.load(new Asm(code).enter(1, user));
        rig.load(new Asm(user).li(A0, secret).ld(A1, A0, 0).ecall());
        h.setPc(code);
        rig.run(1000);
        assertEquals(M_HANDLER, h.pc());
        assertEquals(Trap.LOAD_ACCESS, h.csr(Csr.MCAUSE));
        assertEquals(secret, h.csr(Csr.MTVAL));
    }

    @Test
    void pmpChangeIsSeenDespiteTlb() {
        TestRig rig = new TestRig().handlers().openPmp();
        long code = RAM_BASE + 0x1000, data = RAM_BASE + 0x3000;
        Hart h = rig.hart;
        Asm a = new Asm(code).li(A0, data);
        long ldAt = a.here();
        a.ld(A1, A0, 0);
        long haltAt = a.here();
        rig.load(a.halt());
        h.setPrivilege(1);
        h.setPc(code);
        rig.run(1000);
        assertEquals(haltAt, h.pc());
        // now forbid the data page and run the load again (its page is in the TLB)
        h.setCsr(Csr.PMPADDR0 + 1, -1L);
        h.setCsr(Csr.PMPCFG0, cfg(Pmp.NAPOT, RWX) << 8 | cfg(Pmp.NAPOT, Pmp.X));
        h.setCsr(Csr.PMPADDR0, (data >>> 2) | (0x1000 >>> 3) - 1);
        h.setCsr(Csr.PMPCFG0, cfg(Pmp.NAPOT, RWX) << 8 | cfg(Pmp.NAPOT, Pmp.X));
        h.setPc(ldAt);
        rig.run(1000);
        assertEquals(M_HANDLER, h.pc());
        assertEquals(Trap.LOAD_ACCESS, h.csr(Csr.MCAUSE));
    }

    @Test
    void partialEntryInAPageKeepsEveryAccessChecked() {
        // an NA4 read-only word in an otherwise RWX page: after a permitted 4-byte read (which must not put
        // the page in the TLB), an 8-byte read overlapping the entry's end and a store to it must still fault
        TestRig rig = new TestRig().handlers();
        long code = RAM_BASE + 0x1000, word = RAM_BASE + 0x3000;
        Hart h = rig.hart;
        h.setCsr(Csr.PMPADDR0, word >>> 2);
        h.setCsr(Csr.PMPADDR0 + 1, -1L);
        h.setCsr(Csr.PMPCFG0, cfg(Pmp.NA4, Pmp.R) | (long) cfg(Pmp.NAPOT, RWX) << 8);
        Asm a = new Asm(code).li(A0, word).lw(A1, A0, 0);
        long ldAt = a.here();
        a.ld(A2, A0, 0).halt();
        rig.load(a);
        h.setPrivilege(1);
        h.setPc(code);
        rig.run(1000);
        assertEquals(M_HANDLER, h.pc());
        assertEquals(Trap.LOAD_ACCESS, h.csr(Csr.MCAUSE));
        assertEquals(ldAt, h.csr(Csr.MEPC));
        assertFalse(Pmp.allows(-1, Pmp.R));
    }

    @Test
    void pmpAppliesToInstructionFetchWithinAPage() {
        TestRig rig = new TestRig().handlers();
        long code = RAM_BASE + 0x1000;
        Hart h = rig.hart;
        // NA4 entry 0 forbids the third instruction; entry 1 allows everything
        h.setCsr(Csr.PMPADDR0, (code + 8) >>> 2);
        h.setCsr(Csr.PMPADDR0 + 1, -1L);
        h.setCsr(Csr.PMPCFG0, cfg(Pmp.NA4, Pmp.R) | (long) cfg(Pmp.NAPOT, RWX) << 8);
        rig.load(new Asm(code).addi(A0, ZERO, 1).addi(A1, ZERO, 2).addi(A2, ZERO, 3).halt());
        h.setPrivilege(1);
        h.setPc(code);
        rig.run(1000);
        assertEquals(M_HANDLER, h.pc());
        assertEquals(Trap.INSN_ACCESS, h.csr(Csr.MCAUSE));
        assertEquals(code + 8, h.csr(Csr.MEPC));
        assertEquals(2, h.reg(A1));
        assertEquals(0, h.reg(A2));
    }
}
