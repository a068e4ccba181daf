package dev.jemu.x86.cpu;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/** Model-specific registers (owner: the MMU/CPUID work): RDMSR/WRMSR by index; an unknown one is #GP(0). */
public final class Msrs {
    public static final int IA32_TSC = 0x10, IA32_APIC_BASE = 0x1b, IA32_SYSENTER_CS = 0x174,
            IA32_SYSENTER_ESP = 0x175, IA32_SYSENTER_EIP = 0x176, IA32_PAT = 0x277, IA32_EFER = 0xc0000080,
            IA32_STAR = 0xc0000081, IA32_LSTAR = 0xc0000082, IA32_CSTAR = 0xc0000083, IA32_FMASK = 0xc0000084,
            IA32_FS_BASE = 0xc0000100, IA32_GS_BASE = 0xc0000101, IA32_KERNEL_GS_BASE = 0xc0000102,
            IA32_TSC_AUX = 0xc0000103;

    private final X86Cpu c;
    public long star, lstar, cstar, fmask, kernelGsBase, tscAux, sysenterCs, sysenterEsp, sysenterEip;
    public long pat = 0x0007040600070406L;
    public long apicBase = 0xfee00000L | 1 << 11 | 1 << 8;

    Msrs(X86Cpu c) {
        this.c = c;
    }

    void reset() {
        star = lstar = cstar = fmask = kernelGsBase = tscAux = sysenterCs = sysenterEsp = sysenterEip = 0;
        pat = 0x0007040600070406L;
        apicBase = 0xfee00000L | 1 << 11 | (c.cpuIndex == 0 ? 1 << 8 : 0);
    }

    // ---- x86sys stub: the MSR work's tsc() (with its TSC offset) replaces this on merge
    /** The time-stamp counter RDTSC reads. */
    public long tsc() {
        return c.tsc.ticks();
    }

    /** RDMSR; throws #GP(0) for an MSR jemu does not implement. */
    public long read(int index) {
        throw c.fault(Vectors.GP, 0);
    }

    /** WRMSR; throws #GP(0) for an unknown MSR or a reserved bit set. */
    public void write(int index, long value) {
        throw c.fault(Vectors.GP, 0);
    }

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
    }
}
