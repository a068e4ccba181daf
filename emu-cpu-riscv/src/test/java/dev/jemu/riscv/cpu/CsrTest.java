package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** CSR instructions and WARL behaviour. */
class CsrTest {
    static final long CODE = RAM_BASE + 0x1000, USER = RAM_BASE + 0x2000;

    @Test
    void csrInstructionsReadModifyWrite() {
        Asm a = new Asm(CODE).li(A0, 0xf0).csrrw(A1, Csr.MSCRATCH, A0)   // a1 = 0, mscratch = f0
                .li(A0, 0x0f).csrrs(A2, Csr.MSCRATCH, A0)                  // a2 = f0, mscratch = ff
                .li(A0, 0x3c).csrrc(A3, Csr.MSCRATCH, A0)                  // a3 = ff, mscratch = c3
                .csrrwi(A4, Csr.MSCRATCH, 31)                               // a4 = c3, mscratch = 31
                .csrrsi(A5, Csr.MSCRATCH, 0)                                // read only
                .halt();
        TestRig rig = TrapTest.run(a);
        Hart h = rig.hart;
        assertEquals(0, h.reg(A1));
        assertEquals(0xf0, h.reg(A2));
        assertEquals(0xff, h.reg(A3));
        assertEquals(0xc3, h.reg(A4));
        assertEquals(31, h.reg(A5));
        assertEquals(31, h.csr(Csr.MSCRATCH));
    }

    @Test
    void misaAndIdentity() {
        TestRig rig = new TestRig();
        long misa = rig.hart.csr(Csr.MISA);
        assertEquals(2, misa >>> 62);
        StringBuilder ext = new StringBuilder();
        for (int i = 0; i < 26; i++) {
            if ((misa >>> i & 1) != 0) {
                ext.append((char) ('A' + i));
            }
        }
        assertEquals("ACDFIMSU", ext.toString());
        rig.hart.setCsr(Csr.MISA, 0);
        assertEquals(misa, rig.hart.csr(Csr.MISA));
        assertEquals(0, rig.hart.csr(Csr.MVENDORID));
        assertEquals(0, rig.hart.csr(Csr.MARCHID));
        assertEquals(0, rig.hart.csr(Csr.MIMPID));
        assertEquals(0, rig.hart.csr(Csr.MCONFIGPTR));
        Hart h3 = new Hart(3, rig.bus, rig.loop, rig.timebase);
        assertEquals(3, h3.csr(Csr.MHARTID));
        assertThrows(IllegalArgumentException.class, () -> rig.hart.csr(0x7c0));
    }

    @Test
    void mstatusWarl() {
        Hart h = new TestRig().hart;
        assertEquals(2L << 32 | 2L << 34, h.csr(Csr.MSTATUS) & (0xfL << 32), "UXL = SXL = 64");
        h.setCsr(Csr.MSTATUS, -1L);
        long s = h.csr(Csr.MSTATUS);
        assertEquals(Csr.MSTATUS_WRITABLE | Csr.MSTATUS_XL64 | Csr.MSTATUS_SD, s & ~0L);
        h.setCsr(Csr.MSTATUS, 1L << 11);
        h.setCsr(Csr.MSTATUS, 2L << 11); // MPP = 2 is not a mode: keeps 1
        assertEquals(1, (h.csr(Csr.MSTATUS) >>> 11) & 3);
        // sstatus is a view of mstatus
        h.setCsr(Csr.MSTATUS, Csr.MSTATUS_MIE | Csr.MSTATUS_SIE | Csr.MSTATUS_SUM);
        assertEquals(Csr.MSTATUS_SIE | Csr.MSTATUS_SUM | 2L << 32, h.csr(Csr.SSTATUS));
        h.setCsr(Csr.SSTATUS, Csr.MSTATUS_MXR);
        assertEquals(Csr.MSTATUS_MIE | Csr.MSTATUS_MXR, h.csr(Csr.MSTATUS) & 0xffff_ffffL);
        // SD summarises FS = dirty
        h.setCsr(Csr.MSTATUS, 3L << 13);
        assertTrue(h.csr(Csr.MSTATUS) < 0);
        assertTrue(h.csr(Csr.SSTATUS) < 0);
    }

    @Test
    void tvecDelegAndInterruptMasks() {
        Hart h = new TestRig().hart;
        h.setCsr(Csr.MTVEC, 0x80001001L);
        assertEquals(0x80001001L, h.csr(Csr.MTVEC));
        h.setCsr(Csr.MTVEC, 0x80002002L); // reserved mode: ignored
        assertEquals(0x80001001L, h.csr(Csr.MTVEC));
        h.setCsr(Csr.MEDELEG, -1L);
        assertEquals(0xb3ffL, h.csr(Csr.MEDELEG));
        h.setCsr(Csr.MIDELEG, -1L);
        assertEquals(Csr.S_INTERRUPTS, h.csr(Csr.MIDELEG));
        h.setCsr(Csr.MIE, -1L);
        assertEquals(0xaaa, h.csr(Csr.MIE));
        assertEquals(0x222, h.csr(Csr.SIE));
        h.setCsr(Csr.MIDELEG, Csr.MIP_STIP);
        h.setCsr(Csr.SIE, 0);
        assertEquals(0xaaa & ~0x20, h.csr(Csr.MIE), "sie writes only delegated bits");
        h.setCsr(Csr.MIP, -1L);
        assertEquals(Csr.MIP_SSIP | Csr.MIP_STIP | Csr.MIP_SEIP, h.csr(Csr.MIP), "device bits are read-only");
        h.setCsr(Csr.MEPC, 0x80000003L);
        assertEquals(0x80000002L, h.csr(Csr.MEPC));
        h.setCsr(Csr.MCOUNTINHIBIT, -1L);
        assertEquals(0xffff_fffdL, h.csr(Csr.MCOUNTINHIBIT));
        h.setCsr(Csr.MENVCFG, -1L);
        assertEquals(Csr.MENVCFG_STCE | Csr.MENVCFG_FIOM, h.csr(Csr.MENVCFG));
        assertEquals(0, h.csr(Csr.MHPMCOUNTER3));
        h.setCsr(Csr.MHPMEVENT3 + 4, 5);
        assertEquals(0, h.csr(Csr.MHPMEVENT3 + 4));
    }

    @Test
    void satpIgnoresUnsupportedModes() {
        Hart h = new TestRig().hart;
        long sv39 = 8L << 60 | 0x1234L << 44 | 0x80123L;
        h.setCsr(Csr.SATP, sv39);
        assertEquals(sv39, h.csr(Csr.SATP));
        h.setCsr(Csr.SATP, 11L << 60 | 5); // Sv64 is not supported: unchanged
        assertEquals(sv39, h.csr(Csr.SATP));
        h.setCsr(Csr.SATP, 9L << 60 | 7);
        assertEquals(9L << 60 | 7, h.csr(Csr.SATP));
        h.setCsr(Csr.SATP, 10L << 60 | 7);
        assertEquals(10L << 60 | 7, h.csr(Csr.SATP));
        h.setCsr(Csr.SATP, 0);
        assertEquals(0, h.csr(Csr.SATP));
    }

    @Test
    void pmpRegistersOnRv64() {
        TestRig rig = new TestRig();
        Hart h = rig.hart;
        h.setCsr(Csr.PMPADDR0 + 15, -1L);
        assertEquals((1L << 54) - 1, h.csr(Csr.PMPADDR0 + 15));
        h.setCsr(Csr.PMPADDR0 + 16, -1L);
        assertEquals(0, h.csr(Csr.PMPADDR0 + 16), "entries above 15 are hard-wired to zero");
        assertEquals(0, h.csr(Csr.PMPADDR63));
        h.setCsr(Csr.PMPCFG0 + 2, 0x1f1f);
        assertEquals(0x1f1f, h.csr(Csr.PMPCFG0 + 2));
        h.setCsr(Csr.PMPCFG0, 0x02); // W without R: W dropped
        assertEquals(0, h.csr(Csr.PMPCFG0));
        // odd pmpcfg do not exist on RV64
        TestRig t = TrapTest.run(new Asm(CODE).csrr(A0, Csr.PMPCFG0 + 1));
        assertEquals(M_HANDLER, t.hart.pc());
        assertEquals(Trap.ILLEGAL_INSN, t.hart.csr(Csr.MCAUSE));
        assertEquals(0, new TestRig().hart.csr(Csr.PMPCFG0 + 14));
    }

    @Test
    void countersAndTheirEnables() {
        // M reads instret; S needs mcounteren.IR; U needs scounteren too
        TestRig rig = TrapTest.run(new Asm(CODE).addi(A0, ZERO, 1).addi(A0, ZERO, 1).csrr(A1, Csr.INSTRET)
                .csrr(A2, Csr.MINSTRET).csrr(A3, Csr.CYCLE).csrr(A4, Csr.TIME).halt());
        Hart h = rig.hart;
        assertEquals(2, h.reg(A1), "two instructions retired before the read");
        assertEquals(3, h.reg(A2));
        assertTrue(h.reg(A3) >= 4);
        // S without mcounteren
        TestRig s = TrapTest.run(new Asm(CODE).enter(1, USER), new Asm(USER).csrr(A0, Csr.CYCLE));
        assertEquals(Trap.ILLEGAL_INSN, s.hart.csr(Csr.MCAUSE));
        assertEquals(USER, s.hart.csr(Csr.MEPC));
        // S with mcounteren.TM, U without scounteren
        TestRig ok = TrapTest.run(new Asm(CODE).li(T1, 7).csrw(Csr.MCOUNTEREN, T1).enter(1, USER),
                new Asm(USER).csrr(A0, Csr.TIME).csrr(A1, Csr.INSTRET).ecall());
        assertEquals(Trap.ECALL_S, ok.hart.csr(Csr.MCAUSE));
        TestRig u = TrapTest.run(new Asm(CODE).li(T1, 7).csrw(Csr.MCOUNTEREN, T1).enter(0, USER),
                new Asm(USER).csrr(A0, Csr.TIME));
        assertEquals(Trap.ILLEGAL_INSN, u.hart.csr(Csr.MCAUSE));
        TestRig u2 = TrapTest.run(new Asm(CODE).li(T1, 7).csrw(Csr.MCOUNTEREN, T1).csrw(Csr.SCOUNTEREN, T1)
                .enter(0, USER), new Asm(USER).csrr(A0, Csr.TIME).ecall());
        assertEquals(Trap.ECALL_U, u2.hart.csr(Csr.MCAUSE));
    }

    @Test
    void minstretIsWritableAndInhibitable() {
        Hart h = new TestRig().hart;
        h.setCsr(Csr.MINSTRET, 1000);
        assertEquals(1000, h.csr(Csr.MINSTRET));
        h.setCsr(Csr.MCOUNTINHIBIT, 4);
        TestRig rig = new TestRig();
        rig.hart.setCsr(Csr.MCOUNTINHIBIT, 4);
        rig.hart.setCsr(Csr.MINSTRET, 50);
        rig.load(new Asm(RAM_BASE).addi(A0, A0, 1).addi(A0, A0, 1).halt());
        rig.run(100);
        assertEquals(50, rig.hart.csr(Csr.MINSTRET), "inhibited");
        assertTrue(rig.hart.csr(Csr.MCYCLE) > 2, "cycle still counts");
    }

    @Test
    void fpCsrsNeedFsOn() {
        TestRig off = TrapTest.run(new Asm(CODE).csrr(A0, Csr.FCSR));
        assertEquals(Trap.ILLEGAL_INSN, off.hart.csr(Csr.MCAUSE));
        TestRig on = TrapTest.run(new Asm(CODE).li(T1, 1L << 13).csrrs(ZERO, Csr.MSTATUS, T1)
                .li(A0, 0xff).csrw(Csr.FCSR, A0).csrr(A1, Csr.FFLAGS).csrr(A2, Csr.FRM).halt());
        assertEquals(0x1f, on.hart.reg(A1));
        assertEquals(7, on.hart.reg(A2));
        assertEquals(3, (on.hart.csr(Csr.MSTATUS) >>> 13) & 3, "CSR write makes FS dirty");
    }
}
