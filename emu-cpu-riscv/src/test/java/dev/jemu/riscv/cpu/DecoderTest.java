package dev.jemu.riscv.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DecoderTest {
    // Compressed instructions and their 32-bit expansions, both assembled by riscv64-unknown-elf-as.
    private static final int[] COMPRESSED = {
        0x0808, 0x2588, 0x42d0, 0x6f98, 0xbc6c, 0xdd64, 0xe20c, 0x0001, 0x1501, 0x25fd, 0x567d, 0x7101, 0x617d,
        0x7685, 0x677d, 0x917d, 0x8585, 0x9a01, 0x8c05, 0x8d2d, 0x8e55, 0x8f7d, 0x9c1d, 0x9d25, 0xb001, 0xaffd,
        0xd101, 0xeffd, 0x12fe, 0x30fe, 0x53fe, 0x7e7e, 0x8082, 0x8efa, 0x9002, 0x9f82, 0x994e, 0xbfa2, 0xdfd2,
        0xffd6,
    };
    private static final int[] EXPANDED = {
        0x01010513, 0x0085b507, 0x0046a603, 0x0187b703, 0x0eb43c27, 0x06952e23, 0x00b63023, 0x00000013,
        0xfe050513, 0x01f5859b, 0xfff00613, 0xe0010113, 0x1f010113, 0xfffe16b7, 0x0001f737, 0x03f55513,
        0x4015d593, 0xfe067613, 0x40940433, 0x00b54533, 0x00d66633, 0x00f77733, 0x40f4043b, 0x0095053b,
        0x801ff06f, 0x7fe0006f, 0xf00500e3, 0x0e079f63, 0x03f29293, 0x1f813087, 0x0fc12383, 0x1f813e03,
        0x00008067, 0x01e00eb3, 0x00100073, 0x000f80e7, 0x01390933, 0x1e813c27, 0x0f412e23, 0x1f513c23,
    };

    @Test
    void compressedExpandsToItsBaseInstruction() {
        for (int i = 0; i < COMPRESSED.length; i++) {
            long c = Decoder.decode(COMPRESSED[i]);
            long e = Decoder.decode(EXPANDED[i]);
            assertEquals(Decoder.COMPRESSED, (int) c & Decoder.COMPRESSED, "compressed flag " + i);
            assertEquals(e, c & ~(long) Decoder.COMPRESSED,
                    String.format("c=%04x expected %s, got %s", COMPRESSED[i], show(e), show(c)));
            assertEquals(2, Decoder.length((int) c));
            assertEquals(4, Decoder.length((int) e));
        }
    }

    private static String show(long d) {
        int p = (int) d;
        return Op.name(Decoder.op(p)) + " rd=" + Decoder.rd(p) + " rs1=" + Decoder.rs1(p) + " rs2="
                + Decoder.rs2(p) + " imm=" + (d >> 32);
    }

    @Test
    void fieldsAndImmediates() {
        long d = Decoder.decode(0xfff00613); // addi a2, x0, -1
        assertEquals(Op.ADDI, Decoder.op((int) d));
        assertEquals(12, Decoder.rd((int) d));
        assertEquals(0, Decoder.rs1((int) d));
        assertEquals(-1, d >> 32);
        d = Decoder.decode(0x00000013); // nop writes the x0 sink
        assertEquals(Decoder.X0_SINK, Decoder.rd((int) d));
        d = Decoder.decode(0x801ff06f); // jal x0, -2048
        assertEquals(Op.JAL, Decoder.op((int) d));
        assertEquals(-2048, d >> 32);
        d = Decoder.decode(0xf00500e3); // beq a0, x0, -256
        assertEquals(Op.BEQ, Decoder.op((int) d));
        assertEquals(-256, d >> 32);
        d = Decoder.decode(Asm.s(-2047, 11, 12, 3, 0x23)); // sd a1, -2047(a2)
        assertEquals(Op.SD, Decoder.op((int) d));
        assertEquals(-2047, d >> 32);
        d = Decoder.decode(0xfffe16b7); // lui a3, 0xfffe1
        assertEquals(0xffff_ffff_fffe_1000L, d >> 32);
        d = Decoder.decode(Asm.i(0x305, 10, 1, 0, 0x73)); // csrrw x0, mtvec, a0
        assertEquals(Op.CSRRW, Decoder.op((int) d));
        assertEquals(0x305, d >> 32);
        assertEquals(10, Decoder.rs1((int) d));
    }

    @Test
    void bitManipulationEncodings() {
        assertEquals(Op.SH1ADD, Decoder.op((int) Decoder.decode(Asm.r(0x10, 2, 1, 2, 3, 0x33))));
        assertEquals(Op.ADD_UW, Decoder.op((int) Decoder.decode(Asm.r(0x04, 2, 1, 0, 3, 0x3b))));
        assertEquals(Op.ZEXT_H, Decoder.op((int) Decoder.decode(Asm.r(0x04, 0, 1, 4, 3, 0x3b))));
        assertEquals(Op.CLZ, Decoder.op((int) Decoder.decode(Asm.i(0x600, 1, 1, 3, 0x13))));
        assertEquals(Op.REV8, Decoder.op((int) Decoder.decode(Asm.i(0x6b8, 1, 5, 3, 0x13))));
        assertEquals(Op.ORC_B, Decoder.op((int) Decoder.decode(Asm.i(0x287, 1, 5, 3, 0x13))));
        assertEquals(Op.RORI, Decoder.op((int) Decoder.decode(Asm.i(0x600 | 63, 1, 5, 3, 0x13))));
        assertEquals(Op.BSETI, Decoder.op((int) Decoder.decode(Asm.i(0x280 | 40, 1, 1, 3, 0x13))));
        assertEquals(Op.SLLI_UW, Decoder.op((int) Decoder.decode(Asm.i(0x080 | 33, 1, 1, 3, 0x1b))));
        assertEquals(Op.RORIW, Decoder.op((int) Decoder.decode(Asm.i(0x600 | 31, 1, 5, 3, 0x1b))));
    }

    @Test
    void reservedEncodingsAreIllegal() {
        assertEquals(Op.ILLEGAL, Decoder.op((int) Decoder.decode(0x0000)));          // all-zero halfword
        assertEquals(Op.ILLEGAL, Decoder.op((int) Decoder.decode(0xffffffff)));
        assertEquals(Op.ILLEGAL, Decoder.op((int) Decoder.decode(0x4002)));          // c.lwsp x0
        assertEquals(Op.ILLEGAL, Decoder.op((int) Decoder.decode(0x8002)));          // c.jr x0
        assertEquals(Op.ILLEGAL, Decoder.op((int) Decoder.decode(0x6101)));          // c.addi16sp 0
        assertEquals(Op.ILLEGAL, Decoder.op((int) Decoder.decode(0x2001)));          // c.addiw x0
        assertEquals(Op.ILLEGAL, Decoder.op((int) Decoder.decode(Asm.i(0, 1, 3, 2, 0x03) | 7 << 12))); // load f3=7
        assertEquals(Op.ILLEGAL, Decoder.op((int) Decoder.decode(0x0000_4073)));   // SYSTEM f3=4
        assertEquals(Op.ILLEGAL, Decoder.op((int) Decoder.decode(Asm.r(0x08, 1, 2, 2, 3, 0x2f)))); // lr with rs2
        assertEquals(Op.ILLEGAL, Decoder.op((int) Decoder.decode(Asm.r(0x02, 2, 1, 0, 3, 0x53)))); // fadd.h
    }

    @Test
    void opNamesCoverEveryOp() {
        for (int op = 0; op < Op.COUNT; op++) {
            org.junit.jupiter.api.Assertions.assertFalse(Op.name(op).startsWith("op"), "name of " + op);
        }
    }
}
