package dev.jemu.x86.cpu;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * Model-specific registers: RDMSR/WRMSR by index, for what Linux touches on an Intel CPU of the models jemu
 * reports ({@link X86Model}). An MSR jemu does not implement, a reserved bit set, a non-canonical address or an
 * invalid memory type is #GP(0) (Linux probes with rdmsr_safe/wrmsr_safe); QEMU's TCG instead reads unknown MSRs
 * as 0 and drops the writes, KVM and real CPUs fault. MSRs of features CPUID does not report (SPEC_CTRL,
 * ARCH_CAPABILITIES, x2APIC, MCE, PMU) are unknown.
 *
 * <p>The TSC: {@link #tsc()} is what RDTSC reads, the board's TSC {@code Timebase} plus an offset that WRMSR
 * IA32_TSC and IA32_TSC_ADJUST move (neither does a reset: the TSC is the guest clock's, as under QEMU's TCG).
 * IA32_TSC_DEADLINE belongs to the local APIC, which the CPU reaches through its {@link InterruptSource}; it
 * compares deadlines with {@link #tsc()} ({@link #nanosAtTsc} gives a deadline's guest time).
 */
public final class Msrs {
    public static final int IA32_TSC = 0x10, IA32_PLATFORM_ID = 0x17, IA32_APIC_BASE = 0x1b,
            IA32_FEATURE_CONTROL = 0x3a, IA32_TSC_ADJUST = 0x3b, IA32_BIOS_UPDT_TRIG = 0x79,
            IA32_BIOS_SIGN_ID = 0x8b, MSR_PLATFORM_INFO = 0xce, IA32_MTRRCAP = 0xfe,
            IA32_SYSENTER_CS = 0x174, IA32_SYSENTER_ESP = 0x175, IA32_SYSENTER_EIP = 0x176,
            IA32_MISC_ENABLE = 0x1a0, IA32_DEBUGCTL = 0x1d9, IA32_MTRR_PHYSBASE0 = 0x200, IA32_MTRR_FIX64K_00000 = 0x250,
            IA32_MTRR_FIX16K_80000 = 0x258, IA32_MTRR_FIX16K_A0000 = 0x259, IA32_MTRR_FIX4K_C0000 = 0x268,
            IA32_MTRR_FIX4K_F8000 = 0x26f, IA32_PAT = 0x277, IA32_MTRR_DEF_TYPE = 0x2ff,
            IA32_TSC_DEADLINE = 0x6e0, IA32_EFER = 0xc0000080, IA32_STAR = 0xc0000081, IA32_LSTAR = 0xc0000082,
            IA32_CSTAR = 0xc0000083, IA32_FMASK = 0xc0000084, IA32_FS_BASE = 0xc0000100,
            IA32_GS_BASE = 0xc0000101, IA32_KERNEL_GS_BASE = 0xc0000102, IA32_TSC_AUX = 0xc0000103;
    /** Variable-range MTRR pairs (IA32_MTRRCAP.VCNT). */
    public static final int MTRR_VARIABLE = 8;
    /** IA32_MTRRCAP: VCNT, fixed ranges (bit 8), write-combining (bit 10). */
    static final long MTRRCAP = MTRR_VARIABLE | 1 << 8 | 1 << 10;
    static final long PAT_DEFAULT = 0x0007_0406_0007_0406L;
    /** IA32_MISC_ENABLE at reset: fast strings (bit 0), as QEMU. */
    static final long MISC_ENABLE_DEFAULT = 1;
    private static final long APIC_BASE_BSP = 1 << 8, APIC_BASE_X2APIC = 1 << 10, APIC_BASE_ENABLE = 1 << 11;
    private static final long PHYS_MASK = (1L << Mmu.PHYS_BITS) - 1;

    private final X86Cpu c;
    public long star, lstar, cstar, fmask, kernelGsBase, tscAux, sysenterCs, sysenterEsp, sysenterEip;
    public long pat = PAT_DEFAULT;
    public long apicBase;
    public long miscEnable = MISC_ENABLE_DEFAULT, featureControl;
    /** IA32_TSC_ADJUST, and what RDTSC adds to the TSC Timebase's ticks. */
    public long tscAdjust, tscOffset;
    public long mtrrDefType;
    /** IA32_MTRR_PHYSBASEn/PHYSMASKn as base0, mask0, base1, ... */
    public final long[] mtrrVariable = new long[2 * MTRR_VARIABLE];
    /** The 11 fixed-range MTRRs: FIX64K_00000, FIX16K_80000, FIX16K_A0000, FIX4K_C0000..FIX4K_F8000. */
    public final long[] mtrrFixed = new long[11];
    /** IA32_TSC_DEADLINE while no interrupt source (local APIC) is connected: stored only. */
    private long tscDeadline;

    Msrs(X86Cpu c) {
        this.c = c;
    }

    void reset() {
        star = lstar = cstar = fmask = kernelGsBase = tscAux = sysenterCs = sysenterEsp = sysenterEip = 0;
        pat = PAT_DEFAULT;
        apicBase = 0xfee00000L | APIC_BASE_ENABLE | (c.cpuIndex == 0 ? APIC_BASE_BSP : 0);
        miscEnable = MISC_ENABLE_DEFAULT;
        featureControl = 0;
        mtrrDefType = 0;
        java.util.Arrays.fill(mtrrVariable, 0);
        java.util.Arrays.fill(mtrrFixed, 0);
        tscDeadline = 0;
        // the TSC is the guest clock's again (and so the local APIC's deadlines): IA32_TSC_ADJUST is 0
        tscAdjust = 0;
        tscOffset = 0;
    }

    // ---------------------------------------------------------------- the TSC

    /** The time-stamp counter now: what RDTSC and RDTSCP return. */
    public long tsc() {
        return c.tsc.ticks() + tscOffset;
    }

    /** The guest time (VirtualClock ns) at which {@link #tsc()} reaches {@code value} (for TSC-deadline timers). */
    public long nanosAtTsc(long value) {
        return c.tsc.nanosAt(value - tscOffset);
    }

    // ---------------------------------------------------------------- RDMSR / WRMSR

    /** RDMSR; throws #GP(0) for an MSR jemu does not implement. */
    public long read(int index) {
        X86Model m = c.model;
        return switch (index) {
            case IA32_TSC -> tsc();
            case IA32_PLATFORM_ID, IA32_BIOS_SIGN_ID -> 0; // no microcode: revision 0
            case IA32_APIC_BASE -> apicBase;
            case IA32_FEATURE_CONTROL -> featureControl;
            case IA32_TSC_ADJUST -> need(m.has(CpuFeature.TSC_ADJUST), tscAdjust);
            case MSR_PLATFORM_INFO -> (X86Clocks.TSC_HZ / X86Clocks.BUS_HZ) << 8; // max non-turbo ratio
            case IA32_MTRRCAP -> MTRRCAP;
            case IA32_SYSENTER_CS -> sysenterCs;
            case IA32_SYSENTER_ESP -> sysenterEsp;
            case IA32_SYSENTER_EIP -> sysenterEip;
            case IA32_MISC_ENABLE -> miscEnable;
            case IA32_DEBUGCTL -> 0;
            case IA32_PAT -> pat;
            case IA32_MTRR_DEF_TYPE -> mtrrDefType;
            case IA32_TSC_DEADLINE -> need(m.has(CpuFeature.TSC_DEADLINE),
                    c.intr != null ? c.intr.tscDeadline() : tscDeadline);
            case IA32_EFER -> c.efer;
            case IA32_STAR -> star;
            case IA32_LSTAR -> lstar;
            case IA32_CSTAR -> cstar;
            case IA32_FMASK -> fmask;
            case IA32_FS_BASE -> c.seg[X86Cpu.FS].base;
            case IA32_GS_BASE -> c.seg[X86Cpu.GS].base;
            case IA32_KERNEL_GS_BASE -> kernelGsBase;
            case IA32_TSC_AUX -> need(m.has(CpuFeature.RDTSCP), tscAux);
            default -> {
                int mtrr = mtrrSlot(index);
                if (mtrr >= 0) {
                    yield mtrrVariable[mtrr];
                }
                int fixed = fixedSlot(index);
                if (fixed >= 0) {
                    yield mtrrFixed[fixed];
                }
                throw gp();
            }
        };
    }

    /** WRMSR; throws #GP(0) for an unknown or read-only MSR, a reserved bit set, or a value the MSR refuses. */
    public void write(int index, long v) {
        c.interruptsMayChange(); // the APIC base, the TSC deadline
        X86Model m = c.model;
        switch (index) {
            case IA32_TSC -> {
                long old = tsc();
                tscOffset += v - old;
                tscAdjust += v - old; // the SDM: a TSC write moves IA32_TSC_ADJUST by the same amount
            }
            case IA32_BIOS_SIGN_ID -> { } // Linux writes 0 before reading the revision
            case IA32_BIOS_UPDT_TRIG -> { } // a microcode update: nothing to load
            case IA32_APIC_BASE -> writeApicBase(v);
            case IA32_FEATURE_CONTROL -> {
                if ((featureControl & 1) != 0 || (v & ~1L) != 0) {
                    throw gp(); // locked, or VMX/SMX/SGX enables that CPUID does not report
                }
                featureControl = v;
            }
            case IA32_TSC_ADJUST -> {
                need(m.has(CpuFeature.TSC_ADJUST), 0);
                tscOffset += v - tscAdjust;
                tscAdjust = v;
            }
            case IA32_SYSENTER_CS -> sysenterCs = v & 0xffff_ffffL;
            case IA32_SYSENTER_ESP -> sysenterEsp = canonical(v);
            case IA32_SYSENTER_EIP -> sysenterEip = canonical(v);
            case IA32_MISC_ENABLE -> miscEnable = v;
            case IA32_DEBUGCTL -> {
                if (v != 0) {
                    throw gp(); // no last-branch records, no single-stepping on branches (BTF)
                }
            }
            case IA32_PAT -> {
                for (int i = 0; i < 8; i++) {
                    int t = (int) (v >>> (8 * i)) & 0xff;
                    if (t > 7 || t == 2 || t == 3) {
                        throw gp();
                    }
                }
                pat = v;
            }
            case IA32_MTRR_DEF_TYPE -> {
                if ((v & ~0xcffL) != 0 || !mtrrType((int) v & 0xff)) {
                    throw gp();
                }
                mtrrDefType = v;
            }
            case IA32_TSC_DEADLINE -> {
                need(m.has(CpuFeature.TSC_DEADLINE), 0);
                if (c.intr != null) {
                    c.intr.setTscDeadline(v);
                } else {
                    tscDeadline = v;
                }
            }
            case IA32_EFER -> writeEfer(v);
            case IA32_STAR -> star = v;
            case IA32_LSTAR -> lstar = canonical(v);
            case IA32_CSTAR -> cstar = canonical(v);
            case IA32_FMASK -> fmask = v & 0xffff_ffffL;
            case IA32_FS_BASE -> c.seg[X86Cpu.FS].base = canonical(v);
            case IA32_GS_BASE -> c.seg[X86Cpu.GS].base = canonical(v);
            case IA32_KERNEL_GS_BASE -> kernelGsBase = canonical(v);
            case IA32_TSC_AUX -> {
                need(m.has(CpuFeature.RDTSCP), 0);
                if (v >>> 32 != 0) {
                    throw gp();
                }
                tscAux = v;
            }
            default -> {
                int mtrr = mtrrSlot(index);
                int fixed = fixedSlot(index);
                if (mtrr >= 0) {
                    writeVariableMtrr(mtrr, v);
                } else if (fixed >= 0) {
                    for (int i = 0; i < 8; i++) {
                        if (!mtrrType((int) (v >>> (8 * i)) & 0xff)) {
                            throw gp();
                        }
                    }
                    mtrrFixed[fixed] = v;
                } else {
                    throw gp(); // PLATFORM_INFO, MTRRCAP and PLATFORM_ID are read-only; the rest unknown
                }
            }
        }
    }

    /** EFER: SCE, LME, NXE writable; LMA is kept (the CPU sets it); LME cannot change while paging is on. */
    private void writeEfer(long v) {
        long writable = X86Cpu.EFER_SCE | X86Cpu.EFER_LME | X86Cpu.EFER_NXE;
        if ((v & ~(writable | X86Cpu.EFER_LMA)) != 0) {
            throw gp();
        }
        long old = c.efer;
        if ((c.cr0 & X86Cpu.CR0_PG) != 0 && ((old ^ v) & X86Cpu.EFER_LME) != 0) {
            throw gp();
        }
        c.mmu.setEfer(v & writable | old & X86Cpu.EFER_LMA);
    }

    private void writeApicBase(long v) {
        // bits 7:0, 9, 10 (x2APIC: not reported) and those above the physical address width are reserved
        if ((v & (0xffL | 1 << 9 | APIC_BASE_X2APIC | ~PHYS_MASK)) != 0) {
            throw gp();
        }
        apicBase = v & ~APIC_BASE_BSP | apicBase & APIC_BASE_BSP; // BSP is read-only; the local APIC reads it here
    }

    private void writeVariableMtrr(int slot, long v) {
        if ((slot & 1) == 0) { // PHYSBASE: type in 7:0, 11:8 reserved
            if ((v & (0xf00L | ~PHYS_MASK)) != 0 || !mtrrType((int) v & 0xff)) {
                throw gp();
            }
        } else if ((v & (0x7ffL | ~PHYS_MASK)) != 0) { // PHYSMASK: valid in bit 11, 10:0 reserved
            throw gp();
        }
        mtrrVariable[slot] = v;
    }

    /** UC, WC, WT, WP, WB (2, 3 and 7 are reserved for MTRRs). */
    private static boolean mtrrType(int t) {
        return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
    }

    private static int mtrrSlot(int index) {
        int i = index - IA32_MTRR_PHYSBASE0;
        return i >= 0 && i < 2 * MTRR_VARIABLE ? i : -1;
    }

    private static int fixedSlot(int index) {
        return switch (index) {
            case IA32_MTRR_FIX64K_00000 -> 0;
            case IA32_MTRR_FIX16K_80000 -> 1;
            case IA32_MTRR_FIX16K_A0000 -> 2;
            default -> index >= IA32_MTRR_FIX4K_C0000 && index <= IA32_MTRR_FIX4K_F8000
                    ? 3 + index - IA32_MTRR_FIX4K_C0000 : -1;
        };
    }

    private long canonical(long v) {
        if (v << 16 >> 16 != v) {
            throw gp();
        }
        return v;
    }

    private long need(boolean advertised, long v) {
        if (!advertised) {
            throw gp();
        }
        return v;
    }

    private X86Exception gp() {
        return c.fault(Vectors.GP, 0);
    }

    // ---------------------------------------------------------------- state

    void saveState(StateWriter out) {
        out.putLong("msr.star", star);
        out.putLong("msr.lstar", lstar);
        out.putLong("msr.cstar", cstar);
        out.putLong("msr.fmask", fmask);
        out.putLong("msr.kernel_gs_base", kernelGsBase);
        out.putLong("msr.tsc_aux", tscAux);
        out.putLong("msr.sysenter_cs", sysenterCs);
        out.putLong("msr.sysenter_esp", sysenterEsp);
        out.putLong("msr.sysenter_eip", sysenterEip);
        out.putLong("msr.pat", pat);
        out.putLong("msr.apic_base", apicBase);
        out.putLong("msr.misc_enable", miscEnable);
        out.putLong("msr.feature_control", featureControl);
        out.putLong("msr.tsc_offset", tscOffset);
        out.putLong("msr.tsc_adjust", tscAdjust);
        out.putLong("msr.tsc_deadline", tscDeadline);
        out.putLong("msr.mtrr_def_type", mtrrDefType);
        out.putLongs("msr.mtrr_variable", mtrrVariable.clone());
        out.putLongs("msr.mtrr_fixed", mtrrFixed.clone());
    }

    void loadState(StateReader in) {
        star = in.getLong("msr.star");
        lstar = in.getLong("msr.lstar");
        cstar = in.getLong("msr.cstar");
        fmask = in.getLong("msr.fmask");
        kernelGsBase = in.getLong("msr.kernel_gs_base");
        tscAux = in.getLong("msr.tsc_aux");
        sysenterCs = in.getLong("msr.sysenter_cs");
        sysenterEsp = in.getLong("msr.sysenter_esp");
        sysenterEip = in.getLong("msr.sysenter_eip");
        pat = in.getLong("msr.pat");
        apicBase = in.getLong("msr.apic_base");
        miscEnable = in.getLong("msr.misc_enable", MISC_ENABLE_DEFAULT);
        featureControl = in.getLong("msr.feature_control", 0);
        tscOffset = in.getLong("msr.tsc_offset", 0);
        tscAdjust = in.getLong("msr.tsc_adjust", 0);
        tscDeadline = in.getLong("msr.tsc_deadline", 0);
        mtrrDefType = in.getLong("msr.mtrr_def_type", 0);
        long[] var = in.has("msr.mtrr_variable") ? in.getLongs("msr.mtrr_variable") : new long[0];
        long[] fix = in.has("msr.mtrr_fixed") ? in.getLongs("msr.mtrr_fixed") : new long[0];
        java.util.Arrays.fill(mtrrVariable, 0);
        java.util.Arrays.fill(mtrrFixed, 0);
        System.arraycopy(var, 0, mtrrVariable, 0, Math.min(var.length, mtrrVariable.length));
        System.arraycopy(fix, 0, mtrrFixed, 0, Math.min(fix.length, mtrrFixed.length));
    }
}
