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
        OpcodeTable own = new OpcodeTable();
        SegmentOps.register(own);
        ControlOps.register(own);
        PortIoOps.register(own);
        MiscSystemOps.register(own);
        for (int map = 0; map < own.maps.length; map++) {
            for (int op = 0; op < 256; op++) {
                OpDecoder dec = own.get(map, op);
                if (dec != null) {
                    t.put(map, op, d -> d.lock ? null : dec.decode(d)); // no system instruction takes LOCK: #UD
                }
            }
        }
    }
}
