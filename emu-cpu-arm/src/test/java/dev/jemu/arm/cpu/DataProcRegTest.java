package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigInteger;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class DataProcRegTest {
    private static final long W = 0xffff_ffffL;

    @Test
    void addSubShiftedRegisterFlags() {
        IntRig r = new IntRig("adds x2, x0, x1\nsubs x3, x0, x1\nmov x9, x0\nmov x10, x1\n"
                + "adds w4, w0, w1\nsubs w5, w0, w1\ncmp x0, x1");
        IntRig wflags = new IntRig("adds w4, w0, w1");
        IntRig xadd = new IntRig("adds x4, x0, x1");
        IntRig wsub = new IntRig("subs w4, w0, w1");
        for (long a : IntRig.EDGES) {
            for (long b : IntRig.EDGES) {
                r.run(a, b);
                String what = Long.toHexString(a) + ", " + Long.toHexString(b);
                long[] cmp = IntRig.subtract(a, b, 64);
                assertEquals(cmp[1], r.flags(), "cmp " + what);
                assertEquals(IntRig.addWithCarry(a, b, 0, 64)[0], r.x(2));
                assertEquals(cmp[0], r.x(3));
                assertEquals(IntRig.addWithCarry(a, b, 0, 32)[0], r.x(4));
                assertEquals(IntRig.subtract(a, b, 32)[0], r.x(5));
                wflags.run(a, b);
                assertEquals(IntRig.addWithCarry(a, b, 0, 32)[1], wflags.flags(), "adds w " + what);
                xadd.run(a, b);
                assertEquals(IntRig.addWithCarry(a, b, 0, 64)[1], xadd.flags(), "adds x " + what);
                wsub.run(a, b);
                assertEquals(IntRig.subtract(a, b, 32)[1], wsub.flags(), "subs w " + what);
            }
        }
    }

    @Test
    void shiftedOperands() {
        IntRig r = new IntRig("add x2, x0, x1, lsl #3\nsub x3, x0, x1, lsr #7\nadd x4, x0, x1, asr #63\n"
                + "add w5, w0, w1, lsl #31\nsub w6, w0, w1, asr #4\nneg x7, x1, lsr #1\n"
                + "and x8, x0, x1, ror #8\norr w9, w0, w1, ror #31\nbic x10, x0, x1, lsl #4\norn w11, w0, w1, asr #2\n"
                + "eon x12, x0, x1, lsr #60\neor w13, w0, w1\nmvn x14, x1\nmov w15, w1");
        for (long a : IntRig.EDGES) {
            long b = 0x8765_4321_0fed_cba9L ^ a;
            r.run(a, b);
            assertEquals(a + (b << 3), r.x(2));
            assertEquals(a - (b >>> 7), r.x(3));
            assertEquals(a + (b >> 63), r.x(4));
            assertEquals((a + (b << 31)) & W, r.x(5));
            assertEquals(((int) a - ((int) b >> 4)) & W, r.x(6));
            assertEquals(-(b >>> 1), r.x(7));
            assertEquals(a & Long.rotateRight(b, 8), r.x(8));
            assertEquals(((int) a | Integer.rotateRight((int) b, 31)) & W, r.x(9));
            assertEquals(a & ~(b << 4), r.x(10));
            assertEquals(((int) a | ~((int) b >> 2)) & W, r.x(11));
            assertEquals(a ^ ~(b >>> 60), r.x(12));
            assertEquals((a ^ b) & W, r.x(13));
            assertEquals(~b, r.x(14));
            assertEquals(b & W, r.x(15));
        }
    }

    @Test
    void logicalFlagSetting() {
        IntRig r = new IntRig("ands x2, x0, x1\n");
        IntRig bics = new IntRig("bics w2, w0, w1, lsl #1\n");
        for (long a : IntRig.EDGES) {
            for (long b : IntRig.EDGES) {
                r.cpu.setNzcv(0x3000_0000L); // C and V must be cleared
                r.run(a, b);
                long v = a & b;
                assertEquals(v, r.x(2));
                assertEquals((v < 0 ? 8 : 0) | (v == 0 ? 4 : 0), r.flags());
                bics.cpu.setNzcv(0x3000_0000L);
                bics.run(a, b);
                int w = (int) a & ~((int) b << 1);
                assertEquals(w & W, bics.x(2));
                assertEquals((w < 0 ? 8 : 0) | (w == 0 ? 4 : 0), bics.flags());
            }
        }
    }

    @Test
    void extendedRegisterForms() {
        IntRig r = new IntRig("add x2, x0, w1, uxtb\nadd x3, x0, w1, uxth #2\nadd x4, x0, w1, uxtw #4\n"
                + "add x5, x0, x1, uxtx #1\nsub x6, x0, w1, sxtb #3\nsub x7, x0, w1, sxth\nadd x8, x0, w1, sxtw #2\n"
                + "add x9, x0, x1, sxtx\nadd w10, w0, w1, sxtb #1\nmov sp, x0\nadd sp, sp, w1, uxtw\nmov x11, sp\n"
                + "add x12, sp, x1\nsub x13, sp, w1, uxth #3\n");
        long a = 0x1000_0000_0000_0000L, b = 0xffff_ffff_8000_ff80L;
        r.run(a, b);
        assertEquals(a + 0x80, r.x(2));
        assertEquals(a + (0xff80L << 2), r.x(3));
        assertEquals(a + (0x8000_ff80L << 4), r.x(4));
        assertEquals(a + (b << 1), r.x(5));
        assertEquals(a - (-128L << 3), r.x(6));
        assertEquals(a - (long) (short) 0xff80, r.x(7));
        assertEquals(a + ((long) (int) 0x8000_ff80L << 2), r.x(8));
        assertEquals(a + b, r.x(9));
        assertEquals(((int) a + (-128 << 1)) & W, r.x(10));
        long sp = a + 0x8000_ff80L;
        assertEquals(sp, r.x(11));
        assertEquals(sp + b, r.x(12)); // add x12, sp, x1 is the extended form, LSL #0
        assertEquals(sp - (0xff80L << 3), r.x(13));
        IntRig cmp = new IntRig("cmp w0, w1, uxtb\n");
        IntRig cmpx = new IntRig("cmp x0, w1, sxtw #1\n");
        IntRig adds = new IntRig("adds x2, sp, w1, uxtw\n");
        for (long x : IntRig.EDGES) {
            for (long y : IntRig.EDGES) {
                cmp.run(x, y);
                assertEquals(IntRig.subtract(x, y & 0xff, 32)[1], cmp.flags());
                cmpx.run(x, y);
                assertEquals(IntRig.subtract(x, (long) (int) y << 1, 64)[1], cmpx.flags());
                adds.cpu.setReg(31, x);
                adds.run(0, y);
                long[] e = IntRig.addWithCarry(x, y & W, 0, 64);
                assertEquals(e[0], adds.x(2));
                assertEquals(e[1], adds.flags());
            }
        }
    }

    @Test
    void addSubWithCarry() {
        IntRig adcs = new IntRig("adcs x2, x0, x1\n");
        IntRig sbcs = new IntRig("sbcs x2, x0, x1\n");
        IntRig adcsw = new IntRig("adcs w2, w0, w1\n");
        IntRig sbcsw = new IntRig("sbcs w2, w0, w1\n");
        IntRig plain = new IntRig("adc x3, x0, x1\nsbc w4, w0, w1\nngc x5, x1\n");
        for (int carry = 0; carry < 2; carry++) {
            for (long a : IntRig.EDGES) {
                for (long b : IntRig.EDGES) {
                    String what = carry + ": " + Long.toHexString(a) + ", " + Long.toHexString(b);
                    IntRig[] rigs = {adcs, sbcs, adcsw, sbcsw};
                    long[][] want = {IntRig.addWithCarry(a, b, carry, 64), IntRig.addWithCarry(a, ~b, carry, 64),
                        IntRig.addWithCarry(a, b, carry, 32), IntRig.addWithCarry(a, ~b, carry, 32)};
                    for (int i = 0; i < 4; i++) {
                        rigs[i].cpu.setNzcv((long) carry << 29);
                        rigs[i].run(a, b);
                        assertEquals(want[i][0], rigs[i].x(2), i + " " + what);
                        assertEquals(want[i][1], rigs[i].flags(), i + " " + what);
                    }
                    plain.cpu.setNzcv((long) carry << 29 | 0x9000_0000L);
                    plain.run(a, b);
                    assertEquals(a + b + carry, plain.x(3));
                    assertEquals(((int) a - (int) b - 1 + carry) & W, plain.x(4));
                    assertEquals(-b - 1 + carry, plain.x(5));
                    assertEquals(0b1000 | carry << 1 | 1, plain.flags(), "adc leaves the flags");
                }
            }
        }
    }

    @Test
    void conditionalCompare() {
        IntRig ccmp = new IntRig("cmp x0, x1\nccmp x2, x3, #0b1010, ge\n");
        IntRig ccmn = new IntRig("cmp x0, x1\nccmn w2, #31, #0b0101, eq\n");
        IntRig ccmpi = new IntRig("cmp x0, x1\nccmp x2, #3, #0b0110, hi\n");
        for (long a : IntRig.EDGES) {
            for (long b : IntRig.EDGES) {
                boolean ge = a >= 0; // the first cmp is 1 vs 0 (GE, HI, NE) or 0 vs 1 (LT, LS) by a's sign
                ccmp.run(ge ? 1 : 0, ge ? 0 : 1, a, b);
                assertEquals(ge ? IntRig.subtract(a, b, 64)[1] : 0b1010, ccmp.flags());
                ccmn.run(ge ? 0 : 1, 0, a);
                assertEquals(ge ? IntRig.addWithCarry(a, 31, 0, 32)[1] : 0b0101, ccmn.flags());
                ccmpi.run(ge ? 2 : 0, ge ? 1 : 2, a);
                assertEquals(ge ? IntRig.subtract(a, 3, 64)[1] : 0b0110, ccmpi.flags());
            }
        }
    }

    @Test
    void conditionalSelectForEveryCondition() {
        String[] conds = {"eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"};
        StringBuilder src = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            src.append("csel x").append(i + 4).append(", x0, x1, ").append(conds[i]).append('\n');
        }
        src.append("csinc w20, w0, w1, eq\ncsinv x21, x0, x1, ne\ncsneg w22, w0, w1, eq\ncset x23, ne\ncsetm w24, eq\n"
                + "cinc x25, x0, eq\ncneg x26, x0, ne\n");
        IntRig r = new IntRig(src.toString());
        long a = 0x1_2345_6789L, b = 0xffff_ffff_0000_0005L;
        for (int nzcv = 0; nzcv < 16; nzcv++) {
            r.cpu.setNzcv((long) nzcv << 28);
            r.run(a, b);
            boolean n = (nzcv & 8) != 0, z = (nzcv & 4) != 0, c = (nzcv & 2) != 0, v = (nzcv & 1) != 0;
            boolean[] holds = {z, !z, c, !c, n, !n, v, !v, c && !z, !(c && !z), n == v, n != v, !z && n == v,
                !(!z && n == v), true, true};
            for (int i = 0; i < 16; i++) {
                assertEquals(holds[i] ? a : b, r.x(i + 4), conds[i] + " with nzcv " + nzcv);
            }
            assertEquals(z ? a & W : (b + 1) & W, r.x(20));
            assertEquals(!z ? a : ~b, r.x(21));
            assertEquals(z ? a & W : -(int) b & W, r.x(22));
            assertEquals(z ? 0 : 1, r.x(23));
            assertEquals(z ? W : 0, r.x(24));
            assertEquals(z ? a + 1 : a, r.x(25));
            assertEquals(!z ? -a : a, r.x(26));
            assertEquals(nzcv, r.flags());
        }
    }

    @Test
    void oneSource() {
        IntRig r = new IntRig("rbit x2, x0\nrbit w3, w0\nrev16 x4, x0\nrev16 w5, w0\nrev32 x6, x0\nrev x7, x0\nrev w8, w0\n"
                + "clz x9, x0\nclz w10, w0\ncls x11, x0\ncls w12, w0\n");
        for (long a : new long[] {0, -1, 1, 0x0123_4567_89ab_cdefL, 0xf000_0000_8000_0000L, 0x0000_0000_7fff_0000L,
            Long.MIN_VALUE, 0xffff_0000_0000_0000L}) {
            r.run(a);
            long rbit = 0;
            for (int i = 0; i < 64; i++) {
                rbit |= ((a >>> i) & 1) << (63 - i);
            }
            assertEquals(rbit, r.x(2));
            assertEquals((rbit >>> 32), r.x(3));
            long rev16 = 0, rev32 = 0, rev = 0;
            for (int i = 0; i < 8; i++) {
                long byteI = (a >>> (8 * i)) & 0xff;
                rev16 |= byteI << (8 * (i ^ 1));
                rev32 |= byteI << (8 * (i ^ 3));
                rev |= byteI << (8 * (7 - i));
            }
            assertEquals(rev16, r.x(4));
            assertEquals(rev16 & W, r.x(5));
            assertEquals(rev32, r.x(6));
            assertEquals(rev, r.x(7));
            assertEquals(rev32 & W, r.x(8));
            assertEquals(leadingSame(a, 64, false), r.x(9));
            assertEquals(leadingSame(a, 32, false), r.x(10));
            assertEquals(leadingSame(a, 64, true), r.x(11));
            assertEquals(leadingSame(a, 32, true), r.x(12));
        }
    }

    /** CLZ (sign = false) or CLS (sign = true) by walking the bits. */
    private static long leadingSame(long v, int bits, boolean sign) {
        int top = bits - 1;
        long ref = sign ? (v >>> top) & 1 : 0;
        int count = 0;
        for (int i = sign ? top - 1 : top; i >= 0 && ((v >>> i) & 1) == ref; i--) {
            count++;
        }
        return count;
    }

    @Test
    void divideIncludingByZeroAndOverflow() {
        IntRig r = new IntRig("udiv x2, x0, x1\nsdiv x3, x0, x1\nudiv w4, w0, w1\nsdiv w5, w0, w1\n");
        long[] vals = {0, 1, -1, 7, -7, Long.MIN_VALUE, Long.MAX_VALUE, 0x8000_0000L, 0xffff_ffffL, 3};
        for (long a : vals) {
            for (long b : vals) {
                r.run(a, b);
                BigInteger ua = IntRig.unsigned(a, 64), ub = IntRig.unsigned(b, 64);
                assertEquals(b == 0 ? 0 : ua.divide(ub).longValue(), r.x(2));
                BigInteger sq = b == 0 ? BigInteger.ZERO : BigInteger.valueOf(a).divide(BigInteger.valueOf(b));
                assertEquals(sq.longValue(), r.x(3), "sdiv " + a + " / " + b); // MIN / -1 wraps to MIN
                assertEquals((int) b == 0 ? 0 : IntRig.unsigned(a, 32).divide(IntRig.unsigned(b, 32)).longValue(),
                        r.x(4));
                long sw = (int) b == 0 ? 0
                        : BigInteger.valueOf((int) a).divide(BigInteger.valueOf((int) b)).longValue() & W;
                assertEquals(sw, r.x(5), "sdiv w " + a + " / " + b);
            }
        }
    }

    @Test
    void variableShifts() {
        IntRig r = new IntRig("lsl x2, x0, x1\nlsr x3, x0, x1\nasr x4, x0, x1\nror x5, x0, x1\n"
                + "lsl w6, w0, w1\nlsr w7, w0, w1\nasr w8, w0, w1\nror w9, w0, w1\n");
        long a = 0x8123_4567_89ab_cdefL;
        for (long s : new long[] {0, 1, 31, 32, 33, 63, 64, 65, -1, 0x1_0000_0004L}) {
            r.run(a, s);
            int s64 = (int) (s & 63), s32 = (int) (s & 31);
            assertEquals(a << s64, r.x(2));
            assertEquals(a >>> s64, r.x(3));
            assertEquals(a >> s64, r.x(4));
            assertEquals(Long.rotateRight(a, s64), r.x(5));
            assertEquals(((a & W) << s32) & W, r.x(6));
            assertEquals((a & W) >>> s32, r.x(7));
            assertEquals(((long) (int) a >> s32) & W, r.x(8));
            assertEquals(((a & W) >>> s32 | (a & W) << (32 - s32)) & W, r.x(9));
        }
    }

    @Test
    void crc32AgainstJava() {
        IntRig r = new IntRig(".arch armv8-a+crc\ncrc32b w2, w0, w1\ncrc32h w3, w0, w1\ncrc32w w4, w0, w1\ncrc32x w5, w0, x1\n"
                + "crc32cb w6, w0, w1\ncrc32ch w7, w0, w1\ncrc32cw w8, w0, w1\ncrc32cx w9, w0, x1\n");
        long data = 0x0123_4567_89ab_cdefL;
        r.run(0xffff_ffffL, data);
        int[] sizes = {1, 2, 4, 8};
        for (int i = 0; i < 4; i++) {
            byte[] bytes = new byte[sizes[i]];
            for (int k = 0; k < bytes.length; k++) {
                bytes[k] = (byte) (data >>> (8 * k));
            }
            CRC32 crc = new CRC32();
            crc.update(bytes);
            CRC32C crcc = new CRC32C();
            crcc.update(bytes);
            // Java's CRCs start from all ones and invert at the end; the instructions do neither
            assertEquals(~crc.getValue() & W, r.x(2 + i), "crc32 of " + sizes[i]);
            assertEquals(~crcc.getValue() & W, r.x(6 + i), "crc32c of " + sizes[i]);
        }
        assertNull(DataProcReg.decode(0x9ac14000)); // crc32b with sf = 1
        assertNull(DataProcReg.decode(0x1ac14c00)); // crc32x with sf = 0
    }

    @Test
    void multiplies() {
        IntRig r = new IntRig("madd x3, x0, x1, x2\nmsub x4, x0, x1, x2\nmul w5, w0, w1\nmsub w6, w0, w1, w2\n"
                + "smaddl x7, w0, w1, x2\nsmsubl x8, w0, w1, x2\numaddl x9, w0, w1, x2\numsubl x10, w0, w1, x2\n"
                + "smulh x11, x0, x1\numulh x12, x0, x1\nsmull x13, w0, w1\nmneg x14, x0, x1\n");
        for (long a : IntRig.EDGES) {
            for (long b : IntRig.EDGES) {
                long c = 0x1111_2222_3333_4444L;
                r.run(a, b, c);
                assertEquals(c + a * b, r.x(3));
                assertEquals(c - a * b, r.x(4));
                assertEquals((a * b) & W, r.x(5));
                assertEquals((c - a * b) & W, r.x(6));
                long sp = (long) (int) a * (int) b, up = (a & W) * (b & W);
                assertEquals(c + sp, r.x(7));
                assertEquals(c - sp, r.x(8));
                assertEquals(c + up, r.x(9));
                assertEquals(c - up, r.x(10));
                assertEquals(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).shiftRight(64).longValue(), r.x(11));
                assertEquals(IntRig.unsigned(a, 64).multiply(IntRig.unsigned(b, 64)).shiftRight(64).longValue(),
                        r.x(12));
                assertEquals(sp, r.x(13));
                assertEquals(-(a * b), r.x(14));
            }
        }
    }

    @Test
    void unallocatedRegisterFormsAreUndefined() {
        assertNull(DataProcReg.decode(0x8b000000 | 3 << 22)); // add shifted with shift = 11
        assertNull(DataProcReg.decode(0x0b000000 | 32 << 10)); // add w shifted by 32
        assertNull(DataProcReg.decode(0x0a000000 | 32 << 10)); // and w shifted by 32
        assertNull(DataProcReg.decode(0x8b200000 | 5 << 10)); // add extended with shift 5
        assertNull(DataProcReg.decode(0x9ac00c00 | 0x20000000)); // sdiv with S = 1
        assertNull(DataProcReg.decode(0x5ac00c00)); // rev with sf = 0, opcode 3
        assertNull(DataProcReg.decode(0x1b200000)); // smaddl with sf = 0
        assertNull(DataProcReg.decode(0x9b400000 | 1 << 15)); // smulh with o0 = 1
        assertNull(DataProcReg.decode(0x9a800800)); // csel with op2 = 10
        assertNull(DataProcReg.decode(0xfa400400)); // ccmp with o2 = 1
        assertNull(DataProcReg.decode(0x3a000400)); // rmif-like adc with op3 != 0 (ARMv8.4)
    }
}
