package dev.jemu.x86.cpu;

/**
 * Segment descriptors: reading them from the GDT/LDT, turning them into a {@link Segment}'s hidden part, and the
 * checks of loading a data or stack segment register (MOV Sreg, POP Sreg, LDS..LSS) in every mode. Faults carry
 * the selector error code (index, TI; the EXT bit where the caller says). System-table accesses are made as
 * supervisor accesses whatever the CPL (see {@link #supervisor}).
 */
final class Descriptors {
    /** Descriptor type bits (the 4-bit type field of code/data descriptors). */
    static final int ACCESSED = 1, WRITABLE = 2, READABLE = 2, CONFORMING = 4, CODE = 8;
    /** System descriptor types. */
    static final int LDT = 2, TSS16_AVAIL = 1, TSS16_BUSY = 3, CALL_GATE16 = 4, TASK_GATE = 5, INT_GATE16 = 6,
            TRAP_GATE16 = 7, TSS_AVAIL = 9, TSS_BUSY = 0xb, CALL_GATE = 0xc, INT_GATE = 0xe, TRAP_GATE = 0xf;

    private Descriptors() {
    }

    /** Protected mode proper: CR0.PE set and not virtual-8086 mode (where selectors index descriptor tables). */
    static boolean protectedMode(X86Cpu c) {
        return (c.cr0 & X86Cpu.CR0_PE) != 0 && (c.rflagsOther & X86Cpu.VM) == 0;
    }

    /** A read of a system structure (GDT, LDT, IDT, TSS): a supervisor access whatever the CPL. */
    static long supervisorRead(X86Cpu c, long linear, int bits) {
        return c.mmu.readSupervisor(linear, bits / 8);
    }

    /** A write of a system structure or of an interrupt frame on a privileged stack. */
    static void supervisorWrite(X86Cpu c, long linear, int bits, long v) {
        c.mmu.writeSupervisor(linear, bits / 8, v);
    }

    /** The selector error code of {@code sel}: index and TI, RPL bits cleared, plus EXT. */
    static int err(int sel, boolean ext) {
        return (sel & 0xfffc) | (ext ? 1 : 0);
    }

    /** The linear address of {@code sel}'s descriptor, or #GP(sel) when it lies beyond its table's limit. */
    static long address(X86Cpu c, int sel, int bytes, boolean ext) {
        long base;
        long limit;
        if ((sel & 4) != 0) {
            if (!c.ldtr.present()) {
                throw c.fault(Vectors.GP, err(sel, ext));
            }
            base = c.ldtr.base;
            limit = c.ldtr.limit;
        } else {
            base = c.gdtBase;
            limit = c.gdtLimit;
        }
        int off = sel & 0xfff8;
        if (off + bytes - 1 > limit) {
            throw c.fault(Vectors.GP, err(sel, ext));
        }
        return base + off;
    }

    /** The 8-byte descriptor of {@code sel} (#GP(sel) beyond the table). */
    static long fetch(X86Cpu c, int sel, boolean ext) {
        return supervisorRead(c, address(c, sel, 8, ext), 64);
    }

    /** The upper 8 bytes of a 16-byte system descriptor in long mode (#GP(sel) beyond the table). */
    static long fetchHigh(X86Cpu c, int sel, boolean ext) {
        return supervisorRead(c, address(c, sel, 16, ext) + 8, 64);
    }

    static int attr(long raw) {
        return (int) (raw >>> 32) & 0x00f0ff00;
    }

    static int type(long raw) {
        return (int) (raw >>> 40) & 0xf;
    }

    static int dpl(long raw) {
        return (int) (raw >>> 45) & 3;
    }

    static boolean present(long raw) {
        return (raw & 1L << 47) != 0;
    }

    /** Whether it is a code or data descriptor (S=1). */
    static boolean codeOrData(long raw) {
        return (raw & 1L << 44) != 0;
    }

    static boolean isCode(long raw) {
        return codeOrData(raw) && (type(raw) & CODE) != 0;
    }

    static long base(long raw) {
        return (raw >>> 16 & 0xffffff) | (raw >>> 32 & 0xff000000L);
    }

    /** The byte limit, scaled by G. */
    static long limit(long raw) {
        long l = (raw & 0xffff) | (raw >>> 32 & 0xf0000);
        return (raw & 1L << 55) != 0 ? l << 12 | 0xfff : l;
    }

    /** Fills {@code s} from descriptor {@code raw} with selector {@code sel}. */
    static void load(Segment s, int sel, long raw) {
        s.set(sel, base(raw), limit(raw), attr(raw));
    }

    /** Sets the descriptor's accessed bit in memory when it is clear (code and data descriptors). */
    static long markAccessed(X86Cpu c, int sel, long raw) {
        if ((raw & 1L << 40) == 0) {
            raw |= 1L << 40;
            supervisorWrite(c, address(c, sel, 8, false) + 5, 8, raw >>> 40 & 0xff);
        }
        return raw;
    }

    /** A null segment (an unusable register): selector kept, not present. */
    static void loadNull(Segment s, int sel) {
        s.set(sel, 0, 0, 0);
    }

    /**
     * Loads data or stack segment register {@code sreg} (ES, SS, DS, FS, GS) with {@code sel} as MOV/POP/LxS do:
     * real mode and virtual-8086 mode set base = selector << 4 and keep the cached limit and attributes
     * (so "unreal" mode keeps working); protected mode checks the descriptor.
     */
    static void loadData(X86Cpu c, int sreg, int sel) {
        sel &= 0xffff;
        Segment s = c.seg[sreg];
        if (!protectedMode(c)) {
            s.selector = sel;
            s.base = (long) sel << 4;
            if ((c.rflagsOther & X86Cpu.VM) != 0) {
                s.set(sel, (long) sel << 4, 0xffff, Segment.REAL_DATA | 3 << Segment.DPL_SHIFT);
            }
            if (sreg == X86Cpu.SS) {
                c.updateMode();
            }
            return;
        }
        int rpl = sel & 3;
        if ((sel & 0xfffc) == 0) {
            if (sreg == X86Cpu.SS && !(c.is64() && c.cpl != 3 && rpl == c.cpl)) {
                throw c.fault(Vectors.GP, 0);
            }
            loadNull(s, sel);
            if (sreg == X86Cpu.SS) {
                s.attr = c.cpl << Segment.DPL_SHIFT; // a 64-bit null SS keeps the DPL of the CPL
                c.updateMode();
            }
            return;
        }
        long raw = fetch(c, sel, false);
        int dpl = dpl(raw);
        int type = type(raw);
        if (sreg == X86Cpu.SS) {
            if (rpl != c.cpl || !codeOrData(raw) || (type & CODE) != 0 || (type & WRITABLE) == 0 || dpl != c.cpl) {
                throw c.fault(Vectors.GP, err(sel, false));
            }
            if (!present(raw)) {
                throw c.fault(Vectors.SS, err(sel, false));
            }
        } else {
            if (!codeOrData(raw) || (type & (CODE | READABLE)) == CODE) {
                throw c.fault(Vectors.GP, err(sel, false));
            }
            boolean conformingCode = (type & (CODE | CONFORMING)) == (CODE | CONFORMING);
            if (!conformingCode && (rpl > dpl || c.cpl > dpl)) {
                throw c.fault(Vectors.GP, err(sel, false));
            }
            if (!present(raw)) {
                throw c.fault(Vectors.NP, err(sel, false));
            }
        }
        raw = markAccessed(c, sel, raw);
        load(s, sel, raw);
        if (sreg == X86Cpu.SS) {
            c.updateMode();
        }
    }

    /**
     * Checks {@code sel} as the stack segment of privilege level {@code level} for a stack switch (interrupt,
     * call gate, RET/IRET to an outer level); returns the descriptor. Faults are {@code vector} (#TS for a TSS
     * stack, #GP for a popped one) with the selector, #SS when not present.
     */
    static long checkStack(X86Cpu c, int sel, int level, int vector, boolean ext) {
        if ((sel & 0xfffc) == 0) {
            throw c.fault(vector, ext ? 1 : 0);
        }
        long raw = fetch(c, sel, ext);
        int type = type(raw);
        if ((sel & 3) != level || dpl(raw) != level || !codeOrData(raw) || (type & CODE) != 0
                || (type & WRITABLE) == 0) {
            throw c.fault(vector, err(sel, ext));
        }
        if (!present(raw)) {
            throw c.fault(Vectors.SS, err(sel, ext));
        }
        return raw;
    }

    /**
     * After a return to an outer level (RET far, IRET): data segment registers the new CPL may not use become
     * null (SDM: DS, ES, FS, GS whose DPL is below the CPL, unless conforming code).
     */
    static void dropInaccessibleDataSegments(X86Cpu c) {
        for (int sreg : new int[] {X86Cpu.ES, X86Cpu.DS, X86Cpu.FS, X86Cpu.GS}) {
            Segment s = c.seg[sreg];
            boolean conformingCode = s.code() && (s.type() & CONFORMING) != 0;
            if ((!s.present() || !conformingCode && s.dpl() < c.cpl) && !(c.is64() && sreg >= X86Cpu.FS)) {
                if (s.present() || (s.selector & 0xfffc) != 0) {
                    loadNull(s, 0);
                }
            }
        }
    }

    /** A flat segment for SYSCALL/SYSENTER and friends (which load fixed hidden parts, not descriptors). */
    static void flat(Segment s, int sel, boolean code, int dpl, boolean longMode) {
        int attr = Segment.P | Segment.S | Segment.G | dpl << Segment.DPL_SHIFT
                | (code ? (CODE | READABLE | ACCESSED) : (WRITABLE | ACCESSED)) << Segment.TYPE_SHIFT;
        if (code && longMode) {
            attr |= Segment.L;
        } else {
            attr |= Segment.DB;
        }
        s.set(sel, 0, 0xffffffffL, attr);
    }
}
