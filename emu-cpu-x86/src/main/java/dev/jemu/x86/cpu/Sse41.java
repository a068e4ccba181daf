package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.Lanes.sx;
import static dev.jemu.x86.cpu.OpcodeTable.T38;
import static dev.jemu.x86.cpu.OpcodeTable.T3A;
import static dev.jemu.x86.cpu.Ssse3.join;
import static dev.jemu.x86.cpu.Ssse3.split;

/**
 * SSE4.1 (66 prefix, XMM only) and PCMPGTQ of SSE4.2: blends, PTEST, PMOVSX/PMOVZX, PMULDQ/PMULLD,
 * PCMPEQQ/PCMPGTQ, MOVNTDQA, PACKUSDW, PMIN/PMAX (SB, SD, UW, UD), PHMINPOSUW, ROUNDPS/PD/SS/SD, DPPS/DPPD,
 * MPSADBW, PEXTRB/W/D/Q, EXTRACTPS, PINSRB/D/Q, INSERTPS.
 */
final class Sse41 {
    private Sse41() {
    }

    static void register(OpcodeTable t) {
        t.put(T38, 0x10, d -> blendv(d, 8));
        t.put(T38, 0x14, d -> blendv(d, 32));
        t.put(T38, 0x15, d -> blendv(d, 64));
        t.put(T38, 0x17, Sse41::ptest);
        for (int i = 0; i < 6; i++) {
            int from = i < 3 ? 8 : i < 5 ? 16 : 32;
            int to = switch (i) {
                case 0 -> 16;
                case 1, 3 -> 32;
                default -> 64;
            };
            t.put(T38, 0x20 + i, d -> extend(d, from, to, true));
            t.put(T38, 0x30 + i, d -> extend(d, from, to, false));
        }
        vec(t, 0x28, 64, (a, b) -> sx(a, 32) * sx(b, 32));
        vec(t, 0x29, 64, (a, b) -> a == b ? -1 : 0);
        t.put(T38, 0x2a, d -> d.mandatory == 0x66 && d.isMem() ? Sse.rm(d, 128, true, Sse::set) : null);
        t.put(T38, 0x2b, d -> d.mandatory == 0x66 ? Sse.rm(d, 128, true, (c, r, s0, s1) -> {
            long[] dv = split(c.xmm[2 * r], c.xmm[2 * r + 1], 32, 4), sv = split(s0, s1, 32, 4);
            long[] res = new long[8];
            for (int i = 0; i < 4; i++) {
                res[i] = Lanes.satU(sx(dv[i], 32), 16);
                res[4 + i] = Lanes.satU(sx(sv[i], 32), 16);
            }
            Sse.set(c, r, join(res, 16, 0), join(res, 16, 4));
        }) : null);
        vec(t, 0x37, 64, (a, b) -> a > b ? -1 : 0);
        lanes(t, 0x38, 8, (a, b) -> Math.min(sx(a, 8), sx(b, 8)));
        lanes(t, 0x39, 32, (a, b) -> Math.min(sx(a, 32), sx(b, 32)));
        lanes(t, 0x3a, 16, Math::min);
        lanes(t, 0x3b, 32, Math::min);
        lanes(t, 0x3c, 8, (a, b) -> Math.max(sx(a, 8), sx(b, 8)));
        lanes(t, 0x3d, 32, (a, b) -> Math.max(sx(a, 32), sx(b, 32)));
        lanes(t, 0x3e, 16, Math::max);
        lanes(t, 0x3f, 32, Math::max);
        lanes(t, 0x40, 32, (a, b) -> a * b);
        t.put(T38, 0x41, d -> d.mandatory == 0x66 ? Sse.rm(d, 128, true, (c, r, s0, s1) -> {
            long[] v = split(s0, s1, 16, 8);
            int idx = 0;
            for (int i = 1; i < 8; i++) {
                if (v[i] < v[idx]) {
                    idx = i;
                }
            }
            Sse.set(c, r, v[idx] | (long) idx << 16, 0);
        }) : null);

        t.put(T3A, 0x08, d -> round(d, false, false));
        t.put(T3A, 0x09, d -> round(d, true, false));
        t.put(T3A, 0x0a, d -> round(d, false, true));
        t.put(T3A, 0x0b, d -> round(d, true, true));
        t.put(T3A, 0x0c, d -> blendImm(d, 32));
        t.put(T3A, 0x0d, d -> blendImm(d, 64));
        t.put(T3A, 0x0e, d -> blendImm(d, 16));
        t.put(T3A, 0x14, d -> extract(d, 8));
        t.put(T3A, 0x15, d -> extract(d, 16));
        t.put(T3A, 0x16, d -> extract(d, d.rexW() ? 64 : 32));
        t.put(T3A, 0x17, d -> extract(d, 32));
        t.put(T3A, 0x20, d -> insert(d, 8));
        t.put(T3A, 0x21, Sse41::insertps);
        t.put(T3A, 0x22, d -> insert(d, d.rexW() ? 64 : 32));
        t.put(T3A, 0x40, d -> dp(d, false));
        t.put(T3A, 0x41, d -> dp(d, true));
        t.put(T3A, 0x42, Sse41::mpsadbw);
    }

    private static void vec(OpcodeTable t, int opcode, int bits, Lanes.Op op) {
        lanes(t, opcode, bits, op);
    }

    private static void lanes(OpcodeTable t, int opcode, int bits, Lanes.Op op) {
        Sse.Kernel k = SseInt.chunks(Lanes.lanes(bits, op));
        t.put(T38, opcode, d -> d.mandatory == 0x66 ? Sse.rm(d, 128, true, k) : null);
    }

    /** PBLENDVB / BLENDVPS / BLENDVPD: the source lane where XMM0's lane has its top bit set. */
    private static X86Op blendv(Insn d, int bits) {
        if (d.mandatory != 0x66) {
            return null;
        }
        int n = 128 / bits;
        return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
            long[] m = split(c.xmm[0], c.xmm[1], bits, n), dv = split(c.xmm[2 * r], c.xmm[2 * r + 1], bits, n);
            long[] sv = split(s0, s1, bits, n);
            for (int i = 0; i < n; i++) {
                if ((m[i] >>> (bits - 1) & 1) != 0) {
                    dv[i] = sv[i];
                }
            }
            Sse.set(c, r, join(dv, bits, 0), join(dv, bits, 64 / bits));
        });
    }

    /** PTEST: ZF when dest AND src is zero, CF when (NOT dest) AND src is zero; OF SF AF PF cleared. */
    private static X86Op ptest(Insn d) {
        if (d.mandatory != 0x66) {
            return null;
        }
        return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
            long d0 = c.xmm[2 * r], d1 = c.xmm[2 * r + 1];
            long fl = ((d0 & s0 | d1 & s1) == 0 ? X86Cpu.ZF : 0) | ((~d0 & s0 | ~d1 & s1) == 0 ? X86Cpu.CF : 0);
            long mask = X86Cpu.CF | X86Cpu.PF | X86Cpu.AF | X86Cpu.ZF | X86Cpu.SF | X86Cpu.OF;
            c.setRflags(c.rflags() & ~mask | fl);
        });
    }

    /** PMOVSX / PMOVZX: the low lanes of the source widened; the memory form reads only what it uses. */
    private static X86Op extend(Insn d, int from, int to, boolean signed) {
        if (d.mandatory != 0x66) {
            return null;
        }
        int n = 128 / to;
        int memBits = n * from;
        return Sse.rm(d, memBits == 64 ? 64 : memBits == 32 ? 32 : 16, false, (c, r, s0, s1) -> {
            long[] v = new long[n];
            long m = Lanes.mask(from);
            for (int i = 0; i < n; i++) {
                long x = s0 >>> (i * from) & m;
                v[i] = signed ? sx(x, from) : x;
            }
            Sse.set(c, r, join(v, to, 0), join(v, to, 64 / to));
        });
    }

    /** BLENDPS / BLENDPD / PBLENDW with an immediate lane mask. */
    private static X86Op blendImm(Insn d, int bits) {
        if (d.mandatory != 0x66) {
            return null;
        }
        d.modrm();
        int imm = d.imm8();
        int n = 128 / bits;
        return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
            long[] dv = split(c.xmm[2 * r], c.xmm[2 * r + 1], bits, n), sv = split(s0, s1, bits, n);
            for (int i = 0; i < n; i++) {
                if ((imm >>> i & 1) != 0) {
                    dv[i] = sv[i];
                }
            }
            Sse.set(c, r, join(dv, bits, 0), join(dv, bits, 64 / bits));
        });
    }

    /** PEXTRB/PEXTRW/PEXTRD/PEXTRQ/EXTRACTPS r/m, xmm, imm8 (a register destination is zero-extended). */
    private static X86Op extract(Insn d, int bits) {
        if (d.mandatory != 0x66) {
            return null;
        }
        int src = d.reg();
        boolean mem = d.isMem();
        Ea ea = mem ? d.ea() : null;
        int dst = mem ? 0 : d.rm();
        int imm = d.imm8() & (128 / bits - 1);
        int store = bits == 64 ? 64 : 32;
        return c -> {
            Sse.check(c);
            long[] v = split(c.xmm[2 * src], c.xmm[2 * src + 1], bits, 128 / bits);
            if (mem) {
                c.write(ea.linear(c), bits, v[imm]);
            } else {
                c.setReg(dst, store, v[imm]);
            }
        };
    }

    /** PINSRB/PINSRD/PINSRQ xmm, r/m, imm8. */
    private static X86Op insert(Insn d, int bits) {
        if (d.mandatory != 0x66) {
            return null;
        }
        int dst = d.reg();
        boolean mem = d.isMem();
        Ea ea = mem ? d.ea() : null;
        int src = mem ? 0 : d.rm();
        int imm = d.imm8() & (128 / bits - 1);
        return c -> {
            Sse.check(c);
            long v = mem ? c.read(ea.linear(c), bits) : c.r[src] & Lanes.mask(bits);
            long[] lanes = split(c.xmm[2 * dst], c.xmm[2 * dst + 1], bits, 128 / bits);
            lanes[imm] = v;
            Sse.set(c, dst, join(lanes, bits, 0), join(lanes, bits, 64 / bits));
        };
    }

    /** INSERTPS xmm, xmm/m32, imm8: a source lane (imm[7:6], register form) into lane imm[5:4], zero mask imm[3:0]. */
    private static X86Op insertps(Insn d) {
        if (d.mandatory != 0x66) {
            return null;
        }
        d.modrm();
        int imm = d.imm8();
        boolean mem = d.isMem();
        return Sse.rm(d, mem ? 32 : 128, false, (c, r, s0, s1) -> {
            long v = mem ? s0 & 0xffffffffL : split(s0, s1, 32, 4)[imm >>> 6];
            long[] lanes = split(c.xmm[2 * r], c.xmm[2 * r + 1], 32, 4);
            lanes[imm >>> 4 & 3] = v;
            for (int i = 0; i < 4; i++) {
                if ((imm >>> i & 1) != 0) {
                    lanes[i] = 0;
                }
            }
            Sse.set(c, r, join(lanes, 32, 0), join(lanes, 32, 2));
        });
    }

    /**
     * ROUNDPS/PD/SS/SD: to an integral value by imm8[1:0] (or MXCSR.RC with imm8[2]); imm8[3] suppresses the
     * precision flag; an SNaN raises IE and is quieted.
     */
    private static X86Op round(Insn d, boolean dbl, boolean scalar) {
        if (d.mandatory != 0x66) {
            return null;
        }
        d.modrm();
        int imm = d.imm8();
        return Sse.rm(d, scalar ? (dbl ? 64 : 32) : 128, !scalar, (c, r, s0, s1) -> {
            SseFpu f = c.sseFpu;
            f.begin(c.mxcsr);
            int mode = (imm & 4) != 0 ? c.mxcsr >>> 13 & 3 : imm & 3;
            boolean quiet = (imm & 8) != 0;
            if (dbl) {
                long r0 = f.roundInt64(s0, mode, quiet);
                long r1 = scalar ? c.xmm[2 * r + 1] : f.roundInt64(s1, mode, quiet);
                f.finish(c);
                Sse.set(c, r, r0, r1);
            } else {
                long lo = scalar ? c.xmm[2 * r] : 0, hi = scalar ? c.xmm[2 * r + 1] : 0;
                int[] v = new int[4];
                int n = scalar ? 1 : 4;
                for (int i = 0; i < n; i++) {
                    v[i] = f.roundInt32(Sse.lane32(s0, s1, i), mode, quiet);
                }
                f.finish(c);
                if (scalar) {
                    Sse.set(c, r, lo & ~0xffffffffL | v[0] & 0xffffffffL, hi);
                } else {
                    Sse.set(c, r, Sse.pack32(v[0], v[1]), Sse.pack32(v[2], v[3]));
                }
            }
        });
    }

    /** DPPS / DPPD: products of the lanes in imm8[7:4], summed pairwise, into the lanes in imm8[3:0]. */
    private static X86Op dp(Insn d, boolean dbl) {
        if (d.mandatory != 0x66) {
            return null;
        }
        d.modrm();
        int imm = d.imm8();
        return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
            SseFpu f = c.sseFpu;
            f.begin(c.mxcsr);
            if (dbl) {
                long p0 = (imm & 0x10) != 0 ? f.arith64(SseFpu.MUL, c.xmm[2 * r], s0) : 0;
                long p1 = (imm & 0x20) != 0 ? f.arith64(SseFpu.MUL, c.xmm[2 * r + 1], s1) : 0;
                long sum = f.arith64(SseFpu.ADD, p0, p1);
                f.finish(c);
                Sse.set(c, r, (imm & 1) != 0 ? sum : 0, (imm & 2) != 0 ? sum : 0);
            } else {
                long d0 = c.xmm[2 * r], d1 = c.xmm[2 * r + 1];
                int[] p = new int[4];
                for (int i = 0; i < 4; i++) {
                    p[i] = (imm >>> (4 + i) & 1) != 0 ? f.arith32(SseFpu.MUL, Sse.lane32(d0, d1, i), Sse.lane32(s0, s1, i)) : 0;
                }
                int sum = f.arith32(SseFpu.ADD, f.arith32(SseFpu.ADD, p[0], p[1]), f.arith32(SseFpu.ADD, p[2], p[3]));
                f.finish(c);
                int[] o = new int[4];
                for (int i = 0; i < 4; i++) {
                    o[i] = (imm >>> i & 1) != 0 ? sum : 0;
                }
                Sse.set(c, r, Sse.pack32(o[0], o[1]), Sse.pack32(o[2], o[3]));
            }
        });
    }

    /** MPSADBW: eight sums of absolute differences of a sliding destination block against a source dword. */
    private static X86Op mpsadbw(Insn d) {
        if (d.mandatory != 0x66) {
            return null;
        }
        d.modrm();
        int imm = d.imm8();
        return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
            long[] dv = split(c.xmm[2 * r], c.xmm[2 * r + 1], 8, 16), sv = split(s0, s1, 8, 16);
            int doff = (imm >>> 2 & 1) * 4, soff = (imm & 3) * 4;
            long[] res = new long[8];
            for (int i = 0; i < 8; i++) {
                long sum = 0;
                for (int k = 0; k < 4; k++) {
                    sum += Math.abs(dv[doff + i + k] - sv[soff + k]);
                }
                res[i] = sum;
            }
            Sse.set(c, r, join(res, 16, 0), join(res, 16, 4));
        });
    }

}
