package dev.jemu.cli;

import dev.jemu.core.machine.ConfigException;
import java.util.Set;

/**
 * The accelerator, as QEMU 7.2 spells it: {@code -accel tcg|kvm[,prop=value]}, {@code -enable-kvm} and the legacy
 * {@code -machine accel=NAME}; "tcg" when none is given. Only x86_64 boards take kvm.
 */
final class AccelOption {
    /** QEMU's other accelerators: named in the refusal so that the user knows it is jemu that lacks them. */
    private static final Set<String> QEMU_ONLY = Set.of("xen", "hvf", "whpx", "nvmm", "hax", "qtest");

    private AccelOption() {
    }

    /**
     * The accelerator chosen: {@code name} "tcg" or "kvm"; {@code tcgMultiThread} from {@code -accel
     * tcg,thread=single|multi}: true for multi (one host thread per CPU), false for single, null when not given.
     */
    record Accel(String name, Boolean tcgMultiThread) {
    }

    /** The accelerator of {@code -accel} ({@code accel}), {@code -M accel=} ({@code machineAccel}), {@code -enable-kvm}. */
    static Accel parse(String accel, String machineAccel, boolean enableKvm) throws ConfigException {
        if (enableKvm) {
            machineAccel = machineAccel == null ? "kvm" : machineAccel;
        }
        if (accel != null && machineAccel != null) {
            throw new ConfigException("The -accel and \"-machine accel=\" options are incompatible");
        }
        if (machineAccel != null) {
            if (machineAccel.contains(":")) {
                throw new ConfigException("-machine accel=" + machineAccel
                        + ": accelerator lists are not supported; give one of kvm, tcg");
            }
            return new Accel(name("-machine accel=" + machineAccel, machineAccel), null);
        }
        if (accel == null) {
            return new Accel("tcg", null);
        }
        String[] parts = accel.split(",", -1);
        String name = name("-accel " + accel, parts[0]);
        Boolean multi = null;
        String badThread = null; // reported once every property is known to be supported
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            boolean ok = name.equals("tcg") ? p.startsWith("thread=") || p.startsWith("tb-size=")
                    || p.startsWith("split-wx=")
                    : p.equals("kernel-irqchip=on") || p.equals("kernel-irqchip");
            if (!ok) {
                throw new ConfigException("-accel " + accel + ": property '" + p + "' is not supported"
                        + (name.equals("kvm") ? " (jemu's KVM runs with kernel-irqchip=on)" : ""));
            }
            if (p.startsWith("thread=")) {
                String v = p.substring("thread=".length());
                if (badThread == null && !v.equals("single") && !v.equals("multi")) {
                    badThread = v;
                }
                multi = v.equals("multi");
            }
        }
        if (badThread != null) {
            throw new ConfigException("-accel " + accel + ": Invalid 'thread' setting " + badThread);
        }
        return new Accel(name, multi);
    }

    private static String name(String option, String name) throws ConfigException {
        if (name.equals("tcg") || name.equals("kvm")) {
            return name;
        }
        if (QEMU_ONLY.contains(name)) {
            throw new ConfigException(option + ": accelerator " + name + " is not supported by jemu; use kvm or tcg");
        }
        throw new ConfigException(option + ": invalid accelerator " + name);
    }

    /** Refuses kvm for a board of another architecture than x86_64 or on a host that is not x86_64. */
    static void checkBoard(String accel, String architecture) throws ConfigException {
        if (accel.equals("kvm") && (!architecture.equals("x86_64")
                || !System.getProperty("os.arch", "").equals("amd64"))) {
            throw new ConfigException("-accel kvm: KVM is only available for x86_64 guests on an x86_64 host");
        }
    }
}
