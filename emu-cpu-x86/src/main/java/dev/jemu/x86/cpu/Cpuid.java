package dev.jemu.x86.cpu;

import dev.jemu.x86.cpu.CpuFeature.Reg;
import java.nio.charset.StandardCharsets;

/**
 * CPUID: reports exactly what jemu implements (the {@link CpuFeature} table, per {@link X86Model}), so the
 * kernel and glibc take only paths that exist. GenuineIntel, so that Linux reads the TSC and crystal rates from
 * leaves 0x15/0x16 ({@link X86Clocks}); one CPU per package (leaves 4, 0xb, 0x1f); caches as QEMU's legacy
 * cache model reports them (leaf 2 defers to leaf 4). A leaf above the highest basic or extended leaf returns
 * the highest basic leaf, as Intel CPUs (and QEMU) do; the hypervisor range 0x40000000-0x4fffffff is all zero
 * (no paravirtual interface).
 */
public final class Cpuid {
    public static final int MAX_BASIC = 0x1f, MAX_EXTENDED = 0x8000_0008;
    /** Linear address bits reported in CPUID 0x80000008 (4-level paging). */
    public static final int VIRT_BITS = 48;
    private static final String VENDOR = "GenuineIntel";
    /** Caches of leaf 4 (QEMU's legacy model): type, level, size, ways; 64-byte lines, one partition. */
    private static final int[][] CACHES = {
        {1, 1, 32 << 10, 8}, // L1 data
        {2, 1, 32 << 10, 8}, // L1 instruction
        {3, 2, 4 << 20, 16}, // L2 unified
        {3, 3, 16 << 20, 16}, // L3 unified
    };

    private Cpuid() {
    }

    /** EAX, EBX, ECX, EDX of leaf {@code leaf}, sub-leaf {@code sub}. */
    public static int[] query(X86Cpu c, int leaf, int sub) {
        X86Model m = c.model;
        if (Integer.compareUnsigned(leaf, MAX_BASIC) > 0) {
            if (leaf >= 0x4000_0000 && leaf <= 0x4fff_ffff) {
                return new int[4];
            }
            if (Integer.compareUnsigned(leaf, 0x8000_0000) < 0 || Integer.compareUnsigned(leaf, MAX_EXTENDED) > 0) {
                leaf = MAX_BASIC; // the highest basic leaf, with the caller's sub-leaf
            }
        }
        int apicId = c.cpuIndex();
        return switch (leaf) {
            case 0 -> new int[] {MAX_BASIC, vendor(0), vendor(8), vendor(4)};
            case 1 -> new int[] {m.signature(), apicId << 24 | 1 << 16 | 8 << 8,
                    CpuFeature.bits(m, 1, Reg.ECX), CpuFeature.bits(m, 1, Reg.EDX)};
            case 2 -> new int[] {0xff01, 0, 0, 0}; // one round; descriptor 0xff: see leaf 4
            case 4 -> cache(sub);
            case 6 -> new int[] {CpuFeature.bits(m, 6, Reg.EAX), 0, 0, 0};
            case 7 -> sub != 0 ? new int[4] : new int[] {0, CpuFeature.bits(m, 7, Reg.EBX),
                    CpuFeature.bits(m, 7, Reg.ECX), CpuFeature.bits(m, 7, Reg.EDX)};
            case 0xb, 0x1f -> topology(sub, apicId);
            case 0x15 -> new int[] {X86Clocks.TSC_RATIO_DENOMINATOR, X86Clocks.TSC_RATIO_NUMERATOR,
                    (int) X86Clocks.CRYSTAL_HZ, 0};
            case 0x16 -> new int[] {(int) (X86Clocks.TSC_HZ / 1_000_000), (int) (X86Clocks.TSC_HZ / 1_000_000),
                    (int) (X86Clocks.BUS_HZ / 1_000_000), 0};
            case 0x8000_0000 -> new int[] {MAX_EXTENDED, 0, 0, 0};
            case 0x8000_0001 -> new int[] {0, 0, CpuFeature.bits(m, 0x8000_0001, Reg.ECX),
                    CpuFeature.bits(m, 0x8000_0001, Reg.EDX)};
            case 0x8000_0002, 0x8000_0003, 0x8000_0004 -> brand(m, leaf - 0x8000_0002);
            // L2: 4 MiB, 16 ways (encoding 8), 64-byte lines
            case 0x8000_0006 -> new int[] {0, 0, (4 << 10) << 16 | 8 << 12 | 64, 0};
            case 0x8000_0007 -> new int[] {0, 0, 0, CpuFeature.bits(m, 0x8000_0007, Reg.EDX)};
            case 0x8000_0008 -> new int[] {Mmu.PHYS_BITS | VIRT_BITS << 8, 0, 0, 0};
            default -> new int[4]; // a leaf jemu has nothing to report in (5 MONITOR, 0xa PMU, 0xd XSAVE, ...)
        };
    }

    private static int vendor(int at) {
        byte[] b = VENDOR.getBytes(StandardCharsets.US_ASCII);
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static int[] brand(X86Model m, int part) {
        byte[] s = new byte[48]; // NUL-padded
        byte[] b = m.brand.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, s, 0, Math.min(b.length, 47));
        int[] r = new int[4];
        for (int i = 0; i < 16; i++) {
            r[i / 4] |= (s[part * 16 + i] & 0xff) << (8 * (i % 4));
        }
        return r;
    }

    /** Leaf 4 sub-leaf {@code sub}: one cache, or type 0 past the last. */
    private static int[] cache(int sub) {
        if (sub < 0 || sub >= CACHES.length) {
            return new int[4];
        }
        int[] k = CACHES[sub];
        int line = 64, sets = k[2] / (k[3] * line);
        // EAX: type, level, self-initializing; 0 in "threads sharing - 1" and "cores per package - 1"
        int eax = k[0] | k[1] << 5 | 1 << 8;
        int ebx = (k[3] - 1) << 22 | (line - 1);
        int edx = k[1] >= 2 ? 1 << 1 : 0; // L2 and L3 are inclusive
        return new int[] {eax, ebx, sets - 1, edx};
    }

    /** Leaves 0xb/0x1f: one thread (SMT level) in one core (core level) per package. */
    private static int[] topology(int sub, int apicId) {
        return switch (sub) {
            case 0 -> new int[] {0, 1, 1 << 8, apicId};
            case 1 -> new int[] {0, 1, 1 | 2 << 8, apicId};
            default -> new int[] {0, 0, sub & 0xff, apicId};
        };
    }
}
