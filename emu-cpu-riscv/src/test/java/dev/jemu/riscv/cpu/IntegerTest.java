package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** RV64I, M, Zba, Zbb and Zbs semantics, each run as a real instruction on a hart. */
class IntegerTest {
    /** Runs {@code insn} (rd = a2, rs1 = a0, rs2 = a1) with a0 = a, a1 = b; returns a2. */
    static long exec(long a, long b, int insn) {
        Asm p = new Asm(TestRig.RAM_BASE).li(A0, a).li(A1, b).emit(insn).halt();
        TestRig rig = TestRig.runM(p);
        assertEquals(p.here() - 4, rig.hart.pc(), "program did not reach its end");
        return rig.hart.reg(A2);
    }

    static int rr(int f7, int f3) {
        return Asm.r(f7, A1, A0, f3, A2, 0x33);
    }

    static int rr32(int f7, int f3) {
        return Asm.r(f7, A1, A0, f3, A2, 0x3b);
    }

    static int ri(int imm, int f3) {
        return Asm.i(imm, A0, f3, A2, 0x13);
    }

    static int ri32(int imm, int f3) {
        return Asm.i(imm, A0, f3, A2, 0x1b);
    }

    @Test
    void liHelperLoadsConstants() {
        for (long v : new long[] {0, 1, -1, 0x7ff, -2048, 0x12345678, 0x80000000L, 0xdeadbeefcafef00dL,
                Long.MIN_VALUE, Long.MAX_VALUE, 0xffff_ffffL}) {
            assertEquals(v, exec(v, 0, rr(0, 0)), Long.toHexString(v)); // add a2, a0, a1
        }
    }

    @Test
    void baseArithmetic() {
        assertEquals(-1, exec(1, 2, rr(0x20, 0)));                      // sub
        assertEquals(1L << 63, exec(1, 63 + 64, rr(0, 1)));              // sll uses 6 bits
        assertEquals(1, exec(-1, 0, rr(0, 2)));                          // slt
        assertEquals(0, exec(-1, 0, rr(0, 3)));                          // sltu
        assertEquals(0x7fffffffffffffffL, exec(-1, 1, rr(0, 5)));        // srl
        assertEquals(-1, exec(-2, 1, rr(0x20, 5)));                      // sra
        assertEquals(0xf0, exec(0xff, 0xf0, rr(0, 7)));                  // and
        assertEquals(1, exec(5, 0, ri(6, 2)));                           // slti
        assertEquals(1, exec(5, 0, ri(-1, 3)));                          // sltiu with -1 = max
        assertEquals(-6, exec(5, 0, ri(-1, 4)));                         // xori -1 = not
        assertEquals(0x8000000000000000L, exec(1, 0, ri(63, 1)));        // slli 63
        assertEquals(-1, exec(Long.MIN_VALUE, 0, ri(0x400 | 63, 5)));    // srai 63
    }

    @Test
    void wordOperationsSignExtend() {
        assertEquals(-0x80000000L, exec(0x7fffffff, 1, rr32(0, 0)));     // addw overflow
        assertEquals(0xffffffff80000000L, exec(1, 31, rr32(0, 1)));      // sllw
        assertEquals(0x7fffffffL, exec(0xffffffffL, 1, rr32(0, 5)));     // srlw on the low word
        assertEquals(-1, exec(0x80000000L, 31, rr32(0x20, 5)));          // sraw
        assertEquals(-1, exec(0xffffffffL, 0, ri32(0, 0)));              // addiw (sext.w)
        assertEquals(0x1, exec(0x80000000L, 0, ri32(31, 5)));            // srliw
        assertEquals(1, exec(0x1_0000_0002L, 1, rr32(0x20, 0)));         // subw ignores upper bits
    }

    @Test
    void multiplyAndDivide() {
        assertEquals(-6, exec(2, -3, rr(1, 0)));                                    // mul
        assertEquals(-1, exec(-1, 1, rr(1, 1)));                                    // mulh
        assertEquals(0, exec(-1, 1, rr(1, 3)));                                     // mulhu
        assertEquals(-1, exec(-1, 1, rr(1, 2)));                                    // mulhsu(-1, 1)
        assertEquals(-1, exec(-1, -1, rr(1, 2)));                                    // mulhsu(-1, 2^64-1) = -2^64+1
        assertEquals(-1, exec(-2, Long.MIN_VALUE, rr(1, 2)));                       // mulhsu(-2, 2^63) = -2^64
        assertEquals(0, exec(1, -1, rr(1, 2)));                                     // mulhsu(1, 2^64-1)
        assertEquals(-1, exec(7, 0, rr(1, 4)));                                     // div by zero
        assertEquals(-1, exec(7, 0, rr(1, 5)));                                     // divu by zero = max
        assertEquals(7, exec(7, 0, rr(1, 6)));                                      // rem by zero = dividend
        assertEquals(7, exec(7, 0, rr(1, 7)));                                      // remu by zero
        assertEquals(Long.MIN_VALUE, exec(Long.MIN_VALUE, -1, rr(1, 4)));           // div overflow
        assertEquals(0, exec(Long.MIN_VALUE, -1, rr(1, 6)));                        // rem overflow
        assertEquals(-2, exec(-7, 3, rr(1, 4)));                                    // div truncates
        assertEquals(-1, exec(-7, 3, rr(1, 6)));                                    // rem has dividend sign
        assertEquals(Integer.MIN_VALUE, exec(Integer.MIN_VALUE, -1, rr32(1, 4)));   // divw overflow
        assertEquals(0, exec(Integer.MIN_VALUE, -1, rr32(1, 6)));                   // remw overflow
        assertEquals(-1, exec(5, 0x1_0000_0000L, rr32(1, 5)));                      // divuw by (low) zero
        assertEquals(5, exec(5, 0x1_0000_0000L, rr32(1, 7)));                       // remuw by zero
        assertEquals(0x7fffffff, exec(0xfffffffeL, 2, rr32(1, 5)));                 // divuw unsigned
        assertEquals(-2, exec(0x7fffffff, 2, rr32(1, 0)));                          // mulw wraps
        assertEquals(15, exec(0x1_0000_0003L, 5, rr32(1, 0)));                      // mulw low words
    }

    @Test
    void zba() {
        assertEquals(0x13, exec(8, 3, rr(0x10, 2)));                                // sh1add
        assertEquals(0x23, exec(8, 3, rr(0x10, 4)));                                // sh2add
        assertEquals(0x43, exec(8, 3, rr(0x10, 6)));                                // sh3add
        assertEquals(0x1_0000_0000L, exec(0xffff_ffff_ffff_ffffL, 1, rr32(0x04, 0)));  // add.uw
        assertEquals(0x2_0000_0001L, exec(-1, 3, rr32(0x10, 2)) + 0);               // sh1add.uw
        assertEquals(0xffff_ffffL << 4, exec(-1, 0, ri32(0x080 | 4, 1)));           // slli.uw
    }

    @Test
    void zbb() {
        assertEquals(0x0f, exec(0xff, 0xf0, rr(0x20, 7)));                          // andn
        assertEquals(-1 & ~0xf0L | 0xff, exec(0xff, 0xf0, rr(0x20, 6)));            // orn
        assertEquals(~(0xffL ^ 0xf0), exec(0xff, 0xf0, rr(0x20, 4)));               // xnor
        assertEquals(63, exec(1, 0, ri(0x600, 1)));                                 // clz
        assertEquals(64, exec(0, 0, ri(0x600, 1)));                                 // clz 0
        assertEquals(31, exec(1, 0, ri32(0x600, 1)));                               // clzw
        assertEquals(4, exec(0x10, 0, ri(0x601, 1)));                               // ctz
        assertEquals(32, exec(0xffff_ffff_0000_0000L, 0, ri32(0x601, 1)));          // ctzw
        assertEquals(64, exec(-1, 0, ri(0x602, 1)));                                // cpop
        assertEquals(32, exec(-1, 0, ri32(0x602, 1)));                              // cpopw
        assertEquals(3, exec(-5, 3, rr(0x05, 6)));                                  // max
        assertEquals(-5, exec(-5, 3, rr(0x05, 7)));                                 // maxu
        assertEquals(-5, exec(-5, 3, rr(0x05, 4)));                                 // min
        assertEquals(3, exec(-5, 3, rr(0x05, 5)));                                  // minu
        assertEquals(-128, exec(0x180, 0, ri(0x604, 1)));                           // sext.b
        assertEquals(-32768, exec(0x18000, 0, ri(0x605, 1)));                       // sext.h
        assertEquals(0x8000, exec(0x18000, 0, Asm.r(0x04, 0, A0, 4, A2, 0x3b)));     // zext.h
        assertEquals(0x0000000000000003L, exec(Long.MIN_VALUE | 1, 1, rr(0x30, 1))); // rol
        assertEquals(Long.MIN_VALUE, exec(1, 1, rr(0x30, 5)));                      // ror
        assertEquals(0xffffffff80000000L, exec(1, 1, rr32(0x30, 5)));               // rorw
        assertEquals(2, exec(0x80000000L, 2, rr32(0x30, 1)) & 0xffffffffL);         // rolw
        assertEquals(Long.MIN_VALUE, exec(1, 0, ri(0x600 | 1, 5)));                 // rori
        assertEquals(0xffffffff80000000L, exec(1, 0, ri32(0x600 | 1, 5)));          // roriw
        assertEquals(0x00ff00ff0000ff00L, exec(0x0001008000000100L, 0, ri(0x287, 5))); // orc.b
        assertEquals(0x0807060504030201L, exec(0x0102030405060708L, 0, ri(0x6b8, 5))); // rev8
    }

    @Test
    void zbs() {
        assertEquals(0xfe, exec(0xff, 0, rr(0x24, 1)));                             // bclr
        assertEquals(1, exec(0x80, 7, rr(0x24, 5)));                                // bext
        assertEquals(0x7f, exec(0xff, 7, rr(0x34, 1)));                             // binv
        assertEquals(1L << 63, exec(0, 63, rr(0x14, 1)));                           // bset
        assertEquals(0, exec(1L << 40, 0, ri(0x480 | 40, 1)));                      // bclri
        assertEquals(1, exec(1L << 40, 0, ri(0x480 | 40, 5)));                      // bexti
        assertEquals(1L << 40, exec(0, 0, ri(0x680 | 40, 1)));                      // binvi
        assertEquals(1L << 40 | 1, exec(1, 0, ri(0x280 | 40, 1)));                  // bseti
    }

    @Test
    void loadsStoresAndMisalignedAccess() {
        long buf = TestRig.RAM_BASE + 0x1000;
        Asm p = new Asm(TestRig.RAM_BASE).li(A0, buf).li(A1, 0x8877665544332211L)
                .sd(A1, A0, 0).lb(A2, A0, 7).lbu(A3, A0, 7).lw(A4, A0, 4).load(6, A5, A0, 4) // lwu
                .load(1, A6, A0, 6).load(5, A7, A0, 6)                                           // lh, lhu
                .sd(A1, A0, 13).ld(S2, A0, 13)                                                  // misaligned
                .li(T0, buf + 4093).sd(A1, T0, 0).ld(S3, T0, 0)                                 // crosses a page
                .halt();
        TestRig rig = TestRig.runM(p);
        Hart h = rig.hart;
        assertEquals(0xffffffffffffff88L, h.reg(A2));
        assertEquals(0x88, h.reg(A3));
        assertEquals(0xffffffff88776655L, h.reg(A4));
        assertEquals(0x88776655L, h.reg(A5));
        assertEquals(0xffffffffffff8877L, h.reg(A6));
        assertEquals(0x8877, h.reg(A7));
        assertEquals(0x8877665544332211L, h.reg(S2));
        assertEquals(0x8877665544332211L, h.reg(S3));
        assertEquals(0x8877665544332211L, rig.bus.read(buf + 4093, 8));
    }

    @Test
    void branchesJumpsAndX0() {
        long base = TestRig.RAM_BASE;
        Asm p = new Asm(base)
                .addi(ZERO, ZERO, 5)       // x0 stays 0
                .li(A0, 0)
                .li(A1, 10)
                .addi(A0, A0, 1)           // loop: a0++ until a0 == a1
                .bne(A0, A1, -4)
                .jal(RA, 8)                // skip the next instruction, link
                .addi(A0, A0, 100)
                .auipc(A2, 0)
                .halt();
        TestRig rig = TestRig.runM(p);
        assertEquals(0, rig.hart.reg(ZERO));
        assertEquals(10, rig.hart.reg(A0));
        assertEquals(base + 4 * 5 + 4, rig.hart.reg(RA));
        assertEquals(base + 4 * 7, rig.hart.reg(A2));
    }

    @Test
    void compressedCodeRuns() {
        long base = TestRig.RAM_BASE;
        Asm p = new Asm(base)
                .emit16(0x4529)            // c.li a0, 10
                .emit16(0x4581)            // c.li a1, 0
                .emit16(0x95aa)            // c.add a1, a0     (loop)
                .emit16(0x157d)            // c.addi a0, -1
                .emit16(0xfd75)            // c.bnez a0, -4
                .halt();
        TestRig rig = TestRig.runM(p);
        assertEquals(55, rig.hart.reg(A1));
        assertEquals(0, rig.hart.reg(A0));
    }
}
