package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** ModRM/SIB/displacement decoding of memory operands in each address size. */
class InsnTest {
    private static Insn at(int mode, int rex, int... bytes) {
        Insn d = new Insn();
        d.begin(a -> bytes[(int) a], 0, mode);
        d.rex = rex;
        return d;
    }

    @Test
    void ripRelativeIn64BitMode() {
        Insn d = at(64, 0, 0x05, 0x10, 0, 0, 0); // [rip + 0x10]
        assertTrue(d.isMem());
        Ea ea = d.ea();
        assertEquals(Ea.RIP, ea.base);
        assertEquals(0x10, ea.disp);
        assertEquals(5, d.length());
    }

    @Test
    void sibWithRexExtensionsAndDisp8() {
        // mod 01, rm 100 (SIB), reg 010; SIB scale 3, index 001 (+REX.X = r9), base 101 (+REX.B = r13); disp8 -8
        Insn d = at(64, 0x4f, 0x54, 0xcd, 0xf8);
        Ea ea = d.ea();
        assertEquals(10, d.reg());
        assertEquals(13, ea.base);
        assertEquals(9, ea.index);
        assertEquals(3, ea.scale);
        assertEquals(-8, ea.disp);
        assertEquals(X86Cpu.DS, ea.seg, "only rbp and rsp bases default to SS; r13 does not");
    }

    @Test
    void sixteenBitBpPlusDiUsesSs() {
        Insn d = at(16, 0, 0x43, 0x20); // mod 01 rm 011: [bp+di+0x20]
        Ea ea = d.ea();
        assertEquals(X86Cpu.RBP, ea.base);
        assertEquals(X86Cpu.RDI, ea.index);
        assertEquals(X86Cpu.SS, ea.seg);
        assertEquals(0x20, ea.disp);
    }

    @Test
    void registerForm() {
        Insn d = at(64, 0x41, 0xc8); // mod 11 reg 001 rm 000 + REX.B
        assertFalse(d.isMem());
        assertEquals(8, d.rm());
        assertEquals(1, d.modrmReg());
    }
}
