package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.T38;
import static dev.jemu.x86.cpu.OpcodeTable.T3A;

/**
 * SSE4.2: the string compares PCMPESTRM/PCMPESTRI/PCMPISTRM/PCMPISTRI (explicit lengths in EAX/EDX, or up
 * to the first zero element) and CRC32 (the Castagnoli polynomial). 0F 38 F0/F1 without F2 are MOVBE, which
 * is not implemented here (#UD).
 */
final class Sse42 {
    private Sse42() {
    }

    static void register(OpcodeTable t) {
        t.put(T3A, 0x60, d -> pcmpstr(d, true, false));
        t.put(T3A, 0x61, d -> pcmpstr(d, true, true));
        t.put(T3A, 0x62, d -> pcmpstr(d, false, false));
        t.put(T3A, 0x63, d -> pcmpstr(d, false, true));
        t.put(T38, 0xf0, d -> d.mandatory == 0xf2 ? crc32(d, 8) : null);
        t.put(T38, 0xf1, d -> d.mandatory == 0xf2 ? crc32(d, d.rexW() ? 64 : d.opsizePrefix ? 16 : 32) : null);
    }

    /** Lane i of (lo, hi): bytes or words, signed or not. */
    private static long element(long lo, long hi, int i, boolean words, boolean signed) {
        int bits = words ? 16 : 8;
        int per = 64 / bits;
        long v = (i < per ? lo : hi) >>> ((i % per) * bits) & Lanes.mask(bits);
        return signed ? Lanes.sx(v, bits) : v;
    }

    private static int implicitLength(long lo, long hi, int n, boolean words) {
        for (int i = 0; i < n; i++) {
            if (element(lo, hi, i, words, false) == 0) {
                return i;
            }
        }
        return n;
    }

    private static int explicitLength(long v, boolean wide, int n) {
        long x = wide ? v : (int) v;
        if (x < 0) {
            x = x == Long.MIN_VALUE ? Long.MAX_VALUE : -x;
        }
        return (int) Math.min(x, n);
    }

    /** The comparison result IntRes2 (n bits) of the two operands under imm8. */
    static int compare(long a0, long a1, long b0, long b1, int la, int lb, int imm) {
        boolean words = (imm & 1) != 0, signed = (imm & 2) != 0;
        int n = words ? 8 : 16;
        int agg = imm >>> 2 & 3;
        long[] a = new long[n], b = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = element(a0, a1, i, words, signed);
            b[i] = element(b0, b1, i, words, signed);
        }
        int res = 0;
        switch (agg) {
            case 0 -> { // equal any
                for (int j = 0; j < lb; j++) {
                    for (int i = 0; i < la; i++) {
                        if (a[i] == b[j]) {
                            res |= 1 << j;
                            break;
                        }
                    }
                }
            }
            case 1 -> { // ranges
                for (int j = 0; j < lb; j++) {
                    for (int i = 0; i + 1 < la; i += 2) {
                        if (b[j] >= a[i] && b[j] <= a[i + 1]) {
                            res |= 1 << j;
                            break;
                        }
                    }
                }
            }
            case 2 -> { // equal each
                for (int i = 0; i < n; i++) {
                    boolean va = i < la, vb = i < lb;
                    boolean r = va && vb ? a[i] == b[i] : !va && !vb;
                    if (r) {
                        res |= 1 << i;
                    }
                }
            }
            default -> { // equal ordered: the substring a found at each position of b
                for (int j = 0; j < n; j++) {
                    boolean r = true;
                    for (int i = 0, k = j; i < n - j && r; i++, k++) {
                        boolean va = i < la, vb = k < lb;
                        if (!va) {
                            break;             // a ended: a match so far
                        }
                        r = vb && a[i] == b[k];
                    }
                    if (r) {
                        res |= 1 << j;
                    }
                }
            }
        }
        int mask = (1 << n) - 1;
        switch (imm >>> 4 & 3) {
            case 1 -> res = ~res & mask;
            case 3 -> res ^= (1 << lb) - 1;
            default -> { }
        }
        return res & mask;
    }

    private static X86Op pcmpstr(Insn d, boolean explicit, boolean index) {
        if (d.mandatory != 0x66) {
            return null;
        }
        d.modrm();
        int imm = d.imm8();
        boolean wide = d.rexW();
        boolean words = (imm & 1) != 0;
        int n = words ? 8 : 16;
        return Sse.rm(d, 128, false, (c, r, s0, s1) -> {
            long a0 = c.xmm[2 * r], a1 = c.xmm[2 * r + 1];
            int la = explicit ? explicitLength(c.r[X86Cpu.RAX], wide, n) : implicitLength(a0, a1, n, words);
            int lb = explicit ? explicitLength(c.r[X86Cpu.RDX], wide, n) : implicitLength(s0, s1, n, words);
            int res = compare(a0, a1, s0, s1, la, lb, imm);
            if (index) {
                int idx = res == 0 ? n : (imm & 0x40) != 0 ? 31 - Integer.numberOfLeadingZeros(res)
                        : Integer.numberOfTrailingZeros(res);
                c.setReg(X86Cpu.RCX, 32, idx);
            } else if ((imm & 0x40) == 0) {
                Sse.set(c, 0, res & 0xffffL, 0);
            } else {
                int bits = words ? 16 : 8;
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (res >>> i & 1) != 0 ? -1 : 0;
                }
                Sse.set(c, 0, Ssse3.join(v, bits, 0), Ssse3.join(v, bits, n / 2));
            }
            long fl = (res != 0 ? X86Cpu.CF : 0) | (lb < n ? X86Cpu.ZF : 0) | (la < n ? X86Cpu.SF : 0)
                    | ((res & 1) != 0 ? X86Cpu.OF : 0);
            long m = X86Cpu.CF | X86Cpu.PF | X86Cpu.AF | X86Cpu.ZF | X86Cpu.SF | X86Cpu.OF;
            c.setRflags(c.rflags() & ~m | fl);
        });
    }

    private static final int[] CRC_TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int v = i;
            for (int k = 0; k < 8; k++) {
                v = (v & 1) != 0 ? v >>> 1 ^ 0x82f63b78 : v >>> 1;
            }
            CRC_TABLE[i] = v;
        }
    }

    /** CRC32C of the low {@code bits} of v (little-endian bytes) continuing from crc. */
    static int crc32c(int crc, long v, int bits) {
        for (int i = 0; i < bits; i += 8) {
            crc = CRC_TABLE[(crc ^ (int) (v >>> i)) & 0xff] ^ crc >>> 8;
        }
        return crc;
    }

    /** F2 0F 38 F0/F1: CRC32 r32|r64, r/m8|16|32|64 (no SSE state: an integer instruction). */
    private static X86Op crc32(Insn d, int bits) {
        int dst = d.reg();
        int dsize = d.rexW() ? 64 : 32;
        boolean mem = d.isMem();
        Ea ea = mem ? d.ea() : null;
        int src = mem ? 0 : bits == 8 ? d.byteReg(d.rm()) : d.rm();
        return c -> {
            long v;
            if (mem) {
                v = c.read(ea.linear(c), bits);
            } else {
                v = bits == 8 ? c.reg8(src) : c.r[src];
            }
            c.setReg(dst, dsize, crc32c((int) c.r[dst], v, bits) & 0xffffffffL);
        };
    }
}
