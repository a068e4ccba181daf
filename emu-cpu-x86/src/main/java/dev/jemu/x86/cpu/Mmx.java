package dev.jemu.x86.cpu;

/**
 * The MMX register forms: MM0-MM7 alias the x87 registers' significands (physical registers, not the
 * stack); every MMX instruction sets TOP to 0 and tags all registers valid, a write sets the exponent to all
 * ones. #UD with CR0.EM, #NM with CR0.TS, #MF for a pending unmasked x87 exception.
 */
final class Mmx {
    private Mmx() {
    }

    @FunctionalInterface
    interface Kernel {
        void run(X86Cpu c, int dst, long src);
    }

    static void enter(X86Cpu c) {
        if ((c.cr0 & X86Cpu.CR0_EM) != 0) {
            throw c.fault(Vectors.UD);
        }
        if ((c.cr0 & X86Cpu.CR0_TS) != 0) {
            throw c.fault(Vectors.NM);
        }
        X87 x = c.x87;
        if ((x.fsw & X87.ES) != 0) {
            throw c.fault(Vectors.MF);
        }
        x.top = 0;
        x.used = 0xff;
    }

    static long get(X86Cpu c, int r) {
        return c.x87.mant[r];
    }

    static void set(X86Cpu c, int r, long v) {
        c.x87.mant[r] = v;
        c.x87.se[r] = 0xffff;
    }

    /** "op mm, mm/m64". */
    static X86Op rm(Insn d, Kernel k) {
        int dst = d.reg() & 7;
        if (d.isMem()) {
            Ea ea = d.ea();
            return c -> {
                enter(c);
                k.run(c, dst, c.read64(ea.linear(c)));
            };
        }
        int src = d.rm() & 7;
        return c -> {
            enter(c);
            k.run(c, dst, get(c, src));
        };
    }

    /** An element-wise op on the 64-bit register. */
    static X86Op lanes(Insn d, Lanes.Chunk f) {
        return rm(d, (c, r, s) -> set(c, r, f.apply(get(c, r), s)));
    }

    /** 0F 77: EMMS, all registers empty again. */
    static void emms(X86Cpu c) {
        if ((c.cr0 & X86Cpu.CR0_EM) != 0) {
            throw c.fault(Vectors.UD);
        }
        if ((c.cr0 & X86Cpu.CR0_TS) != 0) {
            throw c.fault(Vectors.NM);
        }
        if ((c.x87.fsw & X87.ES) != 0) {
            throw c.fault(Vectors.MF);
        }
        c.x87.used = 0;
    }
}
