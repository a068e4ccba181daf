package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The hart's side of F/D: FS state, NaN boxing, moves, sign injection, loads/stores, rounding-mode checks. */
class FloatTest {
    static final long CODE = RAM_BASE + 0x1000, DATA = RAM_BASE + 0x3000;
    static final long FS_INITIAL = 1L << 13;

    static int fp(int f7, int rs2, int rs1, int f3, int rd) {
        return Asm.r(f7, rs2, rs1, f3, rd, 0x53);
    }

    static TestRig run(long mstatus, Asm a) {
        TestRig rig = new TestRig().handlers();
        rig.hart.setCsr(Csr.MSTATUS, mstatus);
        rig.load(a);
        rig.hart.setPc(a.origin);
        rig.run(10_000);
        return rig;
    }

    @Test
    void everyFpInstructionIsIllegalWhenFsIsOff() {
        int[] insns = {Asm.i(0, A0, 3, 1, 0x07), fp(0x78, 0, A0, 0, 1), fp(0x11, 2, 1, 0, 3), 0x2008 /* c.fld */};
        for (int insn : insns) {
            Asm a = new Asm(CODE).li(A0, DATA);
            long at = a.here();
            if ((insn & 3) == 3) {
                a.emit(insn);
            } else {
                a.emit16(insn);
            }
            TestRig rig = run(0, a.halt());
            assertEquals(M_HANDLER, rig.hart.pc(), Integer.toHexString(insn));
            assertEquals(Trap.ILLEGAL_INSN, rig.hart.csr(Csr.MCAUSE));
            assertEquals(at, rig.hart.csr(Csr.MEPC));
            assertEquals(insn & ((insn & 3) == 3 ? 0xffffffffL : 0xffffL), rig.hart.csr(Csr.MTVAL));
        }
    }

    @Test
    void loadsStoresAndBoxing() {
        TestRig rig = new TestRig().handlers();
        rig.write64(DATA, 0x1122334455667788L);
        Asm a = new Asm(CODE).li(A0, DATA)
                .emit(Asm.i(0, A0, 3, 1, 0x07))       // fld f1, 0(a0)
                .emit(Asm.i(0, A0, 2, 2, 0x07))       // flw f2, 0(a0)
                .emit(Asm.s(8, 1, A0, 3, 0x27))       // fsd f1, 8(a0)
                .emit(Asm.s(16, 2, A0, 2, 0x27))      // fsw f2, 16(a0)
                .emit(fp(0x70, 0, 2, 0, A1))          // fmv.x.w a1, f2 (sign-extends)
                .emit(fp(0x71, 0, 1, 0, A2))          // fmv.x.d a2, f1
                .li(T1, 0x3f800000).emit(fp(0x78, 0, T1, 0, 3)) // fmv.w.x f3, t1
                .halt();
        rig.hart.setCsr(Csr.MSTATUS, FS_INITIAL);
        rig.load(a);
        rig.hart.setPc(CODE);
        rig.run(1000);
        Hart h = rig.hart;
        assertEquals(0x1122334455667788L, h.fpr(1));
        assertEquals(0xffffffff55667788L, h.fpr(2), "flw NaN-boxes");
        assertEquals(0x1122334455667788L, rig.read64(DATA + 8));
        assertEquals(0x55667788L, rig.read64(DATA + 16) & 0xffffffffL);
        assertEquals(0x55667788L, h.reg(A1));
        assertEquals(0x1122334455667788L, h.reg(A2));
        assertEquals(0xffffffff3f800000L, h.fpr(3));
        assertEquals(3, (h.csr(Csr.MSTATUS) >>> 13) & 3, "FS dirty");
        // fmv.x.w of a negative single sign-extends
        TestRig r2 = run(FS_INITIAL, new Asm(CODE).li(T1, 0xbf800000L).emit(fp(0x78, 0, T1, 0, 4))
                .emit(fp(0x70, 0, 4, 0, A3)).halt());
        assertEquals(0xffffffffbf800000L, r2.hart.reg(A3));
    }

    @Test
    void signInjection() {
        TestRig rig = new TestRig().handlers();
        Hart h = rig.hart;
        h.setCsr(Csr.MSTATUS, FS_INITIAL);
        h.setFpr(1, 0xffffffff3f800000L);   // 1.0f
        h.setFpr(2, 0xffffffffbf800000L);   // -1.0f
        h.setFpr(3, 0x000000003f800000L);   // improperly boxed: reads as canonical NaN
        h.setFpr(4, 0x3ff0000000000000L);   // 1.0
        h.setFpr(5, 0x8000000000000000L);   // -0.0
        rig.load(new Asm(CODE)
                .emit(fp(0x10, 2, 1, 0, 10))   // fsgnj.s f10, f1, f2  -> -1
                .emit(fp(0x10, 2, 2, 1, 11))   // fsgnjn.s f11, f2, f2 -> +1
                .emit(fp(0x10, 2, 2, 2, 12))   // fsgnjx.s f12, f2, f2 -> +1
                .emit(fp(0x10, 3, 3, 0, 13))   // fsgnj.s f13, f3, f3 -> canonical NaN
                .emit(fp(0x11, 5, 4, 0, 14))   // fsgnj.d f14, f4, f5  -> -1.0
                .emit(fp(0x11, 5, 4, 2, 15))   // fsgnjx.d -> -1.0
                .emit(fp(0x11, 4, 5, 1, 16))   // fsgnjn.d f16, f5, f4 -> -0.0
                .halt());
        h.setPc(CODE);
        rig.run(1000);
        assertEquals(0xffffffffbf800000L, h.fpr(10));
        assertEquals(0xffffffff3f800000L, h.fpr(11));
        assertEquals(0xffffffff3f800000L, h.fpr(12));
        assertEquals(0xffffffff7fc00000L, h.fpr(13));
        assertEquals(0xbff0000000000000L, h.fpr(14));
        assertEquals(0xbff0000000000000L, h.fpr(15));
        assertEquals(0x8000000000000000L, h.fpr(16));
    }

    @Test
    void reservedRoundingModesAreIllegal() {
        // static rm = 5
        TestRig a = run(FS_INITIAL, new Asm(CODE).emit(fp(0x00, 2, 1, 5, 3)).halt());
        assertEquals(Trap.ILLEGAL_INSN, a.hart.csr(Csr.MCAUSE));
        assertEquals(CODE, a.hart.csr(Csr.MEPC));
        // dynamic rm with frm = 6
        TestRig b = run(FS_INITIAL, new Asm(CODE).csrrwi(ZERO, Csr.FRM, 6).emit(fp(0x01, 2, 1, 7, 3)).halt());
        assertEquals(Trap.ILLEGAL_INSN, b.hart.csr(Csr.MCAUSE));
        assertEquals(CODE + 4, b.hart.csr(Csr.MEPC));
        // conversions check rm too (fcvt.d.s with rm = 6)
        TestRig c = run(FS_INITIAL, new Asm(CODE).emit(fp(0x21, 0, 1, 6, 3)).halt());
        assertEquals(Trap.ILLEGAL_INSN, c.hart.csr(Csr.MCAUSE));
    }

    @Test
    void compressedFloatLoadStore() {
        TestRig rig = new TestRig().handlers();
        rig.write64(DATA + 8, 0x4000000000000000L);
        rig.hart.setCsr(Csr.MSTATUS, FS_INITIAL);
        rig.load(new Asm(CODE).li(S0, DATA).emit16(0x2404) /* c.fld fs1, 8(s0) */
                .emit16(0xa804) /* c.fsd fs1, 16(s0) */.halt());
        rig.hart.setPc(CODE);
        rig.run(1000);
        assertEquals(0x4000000000000000L, rig.hart.fpr(9));
        assertEquals(0x4000000000000000L, rig.read64(DATA + 16));
    }
}
