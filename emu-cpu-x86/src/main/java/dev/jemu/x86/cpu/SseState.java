package dev.jemu.x86.cpu;

/**
 * FXSAVE/FXRSTOR (the 512-byte legacy area: x87 with its abridged tag word, MXCSR, XMM registers) and
 * LDMXCSR/STMXCSR. The 0F AE group belongs to SystemOps, which calls these through {@link SseOps}.
 */
final class SseState {
    /** MXCSR bits that may be set (DAZ included): FXSAVE reports it as MXCSR_MASK. */
    static final int MXCSR_MASK = 0xffff;

    private SseState() {
    }

    /** FXSAVE/FXRSTOR raise #NM for CR0.EM or CR0.TS (not #UD). */
    private static void checkFx(X86Cpu c) {
        if ((c.cr0 & (X86Cpu.CR0_EM | X86Cpu.CR0_TS)) != 0) {
            throw c.fault(Vectors.NM);
        }
    }

    static X86Op fxsave(Insn d) {
        if (!d.isMem()) {
            return null;
        }
        Ea ea = d.ea();
        boolean wide = d.rexW();
        return c -> {
            checkFx(c);
            long a = Sse.aligned(c, ea);
            X87 x = c.x87;
            // probe the last byte first so that a fault leaves memory as it was
            c.write8(a + 511, c.read8(a + 511));
            c.write16(a, x.fcw);
            c.write16(a + 2, x.status());
            c.write16(a + 4, x.used);
            c.write16(a + 6, x.fop);
            if (wide) {
                c.write64(a + 8, x.fip);
                c.write64(a + 16, x.fdp);
            } else {
                c.write32(a + 8, x.fip);
                c.write32(a + 12, x.fcs);
                c.write32(a + 16, x.fdp);
                c.write32(a + 20, x.fds);
            }
            c.write32(a + 24, c.mxcsr);
            c.write32(a + 28, MXCSR_MASK);
            for (int i = 0; i < 8; i++) {
                int p = (x.top + i) & 7;
                c.write64(a + 32 + 16 * i, x.mant[p]);
                c.write64(a + 40 + 16 * i, x.se[p]);
            }
            int n = c.is64() ? 16 : 8;
            for (int i = 0; i < n; i++) {
                c.write64(a + 160 + 16 * i, c.xmm[2 * i]);
                c.write64(a + 168 + 16 * i, c.xmm[2 * i + 1]);
            }
        };
    }

    static X86Op fxrstor(Insn d) {
        if (!d.isMem()) {
            return null;
        }
        Ea ea = d.ea();
        boolean wide = d.rexW();
        return c -> {
            checkFx(c);
            long a = Sse.aligned(c, ea);
            int mx = (int) c.read32(a + 24);
            if ((mx & ~MXCSR_MASK) != 0) {
                throw c.fault(Vectors.GP, 0);
            }
            c.read8(a + 511);
            X87 x = c.x87;
            x.fcw = (int) c.read16(a);
            x.setStatus((int) c.read16(a + 2));
            x.used = (int) c.read8(a + 4);
            x.fop = (int) c.read16(a + 6) & 0x7ff;
            if (wide) {
                x.fip = c.read64(a + 8);
                x.fdp = c.read64(a + 16);
                x.fcs = x.fds = 0;
            } else {
                x.fip = c.read32(a + 8);
                x.fcs = (int) c.read16(a + 12);
                x.fdp = c.read32(a + 16);
                x.fds = (int) c.read16(a + 20);
            }
            for (int i = 0; i < 8; i++) {
                int p = (x.top + i) & 7;
                x.mant[p] = c.read64(a + 32 + 16 * i);
                x.se[p] = (int) c.read16(a + 40 + 16 * i);
            }
            c.mxcsr = mx;
            int n = c.is64() ? 16 : 8;
            for (int i = 0; i < n; i++) {
                c.xmm[2 * i] = c.read64(a + 160 + 16 * i);
                c.xmm[2 * i + 1] = c.read64(a + 168 + 16 * i);
            }
        };
    }

    static X86Op ldmxcsr(Insn d) {
        if (!d.isMem()) {
            return null;
        }
        Ea ea = d.ea();
        return c -> {
            Sse.check(c);
            int v = (int) c.read32(ea.linear(c));
            if ((v & ~MXCSR_MASK) != 0) {
                throw c.fault(Vectors.GP, 0);
            }
            c.mxcsr = v;
        };
    }

    static X86Op stmxcsr(Insn d) {
        if (!d.isMem()) {
            return null;
        }
        Ea ea = d.ea();
        return c -> {
            Sse.check(c);
            c.write32(ea.linear(c), c.mxcsr);
        };
    }
}
