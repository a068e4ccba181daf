package dev.jemu.x86.cpu;

/**
 * Registers the system instructions, each group from its own class: segment loads and far transfers
 * ({@link SegmentOps}), control/debug registers and descriptor tables ({@link ControlOps}), port I/O
 * ({@link PortIoOps}), and INT/HLT/CLI/STI/CPUID/MSR/TSC/SYSCALL/SYSENTER/0F AE ({@link MiscSystemOps}).
 * Exception and interrupt delivery is {@link Interrupts}.
 */
final class SystemOps {
    private SystemOps() {
    }

    static void register(OpcodeTable t) {
        SegmentOps.register(t);
        ControlOps.register(t);
        PortIoOps.register(t);
        MiscSystemOps.register(t);
    }
}
