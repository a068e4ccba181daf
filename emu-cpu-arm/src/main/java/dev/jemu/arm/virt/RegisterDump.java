package dev.jemu.arm.virt;

import dev.jemu.arm.cpu.ArmCpu;

/** {@code info registers} for an aarch64 CPU in QEMU 7.2's layout (aarch64_cpu_dump_state with the FPU). */
final class RegisterDump {
    private RegisterDump() {
    }

    /** PSTATE as QEMU prints it: NZCV, DAIF, EL and SP select. */
    static long pstate(ArmCpu c) {
        return c.nzcv() | (long) c.daif << 6 | (long) c.el << 2 | (c.spsel ? 1 : 0);
    }

    static String dump(ArmCpu c) {
        StringBuilder s = new StringBuilder("\nCPU#").append(c.cpuIndex()).append('\n');
        s.append(String.format(" PC=%016x ", c.pc()));
        for (int i = 0; i < 31; i++) {
            s.append(String.format("X%02d=%016x%s", i, c.reg(i), (i + 2) % 3 != 0 ? " " : "\n"));
        }
        s.append(String.format(" SP=%016x\n", c.reg(31)));
        long p = pstate(c);
        s.append(String.format("PSTATE=%08x %c%c%c%c EL%d%c", p, c.nf != 0 ? 'N' : '-', c.zf != 0 ? 'Z' : '-',
                c.cf != 0 ? 'C' : '-', c.vf != 0 ? 'V' : '-', c.el, c.spsel ? 'h' : 't'));
        if (c.fpDisabled) {
            s.append("    FPU disabled\n");
            return s.toString();
        }
        s.append(String.format("     FPCR=%08x FPSR=%08x\n", c.fpcr, c.fpsr));
        for (int i = 0; i < 32; i++) {
            s.append(String.format("Q%02d=%016x:%016x%s", i, c.v[2 * i + 1], c.v[2 * i], (i & 1) != 0 ? "\n" : " "));
        }
        return s.toString();
    }

    /** One register by its gdb/HMP name (pc, sp, x0..x30, pstate), or null. */
    static Long register(ArmCpu c, String name) {
        String n = name.toLowerCase();
        if (n.equals("pc")) {
            return c.pc();
        }
        if (n.equals("sp")) {
            return c.reg(31);
        }
        if (n.equals("pstate") || n.equals("cpsr")) {
            return pstate(c);
        }
        if (n.matches("x([0-9]|[12][0-9]|30)")) {
            return c.reg(Integer.parseInt(n.substring(1)));
        }
        return null;
    }
}
