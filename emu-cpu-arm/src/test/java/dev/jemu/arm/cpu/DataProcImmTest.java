package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DataProcImmTest {
    @Test
    void addSubImmediateSetFlagsAtTheEdges() {
        IntRig adds = new IntRig("adds x2, x0, #0xfff\nsubs x3, x0, #1, lsl #12\nadds w4, w0, #1\nsubs w5, w0, #0x800");
        for (long a : IntRig.EDGES) {
            long[] e = IntRig.subtract(a, 0x800, 32);
            adds.run(a);
            assertEquals(e[1], adds.flags(), "subs w flags of " + Long.toHexString(a));
            assertEquals(e[0], adds.x(5));
            assertEquals(IntRig.addWithCarry(a, 0xfff, 0, 64)[0], adds.x(2));
            assertEquals(IntRig.subtract(a, 0x1000, 64)[0], adds.x(3));
            assertEquals(IntRig.addWithCarry(a, 1, 0, 32)[0], adds.x(4));
        }
        IntRig one = new IntRig("adds x2, x0, #1");
        IntRig cmp = new IntRig("cmp x0, #0xabc, lsl #12");
        IntRig cmnw = new IntRig("cmn w0, #7");
        for (long a : IntRig.EDGES) {
            long[] e = IntRig.addWithCarry(a, 1, 0, 64);
            one.run(a);
            assertEquals(e[0], one.x(2));
            assertEquals(e[1], one.flags(), "adds x flags of " + Long.toHexString(a));
            cmp.run(a);
            assertEquals(IntRig.subtract(a, 0xabc000, 64)[1], cmp.flags(), "cmp of " + Long.toHexString(a));
            cmnw.run(a);
            assertEquals(IntRig.addWithCarry(a, 7, 0, 32)[1], cmnw.flags(), "cmn w of " + Long.toHexString(a));
        }
    }

    @Test
    void addSubImmediateUseSpAndDoNotTouchFlags() {
        IntRig r = new IntRig("mov sp, x0\nadd x1, sp, #16\nsub sp, sp, #0x20\nmov x2, sp\nadd w3, w0, #1\n"
                + "sub x4, x0, #1, lsl #12");
        r.cpu.setNzcv(0xa000_0000L);
        r.run(0xffff_ffff_0000_1000L);
        assertEquals(0xffff_ffff_0000_1010L, r.x(1));
        assertEquals(0xffff_ffff_0000_0fe0L, r.x(2));
        assertEquals(0x1001L, r.x(3)); // W form zero-extends
        assertEquals(0xffff_ffff_0000_0000L, r.x(4));
        assertEquals(0b1010, r.flags());
    }

    @Test
    void adrAndAdrpAreRelativeToTheInstruction() {
        IntRig r = new IntRig("adr x0, . + 0x100\nadr x1, . - 4\nadrp x2, . + 0x12345\nadrp x3, . - 0x1000\n"
                + "adr x4, . + 0xfffff\nadrp x5, . + 0x7ffff000");
        r.run();
        long base = TestRig.RAM;
        assertEquals(base + 0x100, r.x(0));
        assertEquals(base + 4 - 4, r.x(1));
        assertEquals((base + 8 + 0x12345) & ~0xfffL, r.x(2));
        assertEquals((base + 12 - 0x1000) & ~0xfffL, r.x(3));
        assertEquals(base + 16 + 0xfffff, r.x(4));
        assertEquals((base + 20 + 0x7ffff000L) & ~0xfffL, r.x(5));
    }

    /** Every logical immediate of a few element sizes, built here by enumerating (size, run, rotation). */
    static List<Long> bitmaskImmediates(int bits, int step) {
        List<Long> out = new ArrayList<>();
        int k = 0;
        for (int size = 2; size <= bits; size <<= 1) {
            for (int ones = 1; ones < size; ones++) {
                for (int rot = 0; rot < size; rot++) {
                    if (k++ % step != 0) {
                        continue;
                    }
                    long elem = 0;
                    for (int i = 0; i < ones; i++) {
                        elem |= 1L << ((i + rot) % size);
                    }
                    long v = 0;
                    for (int i = 0; i < 64; i += size) {
                        v |= elem << i;
                    }
                    out.add(bits == 32 ? v & 0xffff_ffffL : v);
                }
            }
        }
        return out;
    }

    @Test
    void logicalImmediatesDecodeToTheAssemblersConstants() {
        for (int bits : new int[] {64, 32}) {
            List<Long> imms = bitmaskImmediates(bits, bits == 64 ? 7 : 3);
            for (int from = 0; from < imms.size(); from += 28) {
                StringBuilder src = new StringBuilder();
                int count = Math.min(28, imms.size() - from);
                for (int i = 0; i < count; i++) {
                    String r = (bits == 64 ? "x" : "w") + (i + 1);
                    String z = bits == 64 ? "xzr" : "wzr";
                    src.append("orr ").append(r).append(", ").append(z).append(", #0x")
                            .append(Long.toHexString(imms.get(from + i))).append('\n');
                }
                IntRig r = new IntRig(src.toString());
                for (int i = 1; i <= 28; i++) {
                    r.cpu.setReg(i, 0x5555_5555_5555_5555L);
                }
                r.run();
                for (int i = 0; i < count; i++) {
                    assertEquals(imms.get(from + i), r.x(i + 1), bits + "-bit immediate #" + (from + i));
                }
            }
        }
    }

    @Test
    void logicalImmediateOperations() {
        IntRig r = new IntRig("and x1, x0, #0xff00ff00ff00ff00\neor x2, x0, #0x5555555555555555\n"
                + "ands w3, w0, #0x80000001\nand sp, x0, #0xfffffffffffffff0\nmov x4, sp\neor w5, w0, #0xf0f0f0f0");
        for (long a : IntRig.EDGES) {
            r.run(a);
            assertEquals(a & 0xff00ff00ff00ff00L, r.x(1));
            assertEquals(a ^ 0x5555555555555555L, r.x(2));
            long w = a & 0x80000001L;
            assertEquals(w, r.x(3));
            assertEquals((w >>> 31) << 3 | (w == 0 ? 4 : 0), r.flags(), "ands w flags");
            assertEquals(a & ~15L, r.x(4));
            assertEquals((a ^ 0xf0f0f0f0L) & 0xffff_ffffL, r.x(5));
        }
    }

    @Test
    void reservedLogicalImmediatesAreUndefined() {
        assertNull(DataProcImm.decode(0xb240fc00)); // orr x0, x0, N=1 imms=111111: all ones
        assertNull(DataProcImm.decode(0xb2007c00)); // 32-bit element of all ones
        assertNull(DataProcImm.decode(0xb200f800)); // imms = 111110, N = 0: no element size
        assertNull(DataProcImm.decode(0x32400000)); // 32-bit with N = 1
        assertNull(DataProcImm.decode(0x52c00000)); // movz w0 with hw = 2
        assertNull(DataProcImm.decode(0x32800000)); // move wide opc = 01
        assertNull(DataProcImm.decode(0x13000000 | 1 << 22)); // sbfm w with N = 1
        assertNull(DataProcImm.decode(0x13008000 | 32 << 10)); // sbfm w with imms >= 32
        assertNull(DataProcImm.decode(0x13800000 | 1 << 22 | 40 << 10)); // extr w with lsb >= 32
        assertNull(DataProcImm.decode(0x91800000)); // add immediate with bit 23 (MTE)
    }

    @Test
    void moveWide() {
        IntRig r = new IntRig("movz x1, #0x1234, lsl #48\nmovk x1, #0xbeef, lsl #16\nmovn w2, #5\n"
                + "movn x3, #0xffff, lsl #16\nmovk w4, #0xffff, lsl #16\nmovz w5, #0x8000, lsl #16\nmovn x6, #0x8000, lsl #48");
        r.run(0, 0, 0, 0, 0xffff_ffff_0000_1234L, -1, 0);
        assertEquals(0x1234_0000_beef_0000L, r.x(1));
        assertEquals(0xffff_fffaL, r.x(2));
        assertEquals(0xffff_ffff_0000_ffffL, r.x(3));
        assertEquals(0xffff_1234L, r.x(4));
        assertEquals(0x8000_0000L, r.x(5));
        assertEquals(0x7fff_ffff_ffff_ffffL, r.x(6));
    }

    /** BFM family per the Arm ARM's description, bit by bit: opc 0 = SBFM, 1 = BFM, 2 = UBFM. */
    static long bitfield(int opc, long dst, long src, int r, int s, int bits) {
        long out = 0;
        int fieldBits, destLow, srcLow;
        if (s >= r) {
            fieldBits = s - r + 1;
            destLow = 0;
            srcLow = r;
        } else {
            fieldBits = s + 1;
            destLow = bits - r;
            srcLow = 0;
        }
        boolean top = ((src >>> s) & 1) != 0;
        for (int i = 0; i < bits; i++) {
            boolean bit;
            if (i >= destLow && i < destLow + fieldBits) {
                bit = ((src >>> (srcLow + i - destLow)) & 1) != 0;
            } else if (opc == 1) {
                bit = ((dst >>> i) & 1) != 0;
            } else if (opc == 0 && i >= destLow + fieldBits) {
                bit = top;
            } else {
                bit = false;
            }
            if (bit) {
                out |= 1L << i;
            }
        }
        return out;
    }

    @Test
    void bitfieldMovesAgainstTheReference() {
        Random rnd = new Random(10);
        String[] names = {"sbfm", "bfm", "ubfm"};
        for (int bits : new int[] {64, 32}) {
            for (int opc = 0; opc < 3; opc++) {
                int[][] cases = new int[28][];
                StringBuilder src = new StringBuilder();
                for (int i = 0; i < 28; i++) {
                    int r = i < 4 ? new int[] {0, bits - 1, 0, bits - 1}[i] : rnd.nextInt(bits);
                    int s = i < 4 ? new int[] {0, bits - 1, bits - 1, 0}[i] : rnd.nextInt(bits);
                    cases[i] = new int[] {r, s};
                    String reg = bits == 64 ? "x" : "w";
                    src.append(names[opc]).append(' ').append(reg).append(i + 2).append(", ").append(reg)
                            .append("0, #").append(r).append(", #").append(s).append('\n');
                }
                IntRig rig = new IntRig(src.toString());
                for (long value : new long[] {0x8123_4567_89ab_cdefL, 0x7edc_ba98_7654_3210L, -1, 0}) {
                    long dst = 0xa5a5_5a5a_c3c3_3c3cL;
                    long[] regs = new long[30];
                    regs[0] = value;
                    for (int i = 2; i < 30; i++) {
                        regs[i] = dst;
                    }
                    rig.run(regs);
                    for (int i = 0; i < 28; i++) {
                        long want = bitfield(opc, dst, value, cases[i][0], cases[i][1], bits);
                        assertEquals(want, rig.x(i + 2), names[opc] + " " + bits + " #" + cases[i][0] + ", #"
                                + cases[i][1] + " of " + Long.toHexString(value));
                    }
                }
            }
        }
    }

    @Test
    void bitfieldAliases() {
        IntRig r = new IntRig("asr x2, x0, #4\nlsl x3, x0, #12\nlsr w4, w0, #8\nsbfiz x5, x0, #8, #8\n"
                + "sbfx x6, x0, #60, #4\nubfiz w7, w0, #4, #4\nubfx x8, x0, #32, #16\nsxtb x9, w0\nsxth w10, w0\n"
                + "sxtw x11, w0\nuxtb w12, w0\nuxth w13, w0\nbfi x14, x0, #16, #8\nbfxil w15, w0, #28, #4\nasr w16, w0, #31\n"
                + "lsl w17, w0, #31");
        long a = 0xf234_5678_9abc_de8fL;
        long[] regs = new long[18];
        regs[0] = a;
        regs[14] = 0x1111_1111_1111_1111L;
        regs[15] = 0x2222_2222_2222_2222L;
        r.run(regs);
        assertEquals(a >> 4, r.x(2));
        assertEquals(a << 12, r.x(3));
        assertEquals((a & 0xffff_ffffL) >>> 8, r.x(4));
        assertEquals((long) (byte) a << 8, r.x(5));
        assertEquals(a >> 60, r.x(6));
        assertEquals((a & 15) << 4, r.x(7));
        assertEquals((a >>> 32) & 0xffff, r.x(8));
        assertEquals((long) (byte) a, r.x(9));
        assertEquals(((long) (short) a) & 0xffff_ffffL, r.x(10));
        assertEquals((long) (int) a, r.x(11));
        assertEquals(a & 0xff, r.x(12));
        assertEquals(a & 0xffff, r.x(13));
        assertEquals(0x1111_1111_118f_1111L, r.x(14));
        assertEquals(0x2222_2229L, r.x(15));
        assertEquals(0xffff_ffffL, r.x(16));
        assertEquals(0x8000_0000L, r.x(17));
    }

    @Test
    void extract() {
        IntRig r = new IntRig("extr x2, x0, x1, #0\nextr x3, x0, x1, #1\nextr x4, x0, x1, #63\nextr w5, w0, w1, #8\n"
                + "ror x6, x0, #13\nror w7, w0, #31\nextr w8, w0, w1, #0");
        long hi = 0x0123_4567_89ab_cdefL, lo = 0xfedc_ba98_7654_3210L;
        r.run(hi, lo);
        BigInteger both = IntRig.unsigned(hi, 64).shiftLeft(64).or(IntRig.unsigned(lo, 64));
        assertEquals(lo, r.x(2));
        assertEquals(both.shiftRight(1).longValue(), r.x(3));
        assertEquals(both.shiftRight(63).longValue(), r.x(4));
        assertEquals(((hi & 0xffL) << 24 | (lo & 0xffff_ffffL) >>> 8), r.x(5));
        assertEquals(Long.rotateRight(hi, 13), r.x(6));
        assertEquals(Integer.rotateRight((int) hi, 31) & 0xffff_ffffL, r.x(7));
        assertEquals(lo & 0xffff_ffffL, r.x(8));
    }
}
