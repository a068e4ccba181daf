package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The SSE fault rules (#UD, #NM, #GP alignment, #XM) and FXSAVE/FXRSTOR/LDMXCSR/STMXCSR. */
class SseRulesTest {
    final FpRig rig = new FpRig();
    final X86Cpu c = rig.cpu;

    static final String MOVAPS_RDI = "0f2807";   // movaps (%rdi), %xmm0
    static final String MOVUPS_RDI = "0f1007";   // movups (%rdi), %xmm0
    static final String ADDSS = "f30f58c1";      // addss %xmm1, %xmm0
    static final String DIVSS = "f30f5ec1";      // divss %xmm1, %xmm0

    @Test
    void alignedFormsFaultOnMisalignedMemory() {
        c.r[X86Cpu.RDI] = FpRig.DATA + 8;
        assertEquals(Vectors.GP, rig.exec(FpRig.hex(MOVAPS_RDI)));
        assertEquals(0, c.excError);
        assertEquals(-1, rig.exec(FpRig.hex(MOVUPS_RDI)));
        c.r[X86Cpu.RDI] = FpRig.DATA;
        assertEquals(-1, rig.exec(FpRig.hex(MOVAPS_RDI)));
    }

    @Test
    void availabilityFollowsCr0AndCr4() {
        c.cr0 |= X86Cpu.CR0_TS;
        assertEquals(Vectors.NM, rig.exec(FpRig.hex(ADDSS)));
        c.cr0 &= ~X86Cpu.CR0_TS;
        c.cr0 |= X86Cpu.CR0_EM;
        assertEquals(Vectors.UD, rig.exec(FpRig.hex(ADDSS)));
        c.cr0 &= ~X86Cpu.CR0_EM;
        c.cr4 &= ~X86Cpu.CR4_OSFXSR;
        assertEquals(Vectors.UD, rig.exec(FpRig.hex(ADDSS)));
        c.cr4 |= X86Cpu.CR4_OSFXSR;
        assertEquals(-1, rig.exec(FpRig.hex(ADDSS)));
    }

    @Test
    void unmaskedExceptionRaisesXmWithoutWritingTheResult() {
        rig.setXmm(0, 0x3f800000, 0);   // 1.0f
        rig.setXmm(1, 0, 0);            // 0.0f
        c.mxcsr = 0x1f80 & ~0x200;      // ZM clear
        assertEquals(Vectors.XM, rig.exec(FpRig.hex(DIVSS)));
        assertEquals(0x3f800000, c.xmm[0], "destination kept");
        assertEquals(0x1f80 & ~0x200 | SseFpu.ZE, c.mxcsr, "the flag is set even so");
        c.cr4 &= ~X86Cpu.CR4_OSXMMEXCPT;
        assertEquals(Vectors.UD, rig.exec(FpRig.hex(DIVSS)), "#UD without CR4.OSXMMEXCPT");
        c.mxcsr = 0x1f80;
        assertEquals(-1, rig.exec(FpRig.hex(DIVSS)));
        assertEquals(0x7f800000, c.xmm[0], "masked: +inf");
    }

    @Test
    void undefinedPrefixFormsAreUd() {
        assertEquals(Vectors.UD, rig.exec(FpRig.hex("f30fd4c1")), "paddq has no F3 form");
        assertEquals(Vectors.UD, rig.exec(FpRig.hex("660f12c1")), "movlpd with a register source");
        assertEquals(Vectors.UD, rig.exec(FpRig.hex("660fe7c1")), "movntdq to a register");
    }

    private X86Op decodeAe(String hex) {
        byte[] b = FpRig.hex(hex);
        Insn d = new Insn();
        d.begin(a -> b[(int) a] & 0xff, 0, 64);
        int rex = b[0] & 0xf0;
        int pos = 0;
        if (rex == 0x40) {
            d.rex = b[0];
            pos = 1;
            d.next8();
        }
        d.next8();
        d.next8(); // 0f ae
        int digit = b[pos + 2] >>> 3 & 7;
        return switch (digit) {
            case 0 -> SseOps.fxsave(d);
            case 1 -> SseOps.fxrstor(d);
            case 2 -> SseOps.ldmxcsr(d);
            default -> SseOps.stmxcsr(d);
        };
    }

    @Test
    void fxsaveAndFxrstorRoundTripTheLegacyArea() {
        c.r[X86Cpu.RDI] = FpRig.DATA;
        for (int i = 0; i < 32; i++) {
            c.xmm[i] = 0x1111111111111111L * (i % 15 + 1);
        }
        c.mxcsr = 0x9fc0;
        c.x87.fcw = 0x27f;
        c.x87.top = 6;
        c.x87.used = 0xc0;
        c.x87.mant[6] = 0x8000000000000000L;
        c.x87.se[6] = 0x3fff;          // 1.0 in ST(0)
        c.x87.mant[7] = 0xc000000000000000L;
        c.x87.se[7] = 0xc000;          // -3.0 in ST(1)
        decodeAe("480fae07").exec(c);  // fxsave64 (%rdi)
        assertEquals(0x27f, rig.bus.read(FpRig.DATA, 2));
        assertEquals(6 << 11, rig.bus.read(FpRig.DATA + 2, 2));
        assertEquals(0xc0, rig.bus.read(FpRig.DATA + 4, 1), "abridged tag");
        assertEquals(0x9fc0, rig.bus.read(FpRig.DATA + 24, 4));
        assertEquals(0xffff, rig.bus.read(FpRig.DATA + 28, 4), "MXCSR_MASK with DAZ");
        assertEquals(0x8000000000000000L, rig.bus.read(FpRig.DATA + 32, 8), "ST(0) first");
        assertEquals(0xc000, rig.bus.read(FpRig.DATA + 56, 2), "ST(1) next");
        assertEquals(c.xmm[30], rig.bus.read(FpRig.DATA + 160 + 15 * 16, 8), "XMM15 in 64-bit mode");

        X86Cpu saved = c;
        long[] xmm = saved.xmm.clone();
        java.util.Arrays.fill(c.xmm, 0);
        c.mxcsr = 0x1f80;
        c.x87.reset();
        decodeAe("480fae0f").exec(c);  // fxrstor64 (%rdi)
        assertEquals(0x9fc0, c.mxcsr);
        assertEquals(6, c.x87.top);
        assertEquals(0xc0, c.x87.used);
        assertEquals(0xc000, c.x87.se[7]);
        assertEquals(java.util.Arrays.toString(xmm), java.util.Arrays.toString(c.xmm));

        rig.bus.write(FpRig.DATA + 24, 4, 0x10000);   // a reserved MXCSR bit
        c.rip = FpRig.CODE;
        try {
            decodeAe("480fae0f").exec(c);
            throw new AssertionError("no #GP");
        } catch (X86Exception e) {
            assertEquals(Vectors.GP, c.excVector);
        }
        c.r[X86Cpu.RDI] = FpRig.DATA + 8;
        try {
            decodeAe("0fae07").exec(c);
            throw new AssertionError("no #GP for a misaligned area");
        } catch (X86Exception e) {
            assertEquals(Vectors.GP, c.excVector);
        }
    }

    @Test
    void ldmxcsrChecksReservedBitsAndStmxcsrStores() {
        c.r[X86Cpu.RDI] = FpRig.DATA;
        rig.bus.write(FpRig.DATA, 4, 0x7fbf);
        decodeAe("0fae17").exec(c);     // ldmxcsr (%rdi)
        assertEquals(0x7fbf, c.mxcsr);
        rig.bus.write(FpRig.DATA + 4, 4, 0);
        c.r[X86Cpu.RDI] = FpRig.DATA + 4;
        decodeAe("0fae1f").exec(c);     // stmxcsr (%rdi)
        assertEquals(0x7fbf, rig.bus.read(FpRig.DATA + 4, 4));
        rig.bus.write(FpRig.DATA, 4, 0x20000);
        c.r[X86Cpu.RDI] = FpRig.DATA;
        try {
            decodeAe("0fae17").exec(c);
            throw new AssertionError("no #GP");
        } catch (X86Exception e) {
            assertEquals(Vectors.GP, c.excVector);
        }
    }
}
