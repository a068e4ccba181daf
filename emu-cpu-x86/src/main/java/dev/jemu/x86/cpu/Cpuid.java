package dev.jemu.x86.cpu;

/**
 * CPUID (owner: the MMU/CPUID work): reports exactly what jemu implements, so the kernel and glibc take only
 * paths that exist; the TSC frequency is readable (leaves 0x15/0x16). Skeleton: nothing yet.
 */
public final class Cpuid {
    private Cpuid() {
    }

    /** EAX, EBX, ECX, EDX of leaf {@code leaf}, sub-leaf {@code sub}. */
    public static int[] query(X86Cpu c, int leaf, int sub) {
        return new int[4];
    }
}
