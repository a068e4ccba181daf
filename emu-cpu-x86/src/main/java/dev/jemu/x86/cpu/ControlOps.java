package dev.jemu.x86.cpu;

/**
 * Control and debug registers and the descriptor-table instructions: MOV to/from CR0/CR2/CR3/CR4/CR8 (0F 20, 0F 22)
 * with the reserved-bit #GP checks and long-mode activation (EFER.LMA), MOV DR (0F 21, 0F 23), CLTS (0F 06), the 0F 00
 * group (SLDT STR LLDT LTR VERR VERW), the 0F 01 group (SGDT SIDT LGDT LIDT SMSW LMSW INVLPG SWAPGS RDTSCP, the rest
 * #UD as not advertised), LAR (0F 02) and LSL (0F 03).
 */
final class ControlOps {
    private ControlOps() {
    }

    /** The CPUID feature leaves ControlOps consults at run time (so they follow what Cpuid advertises). */
    static boolean feature(X86Cpu c, int leaf, int register, int bit) {
        return (Cpuid.query(c, leaf, 0)[register] >>> bit & 1) != 0;
    }

    static final int EAX = 0, EBX = 1, ECX = 2, EDX = 3;

    static void register(OpcodeTable t) {
        t.put(OpcodeTable.TWO, 0x20, d -> movCr(d, false));
        t.put(OpcodeTable.TWO, 0x22, d -> movCr(d, true));
        t.put(OpcodeTable.TWO, 0x21, d -> movDr(d, false));
        t.put(OpcodeTable.TWO, 0x23, d -> movDr(d, true));
        t.put(OpcodeTable.TWO, 0x06, d -> c -> {
            requireCpl0(c);
            c.cr0 &= ~X86Cpu.CR0_TS;
        });
        t.put(OpcodeTable.TWO, 0x00, ControlOps::group6);
        t.put(OpcodeTable.TWO, 0x01, ControlOps::group7);
        t.put(OpcodeTable.TWO, 0x02, d -> larLsl(d, true));
        t.put(OpcodeTable.TWO, 0x03, d -> larLsl(d, false));
    }

    static void requireCpl0(X86Cpu c) {
        if (c.cpl != 0) {
            throw c.fault(Vectors.GP, 0);
        }
    }

    // ---------------------------------------------------------------- control registers

    private static X86Op movCr(Insn d, boolean write) {
        d.modrm(); // always a register operand, whatever mod says
        int cr = d.reg();
        int gpr = d.mod() == 3 ? d.rm() : (d.rm() & 7) | (d.rex & 1) << 3;
        if (d.lock || !(cr == 0 || cr == 2 || cr == 3 || cr == 4 || cr == 8 && d.mode == 64)) {
            return null;
        }
        int size = d.mode == 64 ? 64 : 32;
        if (write) {
            return c -> {
                requireCpl0(c);
                writeCr(c, cr, c.reg(gpr, size));
            };
        }
        return c -> {
            requireCpl0(c);
            c.setReg(gpr, size, readCr(c, cr));
        };
    }

    static long readCr(X86Cpu c, int cr) {
        return switch (cr) {
            case 0 -> c.cr0;
            case 2 -> c.cr2;
            case 3 -> c.cr3;
            case 4 -> c.cr4;
            default -> c.cr8;
        };
    }

    /** CR4 bits this CPU lets software set: the base set plus what CPUID advertises. */
    static long cr4Writable(X86Cpu c) {
        long bits = 1 /* VME */ | 2 /* PVI */ | 4 /* TSD */ | 8 /* DE */ | X86Cpu.CR4_PSE | X86Cpu.CR4_PAE
                | 1 << 6 /* MCE */ | X86Cpu.CR4_PGE | 1 << 8 /* PCE */ | X86Cpu.CR4_OSFXSR | X86Cpu.CR4_OSXMMEXCPT;
        if (feature(c, 7, EBX, 0)) {
            bits |= X86Cpu.CR4_FSGSBASE;
        }
        if (feature(c, 1, ECX, 17)) {
            bits |= X86Cpu.CR4_PCIDE;
        }
        if (feature(c, 1, ECX, 26)) {
            bits |= 1 << 18; // OSXSAVE
        }
        if (feature(c, 7, EBX, 7)) {
            bits |= 1 << 20; // SMEP
        }
        if (feature(c, 7, EBX, 20)) {
            bits |= 1 << 21; // SMAP
        }
        if (feature(c, 7, ECX, 2)) {
            bits |= 1 << 11; // UMIP
        }
        return bits;
    }

    static void writeCr(X86Cpu c, int cr, long v) {
        switch (cr) {
            case 0 -> writeCr0(c, v);
            case 2 -> c.cr2 = v;
            case 3 -> {
                if ((c.efer & X86Cpu.EFER_LMA) != 0 ? (v & 0xfff0000000000000L & ~(1L << 63)) != 0 : false) {
                    throw c.fault(Vectors.GP, 0);
                }
                // the Mmu keeps global translations across a CR3 write
                c.mmu.writeCr3((c.efer & X86Cpu.EFER_LMA) != 0 ? v & ~(1L << 63) : v & 0xffffffffL);
                c.endBlock();
            }
            case 4 -> writeCr4(c, v);
            default -> {
                if ((v & ~0xfL) != 0) {
                    throw c.fault(Vectors.GP, 0);
                }
                c.cr8 = v;
                c.endBlock(); // a lower task priority may unmask a pending interrupt
            }
        }
    }

    private static void writeCr0(X86Cpu c, long v) {
        if ((v >>> 32) != 0) {
            throw c.fault(Vectors.GP, 0);
        }
        v |= X86Cpu.CR0_ET;
        if ((v & X86Cpu.CR0_PG) != 0 && (v & X86Cpu.CR0_PE) == 0
                || (v & X86Cpu.CR0_NW) != 0 && (v & X86Cpu.CR0_CD) == 0) {
            throw c.fault(Vectors.GP, 0);
        }
        long old = c.cr0;
        boolean pagingOn = (v & X86Cpu.CR0_PG) != 0 && (old & X86Cpu.CR0_PG) == 0;
        boolean pagingOff = (v & X86Cpu.CR0_PG) == 0 && (old & X86Cpu.CR0_PG) != 0;
        boolean activate = pagingOn && (c.efer & X86Cpu.EFER_LME) != 0;
        if (activate && ((c.cr4 & X86Cpu.CR4_PAE) == 0 || c.seg[X86Cpu.CS].longMode())) {
            throw c.fault(Vectors.GP, 0);
        }
        boolean deactivate = pagingOff && (c.efer & X86Cpu.EFER_LMA) != 0;
        if (deactivate && c.is64()) {
            throw c.fault(Vectors.GP, 0); // paging stays on in 64-bit code
        }
        boolean peOn = (v & X86Cpu.CR0_PE) != 0 && (old & X86Cpu.CR0_PE) == 0;
        if (activate) {
            c.mmu.setEfer(c.efer | X86Cpu.EFER_LMA);
        } else if (deactivate) {
            c.mmu.setEfer(c.efer & ~X86Cpu.EFER_LMA);
        }
        c.mmu.writeCr0(v);
        c.updateMode();
        if (peOn) {
            c.cpl = 0; // CS still holds a real-mode selector; the CPL stays 0 until the far jump
        }
        c.endBlock();
    }

    private static void writeCr4(X86Cpu c, long v) {
        if ((v & ~cr4Writable(c)) != 0) {
            throw c.fault(Vectors.GP, 0);
        }
        if ((c.efer & X86Cpu.EFER_LMA) != 0 && (v & X86Cpu.CR4_PAE) == 0) {
            throw c.fault(Vectors.GP, 0);
        }
        if ((v & X86Cpu.CR4_PCIDE) != 0 && (c.cr4 & X86Cpu.CR4_PCIDE) == 0 && (c.cr3 & 0xfff) != 0) {
            throw c.fault(Vectors.GP, 0);
        }
        c.mmu.writeCr4(v);
        c.endBlock();
    }

    // ---------------------------------------------------------------- debug registers

    private static X86Op movDr(Insn d, boolean write) {
        d.modrm();
        int dr = d.reg();
        int gpr = d.mod() == 3 ? d.rm() : (d.rm() & 7) | (d.rex & 1) << 3;
        if (dr > 7) {
            return null;
        }
        int size = d.mode == 64 ? 64 : 32;
        return c -> {
            requireCpl0(c);
            int n = dr;
            if (n == 4 || n == 5) {
                if ((c.cr4 & 8) != 0) {
                    throw c.fault(Vectors.UD); // CR4.DE: DR4/DR5 are reserved
                }
                n += 2;
            }
            if (!write) {
                c.setReg(gpr, size, c.dr[n]);
                return;
            }
            long v = c.reg(gpr, size);
            if (n >= 6 && (v >>> 32) != 0) {
                throw c.fault(Vectors.GP, 0);
            }
            c.dr[n] = switch (n) {
                case 6 -> v | 0xffff0ff0L;
                case 7 -> v & ~(1L << 11 | 1L << 12 | 3L << 14) | 0x400;
                default -> v;
            };
        };
    }

    // ---------------------------------------------------------------- 0F 00: SLDT STR LLDT LTR VERR VERW

    private static X86Op group6(Insn d) {
        int op = d.modrmReg();
        if (op > 5) {
            return null;
        }
        if (op <= 1) { // SLDT, STR: a register operand gets the operand size, memory 16 bits
            boolean mem = d.isMem();
            Ea ea = mem ? d.ea() : null;
            int rm = mem ? -1 : d.rm();
            int size = d.opsize;
            return c -> {
                requireProtectedMode(c);
                umipCheck(c);
                int sel = op == 0 ? c.ldtr.selector : c.tr.selector;
                if (mem) {
                    c.write16(ea.linear(c), sel);
                } else {
                    c.setReg(rm, size, sel);
                }
            };
        }
        SelectorOperand src = selectorOperand(d);
        return c -> {
            requireProtectedMode(c);
            int sel = src.get(c);
            switch (op) {
                case 2 -> {
                    requireCpl0(c);
                    lldt(c, sel);
                }
                case 3 -> {
                    requireCpl0(c);
                    ltr(c, sel);
                }
                default -> setZf(c, verify(c, sel, op == 5));
            }
        };
    }

    /** The r/m16 selector operand of LLDT, LTR, VERR, VERW, LAR and LSL. */
    @FunctionalInterface
    private interface SelectorOperand {
        int get(X86Cpu c);
    }

    private static SelectorOperand selectorOperand(Insn d) {
        if (d.isMem()) {
            Ea ea = d.ea();
            return c -> (int) c.read16(ea.linear(c));
        }
        int rm = d.rm();
        return c -> (int) c.r[rm] & 0xffff;
    }

    /** The 0F 00 group and LAR/LSL exist only in protected mode: #UD in real and virtual-8086 mode. */
    private static void requireProtectedMode(X86Cpu c) {
        if (!Descriptors.protectedMode(c)) {
            throw c.fault(Vectors.UD);
        }
    }

    private static void setZf(X86Cpu c, boolean z) {
        c.setRflags(z ? c.rflags() | X86Cpu.ZF : c.rflags() & ~X86Cpu.ZF);
    }

    private static void umipCheck(X86Cpu c) {
        if ((c.cr4 & 1 << 11) != 0 && c.cpl > 0) {
            throw c.fault(Vectors.GP, 0);
        }
    }

    private static boolean longMode(X86Cpu c) {
        return (c.efer & X86Cpu.EFER_LMA) != 0;
    }

    /** The base of a system descriptor: bits 63:32 from the upper half in long mode. */
    private static long systemBase(X86Cpu c, int sel, long raw) {
        long base = Descriptors.base(raw);
        if (longMode(c)) {
            long hi = Descriptors.fetchHigh(c, sel, false);
            base |= hi << 32;
        }
        return base;
    }

    static void lldt(X86Cpu c, int sel) {
        if ((sel & 0xfffc) == 0) {
            Descriptors.loadNull(c.ldtr, sel);
            return;
        }
        if ((sel & 4) != 0) {
            throw c.fault(Vectors.GP, Descriptors.err(sel, false));
        }
        long raw = Descriptors.fetch(c, sel, false);
        if (Descriptors.codeOrData(raw) || Descriptors.type(raw) != Descriptors.LDT) {
            throw c.fault(Vectors.GP, Descriptors.err(sel, false));
        }
        if (!Descriptors.present(raw)) {
            throw c.fault(Vectors.NP, Descriptors.err(sel, false));
        }
        long base = systemBase(c, sel, raw);
        c.ldtr.set(sel, base, Descriptors.limit(raw), Descriptors.attr(raw));
    }

    static void ltr(X86Cpu c, int sel) {
        if ((sel & 0xfffc) == 0) {
            throw c.fault(Vectors.GP, 0);
        }
        if ((sel & 4) != 0) {
            throw c.fault(Vectors.GP, Descriptors.err(sel, false));
        }
        long raw = Descriptors.fetch(c, sel, false);
        int type = Descriptors.type(raw);
        if (Descriptors.codeOrData(raw)
                || !(type == Descriptors.TSS_AVAIL || type == Descriptors.TSS16_AVAIL && !longMode(c))) {
            throw c.fault(Vectors.GP, Descriptors.err(sel, false));
        }
        if (!Descriptors.present(raw)) {
            throw c.fault(Vectors.NP, Descriptors.err(sel, false));
        }
        long base = systemBase(c, sel, raw);
        raw |= 2L << 40; // busy
        Descriptors.supervisorWrite(c, Descriptors.address(c, sel, 8, false) + 5, 8, raw >>> 40 & 0xff);
        c.tr.set(sel, base, Descriptors.limit(raw), Descriptors.attr(raw));
    }

    /** VERR/VERW: whether the segment is readable (writable) at the CPL and the selector's RPL. */
    private static boolean verify(X86Cpu c, int sel, boolean write) {
        if ((sel & 0xfffc) == 0) {
            return false;
        }
        long raw;
        try {
            raw = Descriptors.fetch(c, sel, false);
        } catch (X86Exception beyondLimit) {
            return false;
        }
        if (!Descriptors.codeOrData(raw)) {
            return false;
        }
        int type = Descriptors.type(raw);
        boolean conformingCode = (type & (Descriptors.CODE | Descriptors.CONFORMING)) == (Descriptors.CODE
                | Descriptors.CONFORMING);
        if (!conformingCode && (Descriptors.dpl(raw) < c.cpl || Descriptors.dpl(raw) < (sel & 3))) {
            return false;
        }
        if (write) {
            return (type & Descriptors.CODE) == 0 && (type & Descriptors.WRITABLE) != 0;
        }
        return (type & Descriptors.CODE) == 0 || (type & Descriptors.READABLE) != 0;
    }

    // ---------------------------------------------------------------- LAR / LSL

    private static X86Op larLsl(Insn d, boolean lar) {
        int reg = d.reg();
        SelectorOperand src = selectorOperand(d);
        int size = d.opsize;
        return c -> {
            requireProtectedMode(c);
            long raw = visibleDescriptor(c, src.get(c), lar);
            if (raw == 0) {
                setZf(c, false);
                return;
            }
            long v = lar ? (raw >>> 32) & (size == 16 ? 0xff00 : 0x00f0ff00) : Descriptors.limit(raw);
            c.setReg(reg, size, v);
            setZf(c, true);
        };
    }

    /** The descriptor LAR/LSL may report (0 when ZF is to be cleared). */
    private static long visibleDescriptor(X86Cpu c, int sel, boolean lar) {
        if ((sel & 0xfffc) == 0) {
            return 0;
        }
        long raw;
        try {
            raw = Descriptors.fetch(c, sel, false);
        } catch (X86Exception beyondLimit) {
            return 0;
        }
        int type = Descriptors.type(raw);
        if (!Descriptors.codeOrData(raw)) {
            boolean ok = longMode(c)
                    ? type == 2 || type == 9 || type == 0xb || lar && type == 0xc
                    : type == 1 || type == 2 || type == 3 || type == 9 || type == 0xb
                            || lar && (type == 4 || type == 5 || type == 0xc);
            if (!ok) {
                return 0;
            }
        } else if ((type & (Descriptors.CODE | Descriptors.CONFORMING)) == (Descriptors.CODE
                | Descriptors.CONFORMING)) {
            return raw;
        }
        int dpl = Descriptors.dpl(raw);
        return dpl < c.cpl || dpl < (sel & 3) ? 0 : raw;
    }

    // ---------------------------------------------------------------- 0F 01

    private static X86Op group7(Insn d) {
        int op = d.modrmReg();
        if (d.isMem()) {
            Ea ea = d.ea();
            int size = d.opsize;
            boolean b64 = d.mode == 64;
            return switch (op) {
                case 0, 1 -> c -> {
                    umipCheck(c);
                    long a = ea.linear(c);
                    c.write16(a, op == 0 ? c.gdtLimit : c.idtLimit);
                    long base = op == 0 ? c.gdtBase : c.idtBase;
                    c.write(c.linear(ea.seg, ea.offset(c) + 2), b64 ? 64 : 32, b64 ? base : base & 0xffffffffL);
                };
                case 2, 3 -> c -> {
                    requireCpl0(c);
                    long a = ea.linear(c);
                    int limit = (int) c.read16(a);
                    long base = c.read(c.linear(ea.seg, ea.offset(c) + 2), b64 ? 64 : 32);
                    if (b64 && !Interrupts.canonical(base)) {
                        throw c.fault(Vectors.GP, 0);
                    }
                    if (!b64 && size == 16) {
                        base &= 0xffffff;
                    }
                    if (op == 2) {
                        c.gdtBase = base;
                        c.gdtLimit = limit;
                    } else {
                        c.idtBase = base;
                        c.idtLimit = limit;
                    }
                };
                case 4 -> c -> {
                    umipCheck(c);
                    c.write16(ea.linear(c), c.cr0);
                };
                case 6 -> c -> lmsw(c, c.read16(ea.linear(c)));
                case 7 -> c -> {
                    requireCpl0(c);
                    c.mmu.invlpg(ea.linear(c));
                    c.endBlock(); // the next instruction is fetched through the new translation (its page may be remapped)
                };
                default -> null;
            };
        }
        int rm = d.rm();
        int low = rm & 7;
        int size = d.opsize;
        return switch (op) {
            case 4 -> c -> {
                umipCheck(c);
                c.setReg(rm, size, c.cr0 & X86Cpu.mask(size));
            };
            case 6 -> c -> lmsw(c, c.r[rm]);
            case 7 -> switch (low) {
                case 0 -> d.mode == 64 ? c -> { // SWAPGS
                    requireCpl0(c);
                    long t = c.seg[X86Cpu.GS].base;
                    c.seg[X86Cpu.GS].base = c.msrs.kernelGsBase;
                    c.msrs.kernelGsBase = t;
                } : null;
                case 1 -> c -> { // RDTSCP
                    if (!feature(c, 0x80000001, EDX, 27)) {
                        throw c.fault(Vectors.UD);
                    }
                    MiscSystemOps.rdtsc(c);
                    c.r[X86Cpu.RCX] = c.msrs.tscAux & 0xffffffffL;
                };
                default -> null;
            };
            case 1 -> switch (low) {
                case 2, 3 -> c -> { // CLAC, STAC: only with SMAP
                    if (!feature(c, 7, EBX, 20) || c.cpl > 0) {
                        throw c.fault(Vectors.UD);
                    }
                    c.setRflags(low == 3 ? c.rflags() | X86Cpu.AC : c.rflags() & ~X86Cpu.AC);
                };
                default -> null; // MONITOR/MWAIT/ENCLS...: not advertised
            };
            default -> null; // VMX/SVM, XGETBV/XSETBV (no XSAVE), RDPKRU...: #UD
        };
    }

    /** LMSW: loads CR0's PE, MP, EM and TS; it can set PE but never clear it. */
    private static void lmsw(X86Cpu c, long v) {
        requireCpl0(c);
        long bits = X86Cpu.CR0_PE | X86Cpu.CR0_MP | X86Cpu.CR0_EM | X86Cpu.CR0_TS;
        long nv = c.cr0 & ~(bits & ~X86Cpu.CR0_PE) | v & bits;
        writeCr0(c, nv);
    }
}
