package dev.jemu.x86.cpu;

/**
 * Every CPUID feature bit jemu can advertise, in one table: where the bit is (leaf, sub-leaf, register, bit),
 * whose work backs it, whether that work is done ({@code implemented}: the one switch to flip when an
 * instruction group is complete) and whether QEMU's {@code qemu64} model lists it. {@code -cpu max} advertises
 * every implemented row, {@code -cpu qemu64} the implemented rows it lists. A bit not in this table is 0.
 */
public enum CpuFeature {
    // CPUID.1:EDX
    FPU(1, Reg.EDX, 0, Backing.X86FP, true, true),
    PSE(1, Reg.EDX, 3, Backing.X86MMU, true, true),
    TSC(1, Reg.EDX, 4, Backing.X86SYS, true, true),
    MSR(1, Reg.EDX, 5, Backing.X86SYS, true, true),
    PAE(1, Reg.EDX, 6, Backing.X86MMU, true, true),
    CX8(1, Reg.EDX, 8, Backing.X86CORE, true, true),
    APIC(1, Reg.EDX, 9, Backing.X86BOARD, true, true),
    SEP(1, Reg.EDX, 11, Backing.X86SYS, true, true),
    MTRR(1, Reg.EDX, 12, Backing.X86MMU, true, true),
    PGE(1, Reg.EDX, 13, Backing.X86MMU, true, true),
    CMOV(1, Reg.EDX, 15, Backing.X86CORE, true, true),
    PAT(1, Reg.EDX, 16, Backing.X86MMU, true, true),
    PSE36(1, Reg.EDX, 17, Backing.X86MMU, true, true),
    CLFLUSH(1, Reg.EDX, 19, Backing.X86SYS, true, true),
    MMX(1, Reg.EDX, 23, Backing.X86FP, true, true),
    FXSR(1, Reg.EDX, 24, Backing.X86FP, true, true),
    SSE(1, Reg.EDX, 25, Backing.X86FP, true, true),
    SSE2(1, Reg.EDX, 26, Backing.X86FP, true, true),
    // CPUID.1:ECX
    SSE3(1, Reg.ECX, 0, Backing.X86FP, true, true),
    SSSE3(1, Reg.ECX, 9, Backing.X86FP, true, false),
    CX16(1, Reg.ECX, 13, Backing.X86CORE, true, true),
    SSE41(1, Reg.ECX, 19, Backing.X86FP, true, false),
    SSE42(1, Reg.ECX, 20, Backing.X86FP, true, false),
    POPCNT(1, Reg.ECX, 23, Backing.X86CORE, true, false),
    TSC_DEADLINE(1, Reg.ECX, 24, Backing.X86BOARD, X86Clocks.LAPIC_TSC_DEADLINE, true),
    HYPERVISOR(1, Reg.ECX, 31, Backing.X86MMU, true, true),
    // CPUID.6:EAX: the APIC timer runs in every C-state (jemu's never stops)
    ARAT(6, Reg.EAX, 2, Backing.X86BOARD, true, true),
    // CPUID.(7,0)
    FSGSBASE(7, Reg.EBX, 0, Backing.X86SYS, false, false),
    TSC_ADJUST(7, Reg.EBX, 1, Backing.X86MMU, true, true),
    ERMS(7, Reg.EBX, 9, Backing.X86CORE, false, false),
    FSRM(7, Reg.EDX, 4, Backing.X86CORE, false, false),
    // CPUID.80000001
    LAHF_LM(0x8000_0001, Reg.ECX, 0, Backing.X86CORE, true, true),
    ABM(0x8000_0001, Reg.ECX, 5, Backing.X86CORE, false, false), // LZCNT (F3 0F BD is BSR without it)
    SYSCALL(0x8000_0001, Reg.EDX, 11, Backing.X86SYS, true, true),
    NX(0x8000_0001, Reg.EDX, 20, Backing.X86MMU, true, true),
    PDPE1GB(0x8000_0001, Reg.EDX, 26, Backing.X86MMU, true, false),
    RDTSCP(0x8000_0001, Reg.EDX, 27, Backing.X86SYS, true, false),
    LM(0x8000_0001, Reg.EDX, 29, Backing.X86SYS, true, true),
    // CPUID.80000007:EDX
    INVTSC(0x8000_0007, Reg.EDX, 8, Backing.X86MMU, true, true);

    /** The register a feature bit is in. */
    public enum Reg { EAX, EBX, ECX, EDX }

    /** Whose work makes the bit true (the helpers of issue 11). */
    public enum Backing { X86CORE, X86SYS, X86FP, X86MMU, X86BOARD }

    public final int leaf;
    public final Reg reg;
    public final int bit;
    public final Backing backing;
    public final boolean implemented;
    final boolean inQemu64;

    CpuFeature(int leaf, Reg reg, int bit, Backing backing, boolean implemented, boolean inQemu64) {
        this.leaf = leaf;
        this.reg = reg;
        this.bit = bit;
        this.backing = backing;
        this.implemented = implemented;
        this.inQemu64 = inQemu64;
    }

    /** The feature bits of {@code leaf} (sub-leaf 0 where it has sub-leaves) in register {@code reg} for a model. */
    static int bits(X86Model model, int leaf, Reg reg) {
        int v = 0;
        for (CpuFeature f : values()) {
            if (f.leaf == leaf && f.reg == reg && model.has(f)) {
                v |= 1 << f.bit;
            }
        }
        return v;
    }
}
