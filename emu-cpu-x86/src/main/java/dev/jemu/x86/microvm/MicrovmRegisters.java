package dev.jemu.x86.microvm;

import dev.jemu.x86.cpu.X86Cpu;
import java.util.Locale;

/** The monitor's view of the x86 CPU ({@code info registers}, {@code p $rip}) in QEMU's names. */
final class MicrovmRegisters {
    private static final String[] NAMES = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10",
            "r11", "r12", "r13", "r14", "r15"};

    private MicrovmRegisters() {
    }

    static String dump(X86Cpu c) {
        StringBuilder s = new StringBuilder();
        int[] order = {0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15}; // QEMU: RAX RBX RCX RDX RSI RDI RBP RSP
        for (int i = 0; i < order.length; i++) {
            s.append(String.format(Locale.ROOT, "%-3s=%016x", NAMES[order[i]].toUpperCase(Locale.ROOT), c.r[order[i]]));
            s.append(i % 4 == 3 ? '\n' : ' ');
        }
        s.append(String.format(Locale.ROOT, "RIP=%016x RFL=%08x CPL=%d%n", c.rip, c.rflags(), c.cpl));
        s.append(String.format(Locale.ROOT, "CR0=%08x CR2=%016x CR3=%016x CR4=%08x%n", c.cr0, c.cr2, c.cr3, c.cr4));
        s.append(String.format(Locale.ROOT, "EFER=%016x%n", c.efer));
        return s.toString();
    }

    static Long register(X86Cpu c, String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(n)) {
                return c.r[i];
            }
        }
        return switch (n) {
            case "rip", "pc" -> c.rip;
            case "rflags", "eflags" -> c.rflags();
            case "cr0" -> c.cr0;
            case "cr2" -> c.cr2;
            case "cr3" -> c.cr3;
            case "cr4" -> c.cr4;
            case "efer" -> c.efer;
            default -> null;
        };
    }
}
