package dev.jemu.x86.cpu;

/**
 * INT n / INT3 / INTO / INT1, HLT, CLI/STI, CPUID, RDMSR/WRMSR, RDTSC, RDPMC, SYSCALL/SYSRET, SYSENTER/SYSEXIT, the
 * 0F AE group (FXSAVE/FXRSTOR/LDMXCSR/STMXCSR through {@link SseOps}, fences, CLFLUSH, RD/WR FS/GS BASE),
 * INVD/WBINVD and UD2. (PREFETCHh, 0F 18, and PREFETCHW, 0F 0D, are the integer core's hint NOPs.)
 */
final class MiscSystemOps {
    private MiscSystemOps() {
    }

    static void register(OpcodeTable t) {
        t.put(OpcodeTable.ONE, 0xcd, d -> {
            int n = d.imm8();
            return c -> {
                if ((c.rflagsOther & X86Cpu.VM) != 0 && (c.rflagsOther & X86Cpu.IOPL) != X86Cpu.IOPL) {
                    throw c.fault(Vectors.GP, 0);
                }
                c.interrupts.software(n, Interrupts.Kind.SOFTWARE);
            };
        });
        t.put(OpcodeTable.ONE, 0xcc, d -> c -> c.interrupts.software(Vectors.BP, Interrupts.Kind.SOFTWARE));
        t.put(OpcodeTable.ONE, 0xce, d -> d.mode == 64 ? null : c -> {
            if (c.cond(0)) {
                c.interrupts.software(Vectors.OF, Interrupts.Kind.SOFTWARE);
            }
        });
        t.put(OpcodeTable.ONE, 0xf1, d -> c -> c.interrupts.software(Vectors.DB, Interrupts.Kind.ICEBP));
        t.put(OpcodeTable.ONE, 0xf4, d -> c -> {
            ControlOps.requireCpl0(c);
            c.halt();
        });
        t.put(OpcodeTable.ONE, 0xfa, d -> c -> {
            checkIopl(c);
            c.iflag = false;
        });
        t.put(OpcodeTable.ONE, 0xfb, d -> c -> {
            checkIopl(c);
            if (!c.iflag) {
                c.iflag = true;
                c.interruptShadow = true; // the instruction after STI runs before any interrupt
            }
            c.endBlock();
        });
        t.put(OpcodeTable.TWO, 0xa2, d -> c -> {
            int[] r = Cpuid.query(c, (int) c.r[X86Cpu.RAX], (int) c.r[X86Cpu.RCX]);
            c.r[X86Cpu.RAX] = r[0] & 0xffffffffL;
            c.r[X86Cpu.RBX] = r[1] & 0xffffffffL;
            c.r[X86Cpu.RCX] = r[2] & 0xffffffffL;
            c.r[X86Cpu.RDX] = r[3] & 0xffffffffL;
        });
        t.put(OpcodeTable.TWO, 0x32, d -> c -> {
            ControlOps.requireCpl0(c);
            long v = c.msrs.read((int) c.r[X86Cpu.RCX]);
            c.r[X86Cpu.RAX] = v & 0xffffffffL;
            c.r[X86Cpu.RDX] = v >>> 32;
        });
        t.put(OpcodeTable.TWO, 0x30, d -> c -> {
            ControlOps.requireCpl0(c);
            c.msrs.write((int) c.r[X86Cpu.RCX], c.r[X86Cpu.RDX] << 32 | c.r[X86Cpu.RAX] & 0xffffffffL);
            c.updateMode(); // EFER, FS/GS base: what decoding and addressing see
            c.endBlock();
        });
        t.put(OpcodeTable.TWO, 0x31, d -> MiscSystemOps::rdtsc);
        t.put(OpcodeTable.TWO, 0x33, d -> c -> {
            throw c.fault(Vectors.GP, 0); // RDPMC: no performance counters are advertised
        });
        t.put(OpcodeTable.TWO, 0x05, d -> MiscSystemOps::syscall);
        t.put(OpcodeTable.TWO, 0x07, d -> {
            boolean to64 = d.rexW();
            return c -> sysret(c, to64);
        });
        t.put(OpcodeTable.TWO, 0x34, d -> MiscSystemOps::sysenter);
        t.put(OpcodeTable.TWO, 0x35, d -> {
            boolean to64 = d.rexW();
            return c -> sysexit(c, to64);
        });
        X86Op privilegedNop = c -> ControlOps.requireCpl0(c);
        t.put(OpcodeTable.TWO, 0x08, d -> privilegedNop); // INVD: no caches are modelled
        t.put(OpcodeTable.TWO, 0x09, d -> privilegedNop); // WBINVD
        t.put(OpcodeTable.TWO, 0x0b, d -> null); // UD2
        // PREFETCHh (0F 18) and PREFETCHW (0F 0D) are the integer core's hint NOPs (MiscOps)
        t.put(OpcodeTable.TWO, 0xae, MiscSystemOps::group15);
    }

    private static final X86Op NOP = c -> {
    };

    /** CLI/STI: #GP(0) in protected mode when CPL > IOPL, in virtual-8086 mode when IOPL < 3. */
    private static void checkIopl(X86Cpu c) {
        int iopl = (int) (c.rflagsOther >>> 12 & 3);
        if ((c.cr0 & X86Cpu.CR0_PE) != 0 && ((c.rflagsOther & X86Cpu.VM) != 0 ? iopl < 3 : c.cpl > iopl)) {
            throw c.fault(Vectors.GP, 0);
        }
    }

    static void rdtsc(X86Cpu c) {
        if ((c.cr4 & 4) != 0 && c.cpl > 0) {
            throw c.fault(Vectors.GP, 0); // CR4.TSD
        }
        long v = c.msrs.tsc();
        c.r[X86Cpu.RAX] = v & 0xffffffffL;
        c.r[X86Cpu.RDX] = v >>> 32;
    }

    /**
     * RDPID r32/r64 (F3 0F C7 /7, register form), for the integer core's 0F C7 group to return: IA32_TSC_AUX into
     * the register, #UD unless CPUID.7.0:ECX.RDPID is advertised.
     */
    static X86Op rdpid(Insn d) {
        if (d.isMem()) {
            return null;
        }
        int rm = d.rm();
        int size = d.mode == 64 ? 64 : 32;
        return c -> {
            if (!ControlOps.feature(c, 7, ControlOps.ECX, 22)) {
                throw c.fault(Vectors.UD);
            }
            c.setReg(rm, size, c.msrs.tscAux & 0xffffffffL);
        };
    }

    // ---------------------------------------------------------------- SYSCALL / SYSRET

    private static void syscall(X86Cpu c) {
        if ((c.efer & X86Cpu.EFER_SCE) == 0 || (c.cr0 & X86Cpu.CR0_PE) == 0) {
            throw c.fault(Vectors.UD);
        }
        int sel = (int) (c.msrs.star >>> 32) & 0xfffc;
        long flags = c.rflags();
        if ((c.efer & X86Cpu.EFER_LMA) != 0) {
            c.r[X86Cpu.RCX] = c.nrip;
            c.r[11] = flags & ~X86Cpu.RF;
            long target = c.is64() ? c.msrs.lstar : c.msrs.cstar;
            Descriptors.flat(c.seg[X86Cpu.CS], sel, true, 0, true);
            c.setRflags(flags & ~c.msrs.fmask & ~X86Cpu.RF);
            c.nrip = target;
        } else {
            c.r[X86Cpu.RCX] = c.nrip & 0xffffffffL;
            Descriptors.flat(c.seg[X86Cpu.CS], sel, true, 0, false);
            c.setRflags(flags & ~(X86Cpu.IF | X86Cpu.VM | X86Cpu.RF));
            c.nrip = c.msrs.star & 0xffffffffL;
        }
        Descriptors.flat(c.seg[X86Cpu.SS], sel + 8, false, 0, false);
        c.cpl = 0;
        c.updateMode();
    }

    private static void sysret(X86Cpu c, boolean to64) {
        if ((c.efer & X86Cpu.EFER_SCE) == 0) {
            throw c.fault(Vectors.UD);
        }
        if ((c.cr0 & X86Cpu.CR0_PE) == 0 || c.cpl != 0) {
            throw c.fault(Vectors.GP, 0);
        }
        int base = (int) (c.msrs.star >>> 48) & 0xffff;
        boolean lm = (c.efer & X86Cpu.EFER_LMA) != 0;
        if (to64 && !Interrupts.canonical(c.r[X86Cpu.RCX])) {
            throw c.fault(Vectors.GP, 0);
        }
        if (to64) {
            Descriptors.flat(c.seg[X86Cpu.CS], base + 16 | 3, true, 3, true);
            c.nrip = c.r[X86Cpu.RCX];
        } else {
            Descriptors.flat(c.seg[X86Cpu.CS], base | 3, true, 3, false);
            c.nrip = c.r[X86Cpu.RCX] & 0xffffffffL;
        }
        if (lm) {
            c.setRflags(c.r[11] & 0x3c7fd7L | 2);
        } else {
            c.iflag = true;
        }
        // SS keeps its fixed hidden part; only the selector comes from STAR (SDM SYSRET)
        Descriptors.flat(c.seg[X86Cpu.SS], base + 8 | 3, false, 3, false);
        c.cpl = 3;
        c.updateMode();
    }

    // ---------------------------------------------------------------- SYSENTER / SYSEXIT

    private static void sysenter(X86Cpu c) {
        int sel = (int) c.msrs.sysenterCs & 0xfffc;
        if ((c.cr0 & X86Cpu.CR0_PE) == 0 || sel == 0) {
            throw c.fault(Vectors.GP, 0);
        }
        boolean lm = (c.efer & X86Cpu.EFER_LMA) != 0;
        c.setRflags(c.rflags() & ~(X86Cpu.IF | X86Cpu.VM | X86Cpu.RF));
        Descriptors.flat(c.seg[X86Cpu.CS], sel, true, 0, lm);
        Descriptors.flat(c.seg[X86Cpu.SS], sel + 8, false, 0, false);
        c.r[X86Cpu.RSP] = lm ? c.msrs.sysenterEsp : c.msrs.sysenterEsp & 0xffffffffL;
        c.nrip = lm ? c.msrs.sysenterEip : c.msrs.sysenterEip & 0xffffffffL;
        c.cpl = 0;
        c.updateMode();
    }

    private static void sysexit(X86Cpu c, boolean to64) {
        int sel = (int) c.msrs.sysenterCs & 0xfffc;
        if ((c.cr0 & X86Cpu.CR0_PE) == 0 || c.cpl != 0 || sel == 0) {
            throw c.fault(Vectors.GP, 0);
        }
        if (to64) {
            if (!Interrupts.canonical(c.r[X86Cpu.RDX]) || !Interrupts.canonical(c.r[X86Cpu.RCX])) {
                throw c.fault(Vectors.GP, 0);
            }
            Descriptors.flat(c.seg[X86Cpu.CS], sel + 32 | 3, true, 3, true);
            Descriptors.flat(c.seg[X86Cpu.SS], sel + 40 | 3, false, 3, false);
            c.r[X86Cpu.RSP] = c.r[X86Cpu.RCX];
            c.nrip = c.r[X86Cpu.RDX];
        } else {
            Descriptors.flat(c.seg[X86Cpu.CS], sel + 16 | 3, true, 3, false);
            Descriptors.flat(c.seg[X86Cpu.SS], sel + 24 | 3, false, 3, false);
            c.r[X86Cpu.RSP] = c.r[X86Cpu.RCX] & 0xffffffffL;
            c.nrip = c.r[X86Cpu.RDX] & 0xffffffffL;
        }
        c.cpl = 3;
        c.updateMode();
    }

    // ---------------------------------------------------------------- 0F AE

    private static X86Op group15(Insn d) {
        int op = d.modrmReg();
        if (d.isMem()) {
            return switch (op) {
                case 0 -> d.mandatory == 0 || d.mandatory == 0x66 ? SseOps.fxsave(d) : null;
                case 1 -> d.mandatory == 0 || d.mandatory == 0x66 ? SseOps.fxrstor(d) : null;
                case 2 -> d.mandatory == 0 ? SseOps.ldmxcsr(d) : null;
                case 3 -> d.mandatory == 0 ? SseOps.stmxcsr(d) : null;
                case 7 -> d.mandatory == 0 || d.mandatory == 0x66 ? NOP : null; // CLFLUSH, CLFLUSHOPT
                default -> null; // XSAVE family, CLWB: not advertised
            };
        }
        if (d.mandatory == 0xf3 && op <= 3) {
            if (d.mode != 64) {
                return null;
            }
            int rm = d.rm();
            int size = d.rexW() ? 64 : 32;
            int sreg = (op & 1) == 0 ? X86Cpu.FS : X86Cpu.GS;
            boolean write = op >= 2;
            return c -> {
                if ((c.cr4 & X86Cpu.CR4_FSGSBASE) == 0) {
                    throw c.fault(Vectors.UD);
                }
                if (!write) {
                    c.setReg(rm, size, c.seg[sreg].base);
                } else if (!Interrupts.canonical(c.reg(rm, size))) {
                    throw c.fault(Vectors.GP, 0);
                } else {
                    c.seg[sreg].base = c.reg(rm, size);
                }
            };
        }
        if (d.mandatory == 0 && op >= 5) {
            return NOP; // LFENCE, MFENCE, SFENCE: one CPU, program order
        }
        return null;
    }
}
