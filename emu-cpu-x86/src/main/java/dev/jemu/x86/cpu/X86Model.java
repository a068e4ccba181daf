package dev.jemu.x86.cpu;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code -cpu} models of x86_64. Both are GenuineIntel family 6 model 0x36 (an Atom "Saltwell"), so that
 * Linux reads the TSC and crystal rates from CPUID 0x15/0x16 (Intel vendors only), and both differ only in which
 * {@link CpuFeature}s they list. The model number is on purpose: Linux knows that Saltwell does not speculate
 * (cpu_vuln_whitelist: NO_SPECULATION), which is true of jemu's interpreter, so it runs without page-table
 * isolation and the other speculation mitigations (QEMU's qemu64 is an AMD family 15 CPU and gets the same);
 * with PTI and no PCID every system call would write CR3 twice and empty the TLBs.
 */
public enum X86Model {
    QEMU64("qemu64", "QEMU Virtual CPU version 2.5+"),
    MAX("max", "QEMU TCG CPU version 2.5+");

    public static final int FAMILY = 6, MODEL = 0x36, STEPPING = 1;

    public final String id;
    /** The brand string (CPUID 0x80000002-0x80000004). */
    public final String brand;
    private final Set<CpuFeature> features = EnumSet.noneOf(CpuFeature.class);

    X86Model(String id, String brand) {
        this.id = id;
        this.brand = brand;
    }

    static {
        for (CpuFeature f : CpuFeature.values()) {
            if (f.implemented) {
                MAX.features.add(f);
                if (f.inQemu64) {
                    QEMU64.features.add(f);
                }
            }
        }
    }

    public boolean has(CpuFeature f) {
        return features.contains(f);
    }

    /** CPUID.1:EAX: stepping, model, family and extended model (family 6 needs no extended family). */
    public int signature() {
        return (MODEL >> 4) << 16 | FAMILY << 8 | (MODEL & 0xf) << 4 | STEPPING;
    }

    /** The model named {@code name} as {@code -cpu} spells it, or null. */
    public static X86Model byName(String name) {
        for (X86Model m : values()) {
            if (m.id.equals(name.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        return null;
    }
}
