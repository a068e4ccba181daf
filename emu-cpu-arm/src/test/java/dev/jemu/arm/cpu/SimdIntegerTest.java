package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** AdvSIMD integer groups against per-element Java references on random inputs. */
class SimdIntegerTest {
    private static final long A0 = 0x80ff7f0102fe4000L, A1 = 0x0123456789abcdefL;
    private static final long B0 = 0x7f01800102034080L, B1 = 0xfedcba9876543210L;

    /** Runs one instruction with v1 = (A0, A1), v2 = (B0, B1), v0 = (-1, -1). */
    private static TestRig one(String insn) {
        TestRig r = new TestRig().asm(insn);
        r.cpu.v[0] = r.cpu.v[1] = -1;
        r.cpu.v[2] = A0;
        r.cpu.v[3] = A1;
        r.cpu.v[4] = B0;
        r.cpu.v[5] = B1;
        r.run(1);
        assertEquals(TestRig.RAM + 4, r.cpu.pc(), insn + " ran");
        return r;
    }

    private static int b(long lo, long hi, int i) {
        return (int) (((i < 8 ? lo : hi) >>> (8 * (i & 7))) & 0xff);
    }

    /** A per-byte reference over 16 bytes. */
    private interface ByteOp {
        int f(int a, int b);
    }

    private static void bytes16(String insn, ByteOp op) {
        TestRig r = one(insn);
        for (int i = 0; i < 16; i++) {
            int want = op.f(b(A0, A1, i), b(B0, B1, i)) & 0xff;
            assertEquals(want, b(r.cpu.v[0], r.cpu.v[1], i), insn + " byte " + i);
        }
    }

    @Test
    void byteArithmeticAndCompares() {
        bytes16("add v0.16b, v1.16b, v2.16b", (a, b) -> a + b);
        bytes16("sub v0.16b, v1.16b, v2.16b", (a, b) -> a - b);
        bytes16("cmeq v0.16b, v1.16b, v2.16b", (a, b) -> a == b ? 0xff : 0);
        bytes16("cmhi v0.16b, v1.16b, v2.16b", (a, b) -> a > b ? 0xff : 0);
        bytes16("cmgt v0.16b, v1.16b, v2.16b", (a, b) -> (byte) a > (byte) b ? 0xff : 0);
        bytes16("cmge v0.16b, v1.16b, v2.16b", (a, b) -> (byte) a >= (byte) b ? 0xff : 0);
        bytes16("cmtst v0.16b, v1.16b, v2.16b", (a, b) -> (a & b) != 0 ? 0xff : 0);
        bytes16("umax v0.16b, v1.16b, v2.16b", Math::max);
        bytes16("smin v0.16b, v1.16b, v2.16b", (a, b) -> Math.min((byte) a, (byte) b));
        bytes16("uqadd v0.16b, v1.16b, v2.16b", (a, b) -> Math.min(255, a + b));
        bytes16("sqsub v0.16b, v1.16b, v2.16b", (a, b) -> Math.max(-128, Math.min(127, (byte) a - (byte) b)));
        bytes16("mul v0.16b, v1.16b, v2.16b", (a, b) -> a * b);
        bytes16("mla v0.16b, v1.16b, v2.16b", (a, b) -> 0xff + a * b);
        bytes16("bsl v0.16b, v1.16b, v2.16b", (a, b) -> a); // v0 all ones selects v1
        bytes16("bic v0.16b, v1.16b, v2.16b", (a, b) -> a & ~b);
        bytes16("orn v0.16b, v1.16b, v2.16b", (a, b) -> a | ~b);
        bytes16("cmeq v0.16b, v1.16b, #0", (a, b) -> a == 0 ? 0xff : 0);
        bytes16("cmlt v0.16b, v1.16b, #0", (a, b) -> a >= 0x80 ? 0xff : 0);
        bytes16("cnt v0.16b, v1.16b", (a, b) -> Integer.bitCount(a));
        bytes16("not v0.16b, v1.16b", (a, b) -> ~a);
        bytes16("neg v0.16b, v1.16b", (a, b) -> -a);
        bytes16("abs v0.16b, v1.16b", (a, b) -> Math.abs((byte) a));
        bytes16("rbit v0.16b, v1.16b", (a, b) -> Integer.reverse(a) >>> 24);
        bytes16("clz v0.16b, v1.16b", (a, b) -> Integer.numberOfLeadingZeros(a) - 24);
        bytes16("ushr v0.16b, v1.16b, #3", (a, b) -> a >>> 3);
        bytes16("sshr v0.16b, v1.16b, #8", (a, b) -> (byte) a >> 7);
        bytes16("shl v0.16b, v1.16b, #5", (a, b) -> a << 5);
        bytes16("urshr v0.16b, v1.16b, #2", (a, b) -> (a + 2) >> 2);
        bytes16("usra v0.16b, v1.16b, #1", (a, b) -> 0xff + (a >>> 1));
        bytes16("sli v0.16b, v1.16b, #4", (a, b) -> a << 4 | 0xf);
        bytes16("sri v0.16b, v1.16b, #4", (a, b) -> a >>> 4 | 0xf0);
    }

    @Test
    void shiftByRegisterCountsDownToMinus128() {
        // negative lanes shifted by counts (the low byte, signed) below -64: SSHL leaves the sign, USHL/SRSHL 0
        long a0 = 0x8081c0ff_80fe8001L, a1 = 0xf0e0d0c0_b0a09080L;
        long b0 = 0x80bff8f9_7f80c0ffL, b1 = 0xc1c0bfa0_9f8180f8L;
        bytesOf16("sshl v0.16b, v1.16b, v2.16b", a0, a1, b0, b1,
                (a, n) -> n >= 0 ? (n >= 8 ? 0 : a << n) : (byte) a >> Math.min(7, -n));
        bytesOf16("ushl v0.16b, v1.16b, v2.16b", a0, a1, b0, b1,
                (a, n) -> n >= 0 ? (n >= 8 ? 0 : a << n) : -n >= 8 ? 0 : a >>> -n);
        bytesOf16("srshl v0.16b, v1.16b, v2.16b", a0, a1, b0, b1,
                (a, n) -> n >= 0 ? (n >= 8 ? 0 : a << n) : -n >= 8 ? 0 : ((byte) a + (1 << (-n - 1))) >> -n);
    }

    /** A per-byte reference (a unsigned byte, n the signed count byte) on the given inputs. */
    private static void bytesOf16(String insn, long a0, long a1, long b0, long b1, ByteOp op) {
        TestRig r = one(insn);
        r.cpu.v[2] = a0;
        r.cpu.v[3] = a1;
        r.cpu.v[4] = b0;
        r.cpu.v[5] = b1;
        r.cpu.setPc(TestRig.RAM);
        r.run(1);
        for (int i = 0; i < 16; i++) {
            int want = op.f(b(a0, a1, i), (byte) b(b0, b1, i)) & 0xff;
            assertEquals(want, b(r.cpu.v[0], r.cpu.v[1], i), insn + " byte " + i);
        }
    }

    @Test
    void addSubCmeqOnHalfwordsAndWords() {
        Random rnd = new Random(9);
        String[] arr = {"8h", "4s", "4h", "2s"};
        for (int t = 0; t < 8; t++) {
            String a = arr[t % 4];
            int esize = a.endsWith("h") ? 2 : 4;
            int lanes = Integer.parseInt(a.substring(0, 1));
            for (String op : new String[] {"add", "sub", "cmeq"}) {
                TestRig r = new TestRig().asm(op + " v0." + a + ", v1." + a + ", v2." + a);
                long[] v = r.cpu.v;
                for (int i = 2; i < 6; i++) v[i] = rnd.nextLong();
                v[4] = (v[4] & 0xffff0000ffff0000L) | (v[2] & 0x0000ffff0000ffffL); // some equal lanes
                long[] in = v.clone();
                r.run(1);
                for (int e = 0; e < 16 / esize; e++) {
                    long x = Vreg.get(in, 1, e, esize), y = Vreg.get(in, 2, e, esize);
                    long want = e >= lanes ? 0 : switch (op) {
                        case "add" -> x + y;
                        case "sub" -> x - y;
                        default -> x == y ? -1 : 0;
                    };
                    assertEquals(want & Vreg.mask(esize), Vreg.get(v, 0, e, esize), op + " ." + a + " lane " + e);
                }
            }
        }
    }

    @Test
    void saturationSetsQcAndOnlyThen() {
        TestRig r = one("uqadd v0.8b, v1.8b, v1.8b"); // 0x80 + 0x80 saturates
        assertEquals(SimdLanes.QC, r.cpu.fpsr);
        assertEquals(0, r.cpu.v[1]);
        r = one("uqadd v0.8b, v2.8b, v2.8b");
        assertEquals(SimdLanes.QC, r.cpu.fpsr); // 0x80 + 0x80 in v2 too
        r = one("add v0.2d, v1.2d, v2.2d");
        assertEquals(0, r.cpu.fpsr);
        assertEquals(A0 + B0, r.cpu.v[0]);
        assertEquals(A1 + B1, r.cpu.v[1]);
        r = one("sqadd d0, d1, d1"); // A0 negative: 2 * A0 underflows
        assertEquals(Long.MIN_VALUE, r.cpu.v[0]);
        assertEquals(SimdLanes.QC, r.cpu.fpsr);
        r = one("sqxtn v0.8b, v1.8h");
        assertEquals(SimdLanes.QC, r.cpu.fpsr);
        long want = 0;
        for (int e = 0; e < 4; e++) {
            short h = (short) (A0 >>> (16 * e));
            want |= (long) (Math.max(-128, Math.min(127, h)) & 0xff) << (8 * e);
            short g = (short) (A1 >>> (16 * e));
            want |= (long) (Math.max(-128, Math.min(127, g)) & 0xff) << (8 * e + 32);
        }
        assertEquals(want, r.cpu.v[0]);
        assertEquals(0, r.cpu.v[1]);
    }

    @Test
    void moviDupInsUmovSmov() {
        TestRig r = new TestRig().asm("movi v0.16b, #0x2c\nmovi v1.2d, #0xff00ff0000ff00ff\nmvni v2.4s, #0x12, lsl #8\n"
                + "orr v3.8h, #0x40, lsl #8\nbic v4.4s, #0xff\nmovi v5.2s, #0x7f, msl #8\nfmov v6.4s, #1.5\n"
                + "dup v7.8h, w3\ndup v8.4s, v1.s[1]\nins v9.d[1], x4\nins v10.b[3], v1.b[0]\numov w5, v1.h[3]\n"
                + "smov x6, v1.b[0]\nmov x7, v1.d[1]\nmovi d11, #0xff");
        r.cpu.setReg(3, 0x1234_5678);
        r.cpu.setReg(4, 0xabcdef);
        r.cpu.v[8] = r.cpu.v[9] = -1; // v4
        r.cpu.v[22] = 0x11; // v11
        r.run(15);
        long[] v = r.cpu.v;
        assertEquals(0x2c2c2c2c2c2c2c2cL, v[0]);
        assertEquals(v[0], v[1]);
        assertEquals(0xff00ff0000ff00ffL, v[2]);
        assertEquals(0xffffedffffffedffL, v[4]);
        assertEquals(0x4000400040004000L, v[6]);
        assertEquals(0xffffff00ffffff00L, v[8]);
        assertEquals(0x00007fff00007fffL, v[10]);
        assertEquals(0, v[11]);
        long f = Float.floatToIntBits(1.5f) & 0xffffffffL;
        assertEquals(f << 32 | f, v[12]);
        assertEquals(0x5678567856785678L, v[14]);
        assertEquals(0xff00ff00ff00ff00L, v[16]);
        assertEquals(0xabcdef, v[19]);
        assertEquals(0xff00_0000L, v[20]);
        assertEquals(0xff00, r.x(5));
        assertEquals(-1, r.x(6));
        assertEquals(0xff00ff0000ff00ffL, r.x(7));
        assertEquals(0xff, v[22]);
    }

    @Test
    void permutesExtAndTable() {
        Random rnd = new Random(7);
        long[] in = {rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong()};
        String[] ops = {"zip1 v0.16b, v1.16b, v2.16b", "zip2 v0.8h, v1.8h, v2.8h", "uzp1 v0.4s, v1.4s, v2.4s",
            "uzp2 v0.16b, v1.16b, v2.16b", "trn1 v0.8h, v1.8h, v2.8h", "trn2 v0.2d, v1.2d, v2.2d",
            "ext v0.16b, v1.16b, v2.16b, #3", "ext v0.8b, v1.8b, v2.8b, #7"};
        for (String op : ops) {
            TestRig r = new TestRig().asm(op);
            System.arraycopy(in, 0, r.cpu.v, 2, 4);
            r.run(1);
            byte[] n = bytesOf(in[0], in[1]), m = bytesOf(in[2], in[3]);
            byte[] want = permute(op, n, m);
            assertEquals(toLong(want, 0), r.cpu.v[0], op);
            assertEquals(toLong(want, 8), r.cpu.v[1], op);
        }
        TestRig r = new TestRig().asm("tbl v0.16b, {v1.16b, v2.16b}, v3.16b\ntbx v4.8b, {v1.16b}, v3.8b");
        System.arraycopy(in, 0, r.cpu.v, 2, 4);
        r.cpu.v[6] = 0x1f_00_20_0f_10_05_ff_01L;
        r.cpu.v[7] = 0x0203040506070809L;
        r.cpu.v[8] = 0x7777777777777777L;
        r.run(2);
        byte[] table = new byte[32];
        System.arraycopy(bytesOf(in[0], in[1]), 0, table, 0, 16);
        System.arraycopy(bytesOf(in[2], in[3]), 0, table, 16, 16);
        byte[] idx = bytesOf(r.cpu.v[6], r.cpu.v[7]);
        byte[] want = new byte[16], wantX = new byte[8];
        for (int i = 0; i < 16; i++) {
            int k = idx[i] & 0xff;
            want[i] = k < 32 ? table[k] : 0;
            if (i < 8) wantX[i] = k < 16 ? table[k] : 0x77;
        }
        assertEquals(toLong(want, 0), r.cpu.v[0]);
        assertEquals(toLong(want, 8), r.cpu.v[1]);
        assertEquals(toLong(wantX, 0), r.cpu.v[8]);
        assertEquals(0, r.cpu.v[9]);
    }

    private static byte[] permute(String op, byte[] n, byte[] m) {
        int esize = op.contains(".16b") || op.contains(".8b") ? 1 : op.contains(".8h") ? 2 : op.contains(".4s") ? 4 : 8;
        int bytes = op.contains(".8b") ? 8 : 16, el = bytes / esize;
        byte[] r = new byte[16];
        for (int e = 0; e < el; e++) {
            byte[] src;
            int from;
            if (op.startsWith("zip")) {
                int base = (op.startsWith("zip2") ? el / 2 : 0) + e / 2;
                src = e % 2 == 0 ? n : m;
                from = base;
            } else if (op.startsWith("uzp")) {
                int i = 2 * e + (op.startsWith("uzp2") ? 1 : 0);
                src = i < el ? n : m;
                from = i % el;
            } else if (op.startsWith("trn")) {
                src = e % 2 == 0 ? n : m;
                from = (e & ~1) + (op.startsWith("trn2") ? 1 : 0);
            } else {
                int pos = Integer.parseInt(op.substring(op.indexOf('#') + 1));
                int k = e + pos;
                src = k < bytes ? n : m;
                from = k % bytes;
            }
            System.arraycopy(src, from * esize, r, e * esize, esize);
        }
        return r;
    }

    private static byte[] bytesOf(long lo, long hi) {
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) b[i] = (byte) ((i < 8 ? lo : hi) >>> (8 * (i & 7)));
        return b;
    }

    private static long toLong(byte[] b, int off) {
        long x = 0;
        for (int i = 7; i >= 0; i--) x = x << 8 | (b[off + i] & 0xff);
        return x;
    }

    @Test
    void acrossPairwiseWideningNarrowing() {
        byte[] a = bytesOf(A0, A1), bb = bytesOf(B0, B1);
        int sum = 0, umax = 0, smin = 127;
        for (byte x : a) {
            sum += x & 0xff;
            umax = Math.max(umax, x & 0xff);
            smin = Math.min(smin, x);
        }
        assertEquals(sum & 0xff, one("addv b0, v1.16b").cpu.v[0]);
        assertEquals(sum, one("uaddlv h0, v1.16b").cpu.v[0]);
        assertEquals(umax, one("umaxv b0, v1.16b").cpu.v[0]);
        assertEquals(smin & 0xff, one("sminv b0, v1.16b").cpu.v[0]);
        TestRig r = one("addp v0.16b, v1.16b, v2.16b");
        for (int i = 0; i < 16; i++) {
            byte[] src = i < 8 ? a : bb;
            int k = 2 * (i & 7);
            assertEquals((src[k] + src[k + 1]) & 0xff, b(r.cpu.v[0], r.cpu.v[1], i), "addp " + i);
        }
        r = one("umull2 v0.8h, v1.16b, v2.16b");
        for (int i = 0; i < 8; i++) {
            assertEquals((a[8 + i] & 0xff) * (bb[8 + i] & 0xff), (int) Vreg.get(r.cpu.v, 0, i, 2), "umull2 " + i);
        }
        r = one("sxtl v0.8h, v1.8b");
        for (int i = 0; i < 8; i++) assertEquals((long) a[i], Vreg.sget(r.cpu.v, 0, i, 2), "sxtl " + i);
        r = one("xtn2 v0.16b, v1.8h");
        assertEquals(-1, r.cpu.v[0]);
        for (int i = 0; i < 8; i++) assertEquals(a[2 * i] & 0xff, b(r.cpu.v[0], r.cpu.v[1], 8 + i), "xtn2 " + i);
        r = one("shrn v0.8b, v1.8h, #4");
        for (int i = 0; i < 8; i++) {
            int h = (a[2 * i] & 0xff) | (a[2 * i + 1] & 0xff) << 8;
            assertEquals((h >>> 4) & 0xff, b(r.cpu.v[0], 0, i), "shrn " + i);
        }
        assertEquals(0, r.cpu.v[1]);
        r = one("pmull v0.8h, v1.8b, v2.8b");
        for (int i = 0; i < 8; i++) {
            int p = 0;
            for (int k = 0; k < 8; k++) if ((bb[i] >> k & 1) != 0) p ^= (a[i] & 0xff) << k;
            assertEquals(p, (int) Vreg.get(r.cpu.v, 0, i, 2), "pmull " + i);
        }
        r = one("rev64 v0.4s, v1.4s");
        assertEquals(A0 << 32 | A0 >>> 32, r.cpu.v[0]);
        r = one("rev16 v0.16b, v1.16b");
        assertEquals(0x0123456789abcdefL, A1);
        assertEquals(0x23016745ab89efcdL, r.cpu.v[1]);
        r = one("uaddlp v0.4s, v1.8h");
        assertEquals(((A0 & 0xffff) + ((A0 >>> 16) & 0xffff)), r.cpu.v[0] & 0xffffffffL);
    }
}
