package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Known answers for the crypto instructions (FIPS-197's S-box and MixColumns examples, a carry-less square). */
class SimdCryptoTest {
    @Test
    void aesSubBytesAndMixColumns() {
        TestRig r = new TestRig().asm(".arch armv8-a+crypto\naese v0.16b, v1.16b\naesmc v2.16b, v3.16b\n"
                + "aesimc v4.16b, v2.16b\naesd v5.16b, v0.16b");
        long[] v = r.cpu.v;
        v[6] = 0x455313db_455313dbL; // columns db 13 53 45
        v[7] = 0x5c220af2_01010101L; // columns 01 01 01 01 and f2 0a 22 5c
        r.run(4);
        assertEquals(0x6363636363636363L, v[0]); // SubBytes(0) = 0x63
        assertEquals(0x6363636363636363L, v[1]);
        assertEquals(0xbca14d8e_bca14d8eL, v[4]); // -> 8e 4d a1 bc
        assertEquals(0x9d58dc9f_01010101L, v[5]); // -> 01 01 01 01 and 9f dc 58 9d
        assertEquals(0x455313db_455313dbL, v[8]); // InvMixColumns undoes it
        assertEquals(0, v[10]); // InvSubBytes(0x63) = 0
    }

    @Test
    void pmull64() {
        TestRig r = new TestRig().asm(".arch armv8-a+crypto\npmull2 v0.1q, v1.2d, v1.2d");
        r.cpu.v[3] = 0x8000000000000003L;
        r.run(1);
        // (x^63 + x + 1)^2 = x^126 + x^2 + 1 over GF(2)
        assertEquals(0b101, r.cpu.v[0]);
        assertEquals(1L << 62, r.cpu.v[1]);
    }
}
