package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** SIMD&FP loads and stores: every addressing form, writeback, pairs, structures. Data at RAM + 0x1000. */
class SimdLoadStoreTest {
    static final long DATA = TestRig.RAM + 0x1000;

    /** A rig whose data area holds bytes 0x00, 0x01, ... 0xff repeated. */
    private static TestRig rig(String src) {
        TestRig r = new TestRig().asm(src);
        for (int i = 0; i < 512; i++) r.bus.write(DATA + i, 1, i & 0xff);
        r.cpu.setReg(1, DATA);
        return r;
    }

    /** The 8 little-endian bytes starting with value {@code first} (consecutive byte values). */
    private static long bytesFrom(int first) {
        long x = 0;
        for (int i = 7; i >= 0; i--) x = x << 8 | ((first + i) & 0xff);
        return x;
    }

    @Test
    void ldrEveryWidthZeroesTheRest() {
        TestRig r = rig("ldr b0, [x1, #3]\nldr h2, [x1, #4]\nldr s3, [x1, #8]\nldr d4, [x1, #16]\nldr q5, [x1, #32]");
        for (int i = 0; i < 64; i++) r.cpu.v[i] = -1;
        r.run(5);
        assertEquals(3, r.cpu.v[0]);
        assertEquals(0, r.cpu.v[1]);
        assertEquals(0x0504, r.cpu.v[4]);
        assertEquals(0x0b0a0908L, r.cpu.v[6]);
        assertEquals(bytesFrom(16), r.cpu.v[8]);
        assertEquals(0, r.cpu.v[9]);
        assertEquals(bytesFrom(32), r.cpu.v[10]);
        assertEquals(bytesFrom(40), r.cpu.v[11]);
        assertEquals(TestRig.RAM + 20, r.cpu.pc());
    }

    @Test
    void preAndPostIndexUnscaledAndRegisterOffset() {
        TestRig r = rig("ldr q0, [x1, #16]!\nldr d1, [x1], #-8\nldur s2, [x1, #-3]\nldr d3, [x1, x2, lsl #3]\n"
                + "ldr q4, [x1, w3, sxtw]\nldr h5, [x1, w4, uxtw #1]");
        r.cpu.setReg(2, 2);
        r.cpu.setReg(3, 0xfffffff8L); // -8 as sxtw
        r.cpu.setReg(4, 0x100000003L); // uxtw keeps 3
        r.run(6);
        assertEquals(bytesFrom(16), r.cpu.v[0]);
        assertEquals(bytesFrom(16), r.cpu.v[2]);
        assertEquals(DATA + 8, r.x(1));
        assertEquals(0x08070605L, r.cpu.v[4]);
        assertEquals(bytesFrom(24), r.cpu.v[6]);
        assertEquals(bytesFrom(0), r.cpu.v[8]);
        assertEquals(bytesFrom(8), r.cpu.v[9]);
        assertEquals(0x0f0e, r.cpu.v[10]);
    }

    @Test
    void storesOfEveryWidth() {
        TestRig r = rig("str b0, [x1]\nstr h0, [x1, #2]\nstr s0, [x1, #4]!\nstr d0, [x1, #4]\nstr q0, [x1], #28\n"
                + "stur q1, [x1, #-1]");
        r.cpu.v[0] = 0x1122334455667788L;
        r.cpu.v[1] = 0x99aabbccddeeff00L;
        r.cpu.v[2] = 0x0123456789abcdefL;
        r.cpu.v[3] = 0x0fedcba987654321L;
        r.run(6);
        assertEquals(0x88, r.bus.read(DATA, 1));
        assertEquals(0x7788, r.bus.read(DATA + 2, 2));
        assertEquals(0x1122334455667788L, r.bus.read(DATA + 4, 8)); // q0 overwrote s0 and d0
        assertEquals(0x99aabbccddeeff00L, r.bus.read(DATA + 12, 8));
        assertEquals(DATA + 32, r.x(1));
        assertEquals(0x0123456789abcdefL, r.bus.read(DATA + 31, 8));
        assertEquals(0x0fedcba987654321L, r.bus.read(DATA + 39, 8));
    }

    @Test
    void pairsAndLiteral() {
        TestRig r = rig("ldp q0, q1, [x1, #32]\nldp s2, s3, [x1], #8\nstp d4, d5, [x1, #-16]!\nldnp d6, d7, [x1, #16]\n"
                + "ldr q8, lit\nldr s9, lit\nb .\n.align 4\nlit: .quad 0x1111222233334444, 0x5555666677778888");
        r.cpu.v[8] = 0xaaaaL;
        r.cpu.v[10] = 0xbbbbL;
        r.run(6);
        assertEquals(bytesFrom(32), r.cpu.v[0]);
        assertEquals(bytesFrom(40), r.cpu.v[1]);
        assertEquals(bytesFrom(48), r.cpu.v[2]);
        assertEquals(0x03020100L, r.cpu.v[4]);
        assertEquals(0x07060504L, r.cpu.v[6]);
        assertEquals(DATA - 8, r.x(1));
        assertEquals(0xaaaaL, r.bus.read(DATA - 8, 8));
        assertEquals(0xbbbbL, r.bus.read(DATA, 8));
        assertEquals(bytesFrom(8), r.cpu.v[12]);
        assertEquals(bytesFrom(16), r.cpu.v[14]);
        assertEquals(0x1111222233334444L, r.cpu.v[16]);
        assertEquals(0x5555666677778888L, r.cpu.v[17]);
        assertEquals(0x33334444L, r.cpu.v[18]);
    }

    @Test
    void ld1MultipleAndInterleaved() {
        TestRig r = rig("ld1 {v0.16b, v1.16b}, [x1], #32\nld2 {v2.8b, v3.8b}, [x1]\nld4 {v4.4s-v7.4s}, [x1], x2\n"
                + "ld3 {v8.4h, v9.4h, v10.4h}, [x1]");
        r.cpu.setReg(2, 64);
        r.cpu.v[5] = -1;
        r.run(4);
        assertEquals(bytesFrom(0), r.cpu.v[0]);
        assertEquals(bytesFrom(24), r.cpu.v[3]);
        // ld2 .8b from bytes 32..47: even bytes to v2, odd to v3
        assertEquals(0x2e2c2a2826242220L, r.cpu.v[4]);
        assertEquals(0, r.cpu.v[5]);
        assertEquals(0x2f2d2b2927252321L, r.cpu.v[6]);
        // ld4 .4s from 32..95: v4 lanes are words at 32, 48, 64, 80
        assertEquals(0x3332313023222120L, r.cpu.v[8]);
        assertEquals(0x3736353427262524L, r.cpu.v[10]);
        assertEquals(DATA + 96, r.x(1));
        // ld3 .4h from 96..119: v8 halfwords at 96, 102, 108, 114
        assertEquals(0x7372_6d6c_6766_6160L, r.cpu.v[16]);
        assertEquals(0x7574_6f6e_6968_6362L, r.cpu.v[18]);
    }

    @Test
    void st1AndSingleStructuresAndReplicate() {
        TestRig r = rig("st1 {v0.2d, v1.2d}, [x1]\nld1 {v2.s}[3], [x1]\nld1r {v3.8h}, [x1], #2\n"
                + "st1 {v0.b}[9], [x1], x2\nld2r {v4.2s, v5.2s}, [x1]\nld4 {v6.b, v7.b, v8.b, v9.b}[15], [x1], #4");
        r.cpu.v[0] = 0x0706050403020100L;
        r.cpu.v[1] = 0x0f0e0d0c0b0a0908L;
        r.cpu.v[2] = 0x1716151413121110L;
        r.cpu.v[3] = 0x1f1e1d1c1b1a1918L;
        r.cpu.setReg(2, 14);
        r.run(6);
        assertEquals(0x0f0e0d0c0b0a0908L, r.bus.read(DATA + 8, 8));
        assertEquals(0x1f1e1d1c1b1a1918L, r.bus.read(DATA + 24, 8));
        assertEquals(0x03020100_00000000L, r.cpu.v[5]); // lane 3 = bytes 0..3, lane 2 kept
        assertEquals(0x1716151413121110L, r.cpu.v[2]);
        assertEquals(0x0100010001000100L, r.cpu.v[6]);
        assertEquals(0x0100010001000100L, r.cpu.v[7]);
        assertEquals(0x09, r.bus.read(DATA + 2, 1));
        assertEquals(DATA + 20, r.x(1));
        assertEquals(0x1312111013121110L, r.cpu.v[8]);
        assertEquals(0, r.cpu.v[9]);
        assertEquals(0x1716151417161514L, r.cpu.v[10]);
        assertEquals(0x10L, r.cpu.v[13] >>> 56);
        assertEquals(0x13L, r.cpu.v[19] >>> 56);
    }
}
