package dev.jemu.arm.cpu;

/**
 * System and exception generation: SVC/HVC/SMC/BRK/HLT, hints (NOP, YIELD, WFE, WFI, SEV), barriers (DSB, DMB,
 * ISB, CLREX), MSR (immediate: DAIFSet/Clr, SPSel), MRS/MSR (register), SYS (DC, IC, AT, TLBI), ERET.
 */
final class SystemInsns {
    private static final ArmOp NOP = c -> { };
    /** ISB, and anything after which fetch or interrupts must be looked at again. */
    private static final ArmOp END_BLOCK = ArmCpu::endBlock;
    private static final ArmOp CLREX = c -> c.exclusiveAddr = -1;
    /** WFI/WFE trapped from EL0 (EC 0x01): CV = 1, COND = 0b1110, TI = 0 for WFI, 1 for WFE (as QEMU). */
    private static final int WFX_ISS = 1 << 24 | 0xe << 20;
    private static final ArmOp WFI = c -> {
        if (c.el == 0 && (c.sysregs.sctlr & SysRegs.SCTLR_NTWI) == 0) {
            throw c.syncException(Syndrome.EC_WFX, WFX_ISS); // TI = 0: WFI
        }
        if (!c.exceptions.wakeUp()) {
            c.halted = true; // the run loop stops until an interrupt is pending, masked or not
        }
        c.endBlock();
    };
    private static final ArmOp ERET = c -> c.exceptions.eret();
    private static final ArmOp WFE = c -> {
        if (c.el == 0 && (c.sysregs.sctlr & SysRegs.SCTLR_NTWE) == 0) {
            throw c.syncException(Syndrome.EC_WFX, WFX_ISS | 1);
        }
        c.endBlock(); // a spinning CPU looks at interrupts and the machine loop
    };

    // SYS operations (op0 = 1)
    private static final int IC_IALLUIS = (1 << 14 | 0 << 11 | 7 << 7 | 1 << 3 | 0), IC_IALLU = (1 << 14 | 0 << 11 | 7 << 7 | 5 << 3 | 0),
            IC_IVAU = (1 << 14 | 3 << 11 | 7 << 7 | 5 << 3 | 1), DC_IVAC = (1 << 14 | 0 << 11 | 7 << 7 | 6 << 3 | 1), DC_ISW = (1 << 14 | 0 << 11 | 7 << 7 | 6 << 3 | 2),
            DC_CSW = (1 << 14 | 0 << 11 | 7 << 7 | 10 << 3 | 2), DC_CISW = (1 << 14 | 0 << 11 | 7 << 7 | 14 << 3 | 2), DC_ZVA = (1 << 14 | 3 << 11 | 7 << 7 | 4 << 3 | 1),
            DC_CVAC = (1 << 14 | 3 << 11 | 7 << 7 | 10 << 3 | 1), DC_CVAU = (1 << 14 | 3 << 11 | 7 << 7 | 11 << 3 | 1), DC_CIVAC = (1 << 14 | 3 << 11 | 7 << 7 | 14 << 3 | 1),
            AT_S1E1R = (1 << 14 | 0 << 11 | 7 << 7 | 8 << 3 | 0), AT_S1E1W = (1 << 14 | 0 << 11 | 7 << 7 | 8 << 3 | 1), AT_S1E0R = (1 << 14 | 0 << 11 | 7 << 7 | 8 << 3 | 2),
            AT_S1E0W = (1 << 14 | 0 << 11 | 7 << 7 | 8 << 3 | 3);

    private SystemInsns() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        if ((insn >>> 24) == 0xd4) {
            return exception(insn);
        }
        if ((insn & 0xfffffbff) == 0xd69f03e0) {
            return (insn & 0x400) == 0 ? ERET : null; // ERETAA/ERETAB (pointer authentication): not implemented
        }
        if ((insn >>> 22) != 0x354) {
            return null; // DRPS: UNDEFINED outside Debug state
        }
        boolean read = (insn & (1 << 21)) != 0;
        int op0 = insn >>> 19 & 3, rt = insn & 31;
        int key = SysReg.keyOf(insn);
        return switch (op0) {
            case 0 -> read ? null : system(insn, key, rt);
            case 1 -> read ? null : sys(key, rt); // SYSL: nothing allocated
            default -> read ? mrs(key, rt) : msr(key, rt);
        };
    }

    // ---------------------------------------------------------------- exception generation

    private static ArmOp exception(int insn) {
        int opc = insn >>> 21 & 7, imm16 = insn >>> 5 & 0xffff, ll = insn & 3;
        if ((insn >>> 2 & 7) != 0) {
            return null;
        }
        if (opc == 0) {
            return switch (ll) {
                case 1 -> c -> { // SVC: the preferred return is the next instruction
                    c.syncException(Syndrome.EC_SVC64, imm16);
                    c.excReturn = c.pc + 4;
                    throw ArmException.INSTANCE;
                };
                case 2 -> callOut(false, imm16);
                case 3 -> callOut(true, imm16);
                default -> null;
            };
        }
        if (opc == 1 && ll == 0) {
            return c -> {
                throw c.syncException(Syndrome.EC_BRK64, imm16);
            };
        }
        return null; // HLT (no halting debug), DCPS1-3 (no Debug state): UNDEFINED
    }

    /** HVC/SMC: the board's firmware (PSCI) if it answers, else UNDEFINED (no EL2/EL3); always UNDEFINED at EL0. */
    private static ArmOp callOut(boolean smc, int imm16) {
        return c -> {
            if (c.el == 0 || c.firmware == null || !c.firmware.call(c, smc, imm16)) {
                throw c.undefined();
            }
            c.endBlock(); // PSCI may have changed other CPUs or the machine
        };
    }

    // ---------------------------------------------------------------- hints, barriers, PSTATE

    private static ArmOp system(int insn, int key, int rt) {
        int crn = key >>> 7 & 15, crm = key >>> 3 & 15, op1 = key >>> 11 & 7, op2 = key & 7;
        if (rt != 31 || crn != 4 && op1 != 3) {
            return null; // hints and barriers are op1 = 3; the rest of the space is unallocated
        }
        switch (crn) {
            case 2 -> { // hints: WFI halts; YIELD and WFE end the block (a spinning CPU looks at interrupts and
                // the machine loop); SEV/SEVL and the rest of the hint space (PAC, BTI, ESB...) are NOPs
                return crm == 0 && op2 == 3 ? WFI : crm == 0 && op2 == 2 ? WFE : crm == 0 && op2 == 1 ? END_BLOCK : NOP;
            }
            case 3 -> {
                return switch (op2) {
                    case 2 -> CLREX;
                    case 4, 5 -> NOP; // DSB, DMB: one CPU thread sees its own order
                    case 6 -> END_BLOCK; // ISB: changed system registers and code are seen from the next instruction
                    default -> null;
                };
            }
            case 4 -> {
                return msrImmediate(key, op1, op2, crm);
            }
            default -> {
                return null;
            }
        }
    }

    private static ArmOp msrImmediate(int key, int op1, int op2, int imm) {
        if (op1 == 0 && op2 == 5) { // SPSel
            return c -> {
                if (c.el == 0) throw c.undefined();
                c.exceptions.setSpSel((imm & 1) != 0);
            };
        }
        if (op1 == 3 && (op2 == 6 || op2 == 7)) { // DAIFSet, DAIFClr
            boolean set = op2 == 6;
            return c -> {
                if (c.el == 0 && (c.sysregs.sctlr & SysRegs.SCTLR_UMA) == 0) {
                    throw c.sysregs.trap(key, 31, false);
                }
                c.daif = set ? c.daif | imm : c.daif & ~imm;
                c.endBlock(); // an interrupt unmasked now is taken before the next instruction
            };
        }
        return null; // PAN, UAO (ARMv8.1/8.2), DIT, SSBS...: not implemented
    }

    // ---------------------------------------------------------------- MRS / MSR

    private static ArmOp mrs(int key, int rt) {
        int d = Regs.wz(rt);
        return c -> c.x[d] = c.sysregs.read(key, rt);
    }

    private static ArmOp msr(int key, int rt) {
        int s = Regs.rz(rt);
        return c -> c.sysregs.write(key, rt, c.x[s]);
    }

    // ---------------------------------------------------------------- SYS: caches, AT, TLBI

    private static ArmOp sys(int key, int rt) {
        int s = Regs.rz(rt);
        if (key == DC_ZVA) {
            return c -> {
                if (c.el == 0 && (c.sysregs.sctlr & SysRegs.SCTLR_DZE) == 0) throw c.sysregs.trap(key, rt, false);
                long va = c.x[s] & ~63L;
                for (int i = 0; i < 64; i += 8) {
                    c.write64(va + i, 0);
                }
            };
        }
        if (key == DC_CVAC || key == DC_CVAU || key == DC_CIVAC) { // no caches to clean: access checks only
            return c -> {
                if (c.el == 0 && (c.sysregs.sctlr & SysRegs.SCTLR_UCI) == 0) throw c.sysregs.trap(key, rt, false);
            };
        }
        if (key == IC_IVAU) { // decoded code at that address is dropped: DMA may have written it
            return c -> {
                if (c.el == 0 && (c.sysregs.sctlr & SysRegs.SCTLR_UCI) == 0) throw c.sysregs.trap(key, rt, false);
                c.mmu.instructionCacheInvalidate(c.x[s]);
            };
        }
        if (key == IC_IALLU || key == IC_IALLUIS) {
            return c -> {
                if (c.el == 0) throw c.undefined();
                c.code.clear();
                c.endBlock();
            };
        }
        if (key == DC_IVAC || key == DC_ISW || key == DC_CSW || key == DC_CISW) {
            return c -> {
                if (c.el == 0) throw c.undefined();
            };
        }
        if (key == AT_S1E1R || key == AT_S1E1W || key == AT_S1E0R || key == AT_S1E0W) {
            boolean el0 = key == AT_S1E0R || key == AT_S1E0W, write = (key & 1) != 0;
            return c -> {
                if (c.el == 0) throw c.undefined();
                c.mmu.addressTranslate(c.x[s], el0, write);
            };
        }
        if ((key & ~(15 << 3 | 7)) == (1 << 14 | 0 << 11 | 8 << 7 | 0 << 3 | 0)) {
            return tlbi(key & (15 << 3 | 7), s);
        }
        return null;
    }

    /** TLBI, EL1 forms: CRm 7 this CPU, CRm 3 (inner shareable) every CPU on the bus. */
    private static ArmOp tlbi(int crmOp2, int s) {
        int crm = crmOp2 >>> 3, op2 = crmOp2 & 7;
        if (crm != 3 && crm != 7) {
            return null;
        }
        boolean broadcast = crm == 3;
        java.util.function.BiConsumer<ArmCpu, Long> flush = switch (op2) {
            case 0 -> (cpu, operand) -> { if (ArmStats.ON) ArmStats.tlbiAll++; cpu.mmu.flushTlb(); }; // VMALLE1
            case 1, 3, 5, 7 -> (cpu, operand) -> { if (ArmStats.ON) ArmStats.tlbiVa++; cpu.mmu.flushVa(operand << 20 >> 8); }; // VA[55:12] in Xt[43:0]
            case 2 -> (cpu, operand) -> { if (ArmStats.ON) ArmStats.tlbiAsid++; cpu.mmu.flushAsid(cpu.sysregs.asidOf(operand)); }; // ASIDE1
            default -> null;
        };
        if (flush == null) {
            return null;
        }
        return c -> {
            if (c.el == 0) throw c.undefined();
            long operand = c.x[s];
            if (broadcast) {
                c.code.forEachCpu(cpu -> flush.accept(cpu, operand));
            } else {
                flush.accept(c, operand);
            }
            c.endBlock();
        };
    }
}
