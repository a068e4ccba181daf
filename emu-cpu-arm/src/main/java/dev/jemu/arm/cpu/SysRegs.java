package dev.jemu.arm.cpu;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * The system registers: their storage, the MRS/MSR access checks per EL (UNDEFINED, or the EC 0x18 trap where
 * an EL1 control bit denies EL0), and the registers reached through a {@link SysRegDevice} (GICv3's ICC_*).
 * Everything jemu does not implement is UNDEFINED, as on a core without it.
 */
public final class SysRegs {
    // ---- keys (op0, op1, CRn, CRm, op2)
    static final int MIDR = (3 << 14 | 0 << 11 | 0 << 7 | 0 << 3 | 0), MPIDR = (3 << 14 | 0 << 11 | 0 << 7 | 0 << 3 | 5), REVIDR = (3 << 14 | 0 << 11 | 0 << 7 | 0 << 3 | 6),
            ID_AA64PFR0 = (3 << 14 | 0 << 11 | 0 << 7 | 4 << 3 | 0), ID_AA64DFR0 = (3 << 14 | 0 << 11 | 0 << 7 | 5 << 3 | 0), ID_AA64ISAR0 = (3 << 14 | 0 << 11 | 0 << 7 | 6 << 3 | 0),
            ID_AA64MMFR0 = (3 << 14 | 0 << 11 | 0 << 7 | 7 << 3 | 0), ID_AA64MMFR1 = (3 << 14 | 0 << 11 | 0 << 7 | 7 << 3 | 1),
            SCTLR = (3 << 14 | 0 << 11 | 1 << 7 | 0 << 3 | 0), ACTLR = (3 << 14 | 0 << 11 | 1 << 7 | 0 << 3 | 1), CPACR = (3 << 14 | 0 << 11 | 1 << 7 | 0 << 3 | 2),
            TTBR0 = (3 << 14 | 0 << 11 | 2 << 7 | 0 << 3 | 0), TTBR1 = (3 << 14 | 0 << 11 | 2 << 7 | 0 << 3 | 1), TCR = (3 << 14 | 0 << 11 | 2 << 7 | 0 << 3 | 2),
            SPSR = (3 << 14 | 0 << 11 | 4 << 7 | 0 << 3 | 0), ELR = (3 << 14 | 0 << 11 | 4 << 7 | 0 << 3 | 1), SP_EL0 = (3 << 14 | 0 << 11 | 4 << 7 | 1 << 3 | 0),
            SPSEL = (3 << 14 | 0 << 11 | 4 << 7 | 2 << 3 | 0), CURRENT_EL = (3 << 14 | 0 << 11 | 4 << 7 | 2 << 3 | 2),
            AFSR0 = (3 << 14 | 0 << 11 | 5 << 7 | 1 << 3 | 0), AFSR1 = (3 << 14 | 0 << 11 | 5 << 7 | 1 << 3 | 1), ESR = (3 << 14 | 0 << 11 | 5 << 7 | 2 << 3 | 0),
            FAR = (3 << 14 | 0 << 11 | 6 << 7 | 0 << 3 | 0), PAR = (3 << 14 | 0 << 11 | 7 << 7 | 4 << 3 | 0),
            MAIR = (3 << 14 | 0 << 11 | 10 << 7 | 2 << 3 | 0), AMAIR = (3 << 14 | 0 << 11 | 10 << 7 | 3 << 3 | 0),
            VBAR = (3 << 14 | 0 << 11 | 12 << 7 | 0 << 3 | 0), ISR = (3 << 14 | 0 << 11 | 12 << 7 | 1 << 3 | 0),
            CONTEXTIDR = (3 << 14 | 0 << 11 | 13 << 7 | 0 << 3 | 1), TPIDR_EL1 = (3 << 14 | 0 << 11 | 13 << 7 | 0 << 3 | 4), CNTKCTL = (3 << 14 | 0 << 11 | 14 << 7 | 1 << 3 | 0),
            CCSIDR = (3 << 14 | 1 << 11 | 0 << 7 | 0 << 3 | 0), CLIDR = (3 << 14 | 1 << 11 | 0 << 7 | 0 << 3 | 1), AIDR = (3 << 14 | 1 << 11 | 0 << 7 | 0 << 3 | 7),
            CSSELR = (3 << 14 | 2 << 11 | 0 << 7 | 0 << 3 | 0), CTR = (3 << 14 | 3 << 11 | 0 << 7 | 0 << 3 | 1), DCZID = (3 << 14 | 3 << 11 | 0 << 7 | 0 << 3 | 7),
            NZCV = (3 << 14 | 3 << 11 | 4 << 7 | 2 << 3 | 0), DAIF = (3 << 14 | 3 << 11 | 4 << 7 | 2 << 3 | 1), FPCR = (3 << 14 | 3 << 11 | 4 << 7 | 4 << 3 | 0),
            FPSR = (3 << 14 | 3 << 11 | 4 << 7 | 4 << 3 | 1), TPIDR_EL0 = (3 << 14 | 3 << 11 | 13 << 7 | 0 << 3 | 2), TPIDRRO_EL0 = (3 << 14 | 3 << 11 | 13 << 7 | 0 << 3 | 3),
            // debug
            MDCCINT = (2 << 14 | 0 << 11 | 0 << 7 | 2 << 3 | 0), MDSCR = (2 << 14 | 0 << 11 | 0 << 7 | 2 << 3 | 2), OSECCR = (2 << 14 | 0 << 11 | 0 << 7 | 6 << 3 | 2),
            MDRAR = (2 << 14 | 0 << 11 | 1 << 7 | 0 << 3 | 0), OSLAR = (2 << 14 | 0 << 11 | 1 << 7 | 0 << 3 | 4), OSLSR = (2 << 14 | 0 << 11 | 1 << 7 | 1 << 3 | 4),
            OSDLR = (2 << 14 | 0 << 11 | 1 << 7 | 3 << 3 | 4), DBGPRCR = (2 << 14 | 0 << 11 | 1 << 7 | 4 << 3 | 4), DBGCLAIMSET = (2 << 14 | 0 << 11 | 7 << 7 | 8 << 3 | 6),
            DBGCLAIMCLR = (2 << 14 | 0 << 11 | 7 << 7 | 9 << 3 | 6), DBGAUTHSTATUS = (2 << 14 | 0 << 11 | 7 << 7 | 14 << 3 | 6),
            OSDTRRX = (2 << 14 | 0 << 11 | 0 << 7 | 0 << 3 | 2), OSDTRTX = (2 << 14 | 0 << 11 | 0 << 7 | 3 << 3 | 2),
            MDCCSR_EL0 = (2 << 14 | 3 << 11 | 0 << 7 | 1 << 3 | 0);
    /**
     * The Cortex-A5x/A72 IMPLEMENTATION DEFINED registers QEMU's models have (L2CTLR/L2ECTLR, CPUACTLR/CPUECTLR,
     * CPUMERRSR/L2MERRSR, CBAR): read as zero, writes ignored.
     */
    private static final int[] IMPDEF = {(3 << 14 | 1 << 11 | 11 << 7 | 0 << 3 | 2),
            (3 << 14 | 1 << 11 | 11 << 7 | 0 << 3 | 3), (3 << 14 | 1 << 11 | 15 << 7 | 2 << 3 | 0),
            (3 << 14 | 1 << 11 | 15 << 7 | 2 << 3 | 1), (3 << 14 | 1 << 11 | 15 << 7 | 2 << 3 | 2),
            (3 << 14 | 1 << 11 | 15 << 7 | 2 << 3 | 3), (3 << 14 | 1 << 11 | 15 << 7 | 3 << 3 | 0)};

    private static boolean isImpDef(int key) {
        for (int k : IMPDEF) {
            if (k == key) return true;
        }
        return false;
    }

    /** SCTLR_EL1 bits jemu looks at. */
    static final long SCTLR_M = 1, SCTLR_A = 1 << 1, SCTLR_SA0 = 1 << 4, SCTLR_UMA = 1 << 9, SCTLR_DZE = 1 << 14,
            SCTLR_UCT = 1 << 15, SCTLR_NTWI = 1 << 16, SCTLR_NTWE = 1 << 18, SCTLR_WXN = 1 << 19, SCTLR_UCI = 1 << 26;
    /** SCTLR_EL1's reset value on QEMU's cortex-a57 (MMU and caches off, RES1 bits set). */
    static final long SCTLR_RESET = 0x00c50838L;
    static final int BREAKPOINTS = 6, WATCHPOINTS = 4;

    private final ArmCpu c;
    SysRegDevice device;

    long sctlr, actlr, cpacr, ttbr0, ttbr1, tcr, mair, amair, contextidr, vbar, esr, far, elr, spsr, par;
    long tpidrEl1, tpidrEl0, tpidrroEl0, cntkctl, csselr, mdscr, mdccint, oseccr, osdlr, dbgprcr;
    boolean osLock;
    final long[] dbgbvr = new long[BREAKPOINTS], dbgbcr = new long[BREAKPOINTS];
    final long[] dbgwvr = new long[WATCHPOINTS], dbgwcr = new long[WATCHPOINTS];

    SysRegs(ArmCpu c) {
        this.c = c;
    }

    void reset() {
        sctlr = SCTLR_RESET;
        actlr = cpacr = ttbr0 = ttbr1 = tcr = mair = amair = contextidr = vbar = esr = far = elr = spsr = par = 0;
        tpidrEl1 = tpidrEl0 = tpidrroEl0 = cntkctl = csselr = mdscr = mdccint = oseccr = osdlr = dbgprcr = 0;
        osLock = true; // the OS lock is set on a cold reset
        java.util.Arrays.fill(dbgbvr, 0);
        java.util.Arrays.fill(dbgbcr, 0);
        java.util.Arrays.fill(dbgwvr, 0);
        java.util.Arrays.fill(dbgwcr, 0);
        updateFpAccess();
        c.exceptions.reset();
        c.timer.reset();
    }

    // ---------------------------------------------------------------- access checks

    /** The EC 0x18 trap of an MRS/MSR/SYS denied by an EL1 control (ISS: op0, op2, op1, CRn, Rt, CRm, direction). */
    ArmException trap(int key, int rt, boolean read) {
        int op0 = key >>> 14 & 3, op1 = key >>> 11 & 7, crn = key >>> 7 & 15, crm = key >>> 3 & 15, op2 = key & 7;
        int iss = op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | (rt & 31) << 5 | crm << 1 | (read ? 1 : 0);
        return c.syncException(Syndrome.EC_SYSREG, iss);
    }

    /** CPACR_EL1.FPEN for the current EL into {@link ArmCpu#fpDisabled}; called on every change of CPACR or EL. */
    void updateFpAccess() {
        int fpen = (int) (cpacr >>> 20) & 3;
        c.fpDisabled = c.el == 0 ? fpen != 3 : (fpen & 1) == 0;
    }

    private boolean el0TimerAllowed(int key, boolean read) {
        long k = cntkctl;
        if (key == GenericTimer.CNTFRQ) return (k & 3) != 0 && read;
        if (key == GenericTimer.CNTPCT) return (k & 1) != 0 && read;
        if (key == GenericTimer.CNTVCT) return (k & 2) != 0 && read;
        if (GenericTimer.isPhysical(key)) return (k & (1 << 9)) != 0;
        return (k & (1 << 8)) != 0; // the virtual timer's registers
    }

    // ---------------------------------------------------------------- MRS

    /** MRS Xt, (key): the value, or the exception the architecture asks for. */
    long read(int key, int rt) {
        switch (key) {
            case NZCV -> {
                return c.nzcv();
            }
            case DAIF -> {
                if (c.el == 0 && (sctlr & SCTLR_UMA) == 0) throw trap(key, rt, true);
                return (long) c.daif << 6;
            }
            case FPCR -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                return c.fpcr & 0xffffffffL;
            }
            case FPSR -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                return c.fpsr & 0xffffffffL;
            }
            case TPIDR_EL0 -> {
                return tpidrEl0;
            }
            case TPIDRRO_EL0 -> {
                return tpidrroEl0;
            }
            case CTR -> {
                if (c.el == 0 && (sctlr & SCTLR_UCT) == 0) throw trap(key, rt, true);
                return c.model.ctr();
            }
            case MDCCSR_EL0 -> { // the debug comms channel: nothing there (no debugger)
                if (c.el == 0 && (mdscr & (1 << 12)) != 0) throw trap(key, rt, true);
                return 0;
            }
            case DCZID -> {
                // BS = 4 (64-byte blocks); DZP reports whether DC ZVA is prohibited at the current EL
                return 4 | (c.el == 0 && (sctlr & SCTLR_DZE) == 0 ? 1 << 4 : 0);
            }
            default -> {
            }
        }
        if (GenericTimer.isTimerReg(key)) {
            if (c.el == 0 && !el0TimerAllowed(key, true)) throw trap(key, rt, true);
            return c.timer.read(key);
        }
        if (c.el == 0) throw c.undefined();
        switch (key) {
            case MIDR: return c.model.midr();
            case MPIDR: return 0x8000_0000L | c.cpuIndex; // Aff0 = index, uniprocessor bit clear, as QEMU's virt
            case REVIDR: return c.model.revidr();
            case SCTLR: return sctlr;
            case ACTLR: return actlr;
            case CPACR: return cpacr;
            case TTBR0: return ttbr0;
            case TTBR1: return ttbr1;
            case TCR: return tcr;
            case SPSR: return spsr;
            case ELR: return elr;
            case SP_EL0:
                if (!c.spsel) throw c.undefined();
                return c.spOf(0);
            case SPSEL: return c.spsel ? 1 : 0;
            case CURRENT_EL: return (long) c.el << 2;
            case AFSR0, AFSR1: return 0;
            case ESR: return esr;
            case FAR: return far;
            case PAR: return par;
            case MAIR: return mair;
            case AMAIR: return amair;
            case VBAR: return vbar;
            case ISR: return (c.irqLine ? 1 << 7 : 0) | (c.fiqLine ? 1 << 6 : 0);
            case CONTEXTIDR: return contextidr;
            case TPIDR_EL1: return tpidrEl1;
            case CNTKCTL: return cntkctl;
            case CCSIDR: return c.model.ccsidr(csselr);
            case CLIDR: return c.model.clidr();
            case AIDR: return 0;
            case CSSELR: return csselr;
            case MDCCINT: return mdccint;
            case MDSCR: return mdscr;
            case OSECCR: return oseccr;
            case MDRAR: return 0;
            case OSLSR: return 0b1000 | (osLock ? 2 : 0); // OSLM = 0b10: the OS lock is implemented
            case OSDLR: return osdlr;
            case DBGPRCR: return dbgprcr;
            case DBGCLAIMSET, DBGCLAIMCLR, DBGAUTHSTATUS, OSDTRRX, OSDTRTX: return 0;
            default:
                break;
        }
        if (device != null && device.handles(key)) return device.read(key); // ICC_*: none of the keys above
        int debug = debugIndex(key);
        if (debug >= 0) return debugRegs(key)[debug];
        if (isIdSpace(key)) return idRegister(key);
        if (isPmu(key) || isImpDef(key)) return 0;
        throw c.undefined();
    }

    /** The feature ID registers (op0 3, op1 0, CRn 0, CRm 1..7): reserved and AArch32 ones read as zero. */
    private long idRegister(int key) {
        if (key == ID_AA64PFR0) return c.model.idAa64pfr0() | (device != null ? 1L << 24 : 0); // GIC sysregs
        if (key == ID_AA64DFR0) return c.model.idAa64dfr0();
        if (key == ID_AA64ISAR0) return c.model.idAa64isar0();
        if (key == ID_AA64MMFR0) return c.model.idAa64mmfr0();
        if (key == ID_AA64MMFR1) return c.model.idAa64mmfr1();
        return 0; // AArch32 is not implemented at any EL: its ID registers are zero, as are the reserved ones
    }

    private static boolean isIdSpace(int key) {
        int crm = key >>> 3 & 15;
        return (key & ~(15 << 3 | 7)) == (3 << 14 | 0 << 11 | 0 << 7 | 0 << 3 | 0) && crm >= 1 && crm <= 7;
    }

    /**
     * The PMU registers (op0 3, CRn 9 op1 0 CRm 14 and op1 3 CRm 12..14; CRn 14 op1 3 CRm 8..15): ID_AA64DFR0
     * reports no PMU, but EL1 probes read zero and writes are ignored rather than fault (QEMU has a PMU there).
     */
    private static boolean isPmu(int key) {
        int op0 = key >>> 14 & 3, op1 = key >>> 11 & 7, crn = key >>> 7 & 15, crm = key >>> 3 & 15;
        if (op0 != 3) return false;
        return crn == 9 && (op1 == 0 && crm == 14 || op1 == 3 && crm >= 12 && crm <= 14)
                || crn == 14 && op1 == 3 && crm >= 8;
    }

    /** DBGBVR/BCR/WVR/WCR<n>_EL1: the index n, or -1. */
    private static int debugIndex(int key) {
        if ((key >>> 14 & 3) != 2 || (key >>> 11 & 7) != 0 || (key >>> 7 & 15) != 0) return -1;
        int n = key >>> 3 & 15, op2 = key & 7;
        if (op2 == 4 || op2 == 5) return n < BREAKPOINTS ? n : -1;
        if (op2 == 6 || op2 == 7) return n < WATCHPOINTS ? n : -1;
        return -1;
    }

    private long[] debugRegs(int key) {
        return switch (key & 7) {
            case 4 -> dbgbvr;
            case 5 -> dbgbcr;
            case 6 -> dbgwvr;
            default -> dbgwcr;
        };
    }

    // ---------------------------------------------------------------- MSR

    /** MSR (key), Xt. */
    void write(int key, int rt, long v) {
        switch (key) {
            case NZCV -> {
                c.setNzcv(v);
                return;
            }
            case DAIF -> {
                if (c.el == 0 && (sctlr & SCTLR_UMA) == 0) throw trap(key, rt, false);
                c.daif = (int) (v >>> 6) & 0xf;
                c.endBlock(); // an IRQ unmasked now is taken before the next instruction
                return;
            }
            case FPCR -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                c.fpcr = (int) v & 0x07c0_0000; // AHP, DN, FZ, RMode: no trapped FP exceptions on these cores
                return;
            }
            case FPSR -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                c.fpsr = (int) v & 0x0800_009f; // QC and the cumulative flags
                return;
            }
            case TPIDR_EL0 -> {
                tpidrEl0 = v;
                return;
            }
            default -> {
            }
        }
        if (GenericTimer.isTimerReg(key)) {
            if (key == GenericTimer.CNTFRQ || key == GenericTimer.CNTPCT || key == GenericTimer.CNTVCT) {
                if (c.el == 0 && !el0TimerAllowed(key, true)) throw trap(key, rt, false);
                throw c.undefined(); // read-only (CNTFRQ_EL0 is writable only at the highest EL, EL3)
            }
            if (c.el == 0 && !el0TimerAllowed(key, false)) throw trap(key, rt, false);
            c.timer.write(key, v);
            return;
        }
        if (c.el == 0) throw c.undefined();
        switch (key) {
            case SCTLR -> {
                sctlr = v & 0xffff_ffffL;
                c.mmu.flushTlb();
                c.endBlock();
            }
            case ACTLR -> actlr = v;
            case CPACR -> {
                cpacr = v & (3L << 20);
                updateFpAccess();
            }
            case TTBR0 -> {
                ttbr0 = v;
                c.mmu.contextChanged();
                c.endBlock();
            }
            case TTBR1 -> {
                ttbr1 = v;
                c.mmu.contextChanged();
                c.endBlock();
            }
            case TCR -> {
                tcr = v;
                c.mmu.flushTlb();
                c.endBlock();
            }
            case SPSR -> spsr = v & 0xffff_ffffL;
            case ELR -> elr = v;
            case SP_EL0 -> {
                if (!c.spsel) throw c.undefined();
                c.setSpOf(0, v);
            }
            case SPSEL -> c.exceptions.setSpSel((v & 1) != 0);
            case AFSR0, AFSR1 -> {
            }
            case ESR -> esr = v & 0xffff_ffffL;
            case FAR -> far = v;
            case PAR -> par = v;
            case MAIR -> {
                mair = v;
                c.mmu.flushTlb();
            }
            case AMAIR -> amair = v;
            case VBAR -> vbar = v & ~0x7ffL;
            case CONTEXTIDR -> contextidr = v & 0xffff_ffffL;
            case TPIDR_EL1 -> tpidrEl1 = v;
            case CNTKCTL -> cntkctl = v & 0x3ff;
            case CSSELR -> csselr = v & 0xf;
            case TPIDRRO_EL0 -> tpidrroEl0 = v;
            case MDCCINT -> mdccint = v;
            case MDSCR -> mdscr = v & 0xffff_ffffL;
            case OSECCR -> oseccr = v & 0xffff_ffffL;
            case OSLAR -> osLock = (v & 1) != 0;
            case OSDLR -> osdlr = v & 1;
            case DBGPRCR -> dbgprcr = v & 1;
            case DBGCLAIMSET, DBGCLAIMCLR, OSDTRRX, OSDTRTX -> {
            }
            default -> {
                int debug = debugIndex(key);
                if (device != null && device.handles(key)) { // ICC_*: none of the keys above
                    device.write(key, v);
                    c.endBlock(); // the CPU interface may have changed what is pending
                } else if (debug >= 0) {
                    debugRegs(key)[debug] = v;
                } else if (!isPmu(key) && !isImpDef(key)) {
                    throw c.undefined(); // unknown, or read-only (ID registers, ISR, CurrentEL, OSLSR...)
                }
            }
        }
    }

    /** The ASID of the EL1&0 regime: TCR_EL1.A1 picks TTBR1's or TTBR0's, TCR_EL1.AS 16 or 8 bits. */
    int asid() {
        long ttbr = (tcr & (1L << 22)) != 0 ? ttbr1 : ttbr0;
        return (int) (ttbr >>> 48) & ((tcr & (1L << 36)) != 0 ? 0xffff : 0xff);
    }

    /** The ASID field of a TLBI operand (bits 63:48), 8 or 16 bits per TCR_EL1.AS. */
    int asidOf(long operand) {
        return (int) (operand >>> 48) & ((tcr & (1L << 36)) != 0 ? 0xffff : 0xff);
    }

    // ---------------------------------------------------------------- state

    void saveState(StateWriter out) {
        out.putLong("sctlr_el1", sctlr).putLong("actlr_el1", actlr).putLong("cpacr_el1", cpacr)
                .putLong("ttbr0_el1", ttbr0).putLong("ttbr1_el1", ttbr1).putLong("tcr_el1", tcr)
                .putLong("mair_el1", mair).putLong("amair_el1", amair).putLong("contextidr_el1", contextidr)
                .putLong("vbar_el1", vbar).putLong("esr_el1", esr).putLong("far_el1", far)
                .putLong("elr_el1", elr).putLong("spsr_el1", spsr).putLong("par_el1", par)
                .putLong("tpidr_el1", tpidrEl1).putLong("tpidr_el0", tpidrEl0).putLong("tpidrro_el0", tpidrroEl0)
                .putLong("cntkctl_el1", cntkctl).putLong("csselr_el1", csselr).putLong("mdscr_el1", mdscr)
                .putLong("mdccint_el1", mdccint).putLong("oseccr_el1", oseccr).putLong("osdlr_el1", osdlr)
                .putLong("dbgprcr_el1", dbgprcr).putBoolean("os_lock", osLock)
                .putLongs("dbgbvr", dbgbvr).putLongs("dbgbcr", dbgbcr)
                .putLongs("dbgwvr", dbgwvr).putLongs("dbgwcr", dbgwcr);
        c.exceptions.saveState(out);
        c.timer.saveState(out);
    }

    void loadState(StateReader in) {
        sctlr = in.getLong("sctlr_el1");
        actlr = in.getLong("actlr_el1");
        cpacr = in.getLong("cpacr_el1");
        ttbr0 = in.getLong("ttbr0_el1");
        ttbr1 = in.getLong("ttbr1_el1");
        tcr = in.getLong("tcr_el1");
        mair = in.getLong("mair_el1");
        amair = in.getLong("amair_el1");
        contextidr = in.getLong("contextidr_el1");
        vbar = in.getLong("vbar_el1");
        esr = in.getLong("esr_el1");
        far = in.getLong("far_el1");
        elr = in.getLong("elr_el1");
        spsr = in.getLong("spsr_el1");
        par = in.getLong("par_el1");
        tpidrEl1 = in.getLong("tpidr_el1");
        tpidrEl0 = in.getLong("tpidr_el0");
        tpidrroEl0 = in.getLong("tpidrro_el0");
        cntkctl = in.getLong("cntkctl_el1");
        csselr = in.getLong("csselr_el1");
        mdscr = in.getLong("mdscr_el1");
        mdccint = in.getLong("mdccint_el1");
        oseccr = in.getLong("oseccr_el1");
        osdlr = in.getLong("osdlr_el1");
        dbgprcr = in.getLong("dbgprcr_el1");
        osLock = in.getBoolean("os_lock");
        copy(in.getLongs("dbgbvr"), dbgbvr);
        copy(in.getLongs("dbgbcr"), dbgbcr);
        copy(in.getLongs("dbgwvr"), dbgwvr);
        copy(in.getLongs("dbgwcr"), dbgwcr);
        c.exceptions.loadState(in);
        c.timer.loadState(in);
        updateFpAccess();
    }

    private static void copy(long[] from, long[] to) {
        System.arraycopy(from, 0, to, 0, Math.min(from.length, to.length));
    }
}
