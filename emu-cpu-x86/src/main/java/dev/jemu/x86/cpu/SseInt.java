package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.Lanes.lanes;
import static dev.jemu.x86.cpu.Lanes.satS;
import static dev.jemu.x86.cpu.Lanes.satU;
import static dev.jemu.x86.cpu.Lanes.sx;
import static dev.jemu.x86.cpu.OpcodeTable.TWO;

/**
 * SSE2 packed integer instructions on XMM registers (66 prefix): add/subtract (wrapping and saturating),
 * compares, min/max, multiplies, averages, PSADBW, logic, shifts, unpacks, packs, shuffles, PMOVMSKB,
 * PINSRW/PEXTRW; also the bitwise FP forms (ANDPS..XORPD), UNPCK*PS/PD and SHUFPS/SHUFPD, which are integer
 * work whatever their names say. The MMX register forms (no prefix) are not implemented: #UD.
 */
final class SseInt {
    private SseInt() {
    }

    static void register(OpcodeTable t) {
        // unpacks and packs
        full(t, 0x60, unpack(8, false), unpackMmx(8, false));
        full(t, 0x61, unpack(16, false), unpackMmx(16, false));
        full(t, 0x62, unpack(32, false), unpackMmx(32, false));
        full(t, 0x63, pack(16, true), packMmx(16, true));
        lane(t, 0x64, lanes(8, (a, b) -> sx(a, 8) > sx(b, 8) ? -1 : 0));
        lane(t, 0x65, lanes(16, (a, b) -> sx(a, 16) > sx(b, 16) ? -1 : 0));
        lane(t, 0x66, lanes(32, (a, b) -> sx(a, 32) > sx(b, 32) ? -1 : 0));
        full(t, 0x67, pack(16, false), packMmx(16, false));
        full(t, 0x68, unpack(8, true), unpackMmx(8, true));
        full(t, 0x69, unpack(16, true), unpackMmx(16, true));
        full(t, 0x6a, unpack(32, true), unpackMmx(32, true));
        full(t, 0x6b, pack(32, true), packMmx(32, true));
        full(t, 0x6c, unpack(64, false));
        full(t, 0x6d, unpack(64, true));
        t.put(TWO, 0x70, SseInt::pshuf);
        t.put(TWO, 0x71, d -> shiftImm(d, 16));
        t.put(TWO, 0x72, d -> shiftImm(d, 32));
        t.put(TWO, 0x73, d -> shiftImm(d, 64));
        lane(t, 0x74, Lanes::eq8);
        lane(t, 0x75, lanes(16, (a, b) -> a == b ? -1 : 0));
        lane(t, 0x76, lanes(32, (a, b) -> a == b ? -1 : 0));

        t.put(TWO, 0xc4, SseInt::pinsrw);
        t.put(TWO, 0xc5, SseInt::pextrw);

        shiftXmm(t, 0xd1, 16, false, false);
        shiftXmm(t, 0xd2, 32, false, false);
        shiftXmm(t, 0xd3, 64, false, false);
        lane(t, 0xd4, Long::sum);
        lane(t, 0xd5, lanes(16, (a, b) -> a * b));
        t.put(TWO, 0xd7, SseInt::pmovmskb);
        lane(t, 0xd8, lanes(8, (a, b) -> satU(a - b, 8)));
        lane(t, 0xd9, lanes(16, (a, b) -> satU(a - b, 16)));
        lane(t, 0xda, lanes(8, Math::min));
        lane(t, 0xdb, (a, b) -> a & b);
        lane(t, 0xdc, lanes(8, (a, b) -> satU(a + b, 8)));
        lane(t, 0xdd, lanes(16, (a, b) -> satU(a + b, 16)));
        lane(t, 0xde, lanes(8, Math::max));
        lane(t, 0xdf, (a, b) -> ~a & b);

        lane(t, 0xe0, lanes(8, (a, b) -> (a + b + 1) >> 1));
        shiftXmm(t, 0xe1, 16, true, false);
        shiftXmm(t, 0xe2, 32, true, false);
        lane(t, 0xe3, lanes(16, (a, b) -> (a + b + 1) >> 1));
        lane(t, 0xe4, lanes(16, (a, b) -> a * b >>> 16));
        lane(t, 0xe5, lanes(16, (a, b) -> sx(a, 16) * sx(b, 16) >> 16));
        lane(t, 0xe8, lanes(8, (a, b) -> satS(sx(a, 8) - sx(b, 8), 8)));
        lane(t, 0xe9, lanes(16, (a, b) -> satS(sx(a, 16) - sx(b, 16), 16)));
        lane(t, 0xea, lanes(16, (a, b) -> Math.min(sx(a, 16), sx(b, 16))));
        lane(t, 0xeb, (a, b) -> a | b);
        lane(t, 0xec, lanes(8, (a, b) -> satS(sx(a, 8) + sx(b, 8), 8)));
        lane(t, 0xed, lanes(16, (a, b) -> satS(sx(a, 16) + sx(b, 16), 16)));
        lane(t, 0xee, lanes(16, (a, b) -> Math.max(sx(a, 16), sx(b, 16))));
        lane(t, 0xef, (a, b) -> a ^ b);

        shiftXmm(t, 0xf1, 16, false, true);
        shiftXmm(t, 0xf2, 32, false, true);
        shiftXmm(t, 0xf3, 64, false, true);
        lane(t, 0xf4, (a, b) -> (a & 0xffffffffL) * (b & 0xffffffffL));
        lane(t, 0xf5, lanes(32, (a, b) -> sx(a, 16) * sx(b, 16) + sx(a >>> 16, 16) * sx(b >>> 16, 16)));
        lane(t, 0xf6, SseInt::sad);
        lane(t, 0xf8, Lanes::sub8);
        lane(t, 0xf9, lanes(16, (a, b) -> a - b));
        lane(t, 0xfa, lanes(32, (a, b) -> a - b));
        lane(t, 0xfb, (a, b) -> a - b);
        lane(t, 0xfc, Lanes::add8);
        lane(t, 0xfd, lanes(16, Long::sum));
        lane(t, 0xfe, lanes(32, Long::sum));

        // bitwise and shuffle forms of the FP opcodes: no prefix (PS) and 66 (PD) behave alike
        bitwise(t, 0x54, (a, b) -> a & b);
        bitwise(t, 0x55, (a, b) -> ~a & b);
        bitwise(t, 0x56, (a, b) -> a | b);
        bitwise(t, 0x57, (a, b) -> a ^ b);
        t.put(TWO, 0x14, d -> unpckFp(d, false));
        t.put(TWO, 0x15, d -> unpckFp(d, true));
        t.put(TWO, 0xc6, SseInt::shufp);
    }

    /** An element-wise op on each 64-bit half: "op xmm, xmm/m128" with 66. */
    private static void lane(OpcodeTable t, int opcode, Lanes.Chunk f) {
        Sse.Kernel k = chunks(f);
        t.put(TWO, opcode, d -> switch (d.mandatory) {
            case 0x66 -> Sse.rm(d, 128, true, k);
            case 0 -> Mmx.lanes(d, f);
            default -> null;
        });
    }

    static Sse.Kernel chunks(Lanes.Chunk f) {
        return (c, r, s0, s1) -> {
            c.xmm[2 * r] = f.apply(c.xmm[2 * r], s0);
            c.xmm[2 * r + 1] = f.apply(c.xmm[2 * r + 1], s1);
        };
    }

    private static void full(OpcodeTable t, int opcode, Sse.Kernel k) {
        full(t, opcode, k, null);
    }

    /** A 66 XMM form and, when {@code mmx} is given, the no-prefix MMX form. */
    private static void full(OpcodeTable t, int opcode, Sse.Kernel k, Mmx.Kernel mmx) {
        t.put(TWO, opcode, d -> switch (d.mandatory) {
            case 0x66 -> Sse.rm(d, 128, true, k);
            case 0 -> mmx == null ? null : Mmx.rm(d, mmx);
            default -> null;
        });
    }

    private static void bitwise(OpcodeTable t, int opcode, Lanes.Chunk f) {
        Sse.Kernel k = chunks(f);
        t.put(TWO, opcode, d -> d.mandatory == 0 || d.mandatory == 0x66 ? Sse.rm(d, 128, true, k) : null);
    }

    /** Interleaves the lanes of 32-bit x and y: x0 y0 x1 y1 ... */
    private static long interleave(long x, long y, int bits) {
        long m = Lanes.mask(bits), r = 0;
        for (int i = 0; i < 32 / bits; i++) {
            r |= (x >>> (i * bits) & m) << (2 * i * bits) | (y >>> (i * bits) & m) << ((2 * i + 1) * bits);
        }
        return r;
    }

    /** PUNPCKL* / PUNPCKH* ({@code high}): interleave the low or high halves of destination and source. */
    private static Sse.Kernel unpack(int bits, boolean high) {
        return (c, r, s0, s1) -> {
            long x = c.xmm[2 * r + (high ? 1 : 0)], y = high ? s1 : s0;
            if (bits == 64) {
                Sse.set(c, r, x, y);
            } else {
                Sse.set(c, r, interleave(x, y, bits), interleave(x >>> 32, y >>> 32, bits));
            }
        };
    }

    private static Mmx.Kernel unpackMmx(int bits, boolean high) {
        return (c, r, s) -> {
            long x = Mmx.get(c, r);
            Mmx.set(c, r, high ? interleave(x >>> 32, s >>> 32, bits) : interleave(x, s, bits));
        };
    }

    private static Mmx.Kernel packMmx(int bits, boolean signed) {
        return (c, r, s) -> Mmx.set(c, r, narrow(Mmx.get(c, r), bits, signed) | narrow(s, bits, signed) << 32);
    }

    /** Narrows the 64-bit chunk's lanes of {@code bits} to half width with saturation, into the low 32 bits. */
    private static long narrow(long v, int bits, boolean signed) {
        int half = bits / 2;
        long r = 0;
        for (int i = 0; i < 64 / bits; i++) {
            long x = sx(v >>> (i * bits), bits);
            r |= ((signed ? satS(x, half) : satU(x, half)) & Lanes.mask(half)) << (i * half);
        }
        return r;
    }

    /** PACKSSWB / PACKUSWB / PACKSSDW: destination then source, each narrowed with saturation. */
    private static Sse.Kernel pack(int bits, boolean signed) {
        return (c, r, s0, s1) -> Sse.set(c, r,
                narrow(c.xmm[2 * r], bits, signed) | narrow(c.xmm[2 * r + 1], bits, signed) << 32,
                narrow(s0, bits, signed) | narrow(s1, bits, signed) << 32);
    }

    private static long shuffle16(long v, int imm) {
        long r = 0;
        for (int i = 0; i < 4; i++) {
            r |= (v >>> (16 * (imm >>> (2 * i) & 3)) & 0xffff) << (16 * i);
        }
        return r;
    }

    /** 0F 70: PSHUFD (66), PSHUFHW (F3), PSHUFLW (F2). */
    private static X86Op pshuf(Insn d) {
        if (d.mandatory == 0) {
            d.modrm();
            int imm = d.imm8();
            return Mmx.rm(d, (c, r, s) -> Mmx.set(c, r, shuffle16(s, imm)));
        }
        d.modrm();
        int mode = d.mandatory;
        int imm = d.imm8();
        return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
            switch (mode) {
                case 0x66 -> {
                    int[] v = {(int) s0, (int) (s0 >>> 32), (int) s1, (int) (s1 >>> 32)};
                    Sse.set(c, r, Sse.pack32(v[imm & 3], v[imm >>> 2 & 3]), Sse.pack32(v[imm >>> 4 & 3], v[imm >>> 6 & 3]));
                }
                case 0xf3 -> Sse.set(c, r, s0, shuffle16(s1, imm));
                default -> Sse.set(c, r, shuffle16(s0, imm), s1);
            }
        });
    }

    /** Shifts each lane of {@code bits}: left, logical right or arithmetic right, by a 64-bit count. */
    static long shift(long v, int bits, long count, int kind) {
        if (count < 0 || count >= bits) {
            if (kind != ARITH) {
                return 0;
            }
            count = bits - 1;
        }
        int n = (int) count;
        return switch (kind) {
            case LEFT -> bits == 64 ? v << n : Lanes.map(v, 0, bits, (a, b) -> a << n);
            case RIGHT -> bits == 64 ? v >>> n : Lanes.map(v, 0, bits, (a, b) -> a >>> n);
            default -> Lanes.map(v, 0, bits, (a, b) -> sx(a, bits) >> n);
        };
    }

    static final int LEFT = 0, RIGHT = 1, ARITH = 2;

    /** 66 0F 71/72/73 /digit ib: shifts of an XMM register by an immediate; 73 /3 and /7 shift bytes. */
    private static X86Op shiftImm(Insn d, int bits) {
        if (d.mandatory == 0 && !d.isMem()) {
            int digit = d.modrmReg(), r = d.rm() & 7;
            int n = d.imm8();
            int kind = switch (digit) {
                case 2 -> RIGHT;
                case 4 -> bits == 64 ? -1 : ARITH;
                case 6 -> LEFT;
                default -> -1;
            };
            if (kind < 0) {
                return null;
            }
            return c -> {
                Mmx.enter(c);
                Mmx.set(c, r, shift(Mmx.get(c, r), bits, n, kind));
            };
        }
        if (d.mandatory != 0x66 || d.isMem()) {
            return null;
        }
        int digit = d.modrmReg(), r = d.rm();
        int n = d.imm8();
        int kind;
        switch (digit) {
            case 2 -> kind = RIGHT;
            case 4 -> {
                if (bits == 64) {
                    return null;
                }
                kind = ARITH;
            }
            case 6 -> kind = LEFT;
            case 3, 7 -> {
                if (bits != 64) {
                    return null;
                }
                boolean left = digit == 7;
                return c -> {
                    Sse.check(c);
                    byteShift(c, r, n, left);
                };
            }
            default -> {
                return null;
            }
        }
        int k = kind;
        return c -> {
            Sse.check(c);
            Sse.set(c, r, shift(c.xmm[2 * r], bits, n, k), shift(c.xmm[2 * r + 1], bits, n, k));
        };
    }

    /** PSLLDQ / PSRLDQ: the 128-bit register shifted by whole bytes (16 or more clears it). */
    private static void byteShift(X86Cpu c, int r, int n, boolean left) {
        long lo = c.xmm[2 * r], hi = c.xmm[2 * r + 1];
        if (n > 15) {
            Sse.set(c, r, 0, 0);
            return;
        }
        int s = n * 8;
        if (s == 0) {
            return;
        }
        if (left) {
            Sse.set(c, r, s >= 64 ? 0 : lo << s, s >= 64 ? lo << (s - 64) : hi << s | lo >>> (64 - s));
        } else {
            Sse.set(c, r, s >= 64 ? hi >>> (s - 64) : lo >>> s | hi << (64 - s), s >= 64 ? 0 : hi >>> s);
        }
    }

    /** PSRL/PSRA/PSLL xmm, xmm/m128: the count is the source's low quadword (unsigned). */
    private static void shiftXmm(OpcodeTable t, int opcode, int bits, boolean arith, boolean left) {
        int kind = left ? LEFT : arith ? ARITH : RIGHT;
        full(t, opcode, (c, r, s0, s1) -> Sse.set(c, r, shift(c.xmm[2 * r], bits, s0, kind), shift(c.xmm[2 * r + 1], bits, s0, kind)),
                (c, r, s) -> Mmx.set(c, r, shift(Mmx.get(c, r), bits, s, kind)));
    }

    /** 66 0F D7: PMOVMSKB r32/r64, xmm. */
    private static X86Op pmovmskb(Insn d) {
        if (d.mandatory == 0 && !d.isMem()) {
            int dst = d.reg(), src = d.rm() & 7;
            return c -> {
                Mmx.enter(c);
                c.r[dst] = Lanes.msb8(Mmx.get(c, src));
            };
        }
        if (d.mandatory != 0x66 || d.isMem()) {
            return null;
        }
        int dst = d.reg(), src = d.rm();
        return c -> {
            Sse.check(c);
            c.r[dst] = Lanes.msb8(c.xmm[2 * src]) | Lanes.msb8(c.xmm[2 * src + 1]) << 8;
        };
    }

    private static long sad(long a, long b) {
        long s = 0;
        for (int i = 0; i < 64; i += 8) {
            s += Math.abs((a >>> i & 0xff) - (b >>> i & 0xff));
        }
        return s;
    }

    /** 66 0F C4: PINSRW xmm, r32/m16, imm8. */
    private static X86Op pinsrw(Insn d) {
        if (d.mandatory == 0) {
            int dst = d.reg() & 7;
            boolean mem = d.isMem();
            Ea ea = mem ? d.ea() : null;
            int src = mem ? 0 : d.rm();
            int imm = d.imm8() & 3;
            return c -> {
                Mmx.enter(c);
                long v = mem ? c.read16(ea.linear(c)) : c.r[src] & 0xffff;
                Mmx.set(c, dst, Mmx.get(c, dst) & ~(0xffffL << (16 * imm)) | v << (16 * imm));
            };
        }
        if (d.mandatory != 0x66) {
            return null;
        }
        int dst = d.reg();
        boolean mem = d.isMem();
        Ea ea = mem ? d.ea() : null;
        int src = mem ? 0 : d.rm();
        int imm = d.imm8() & 7;
        return c -> {
            Sse.check(c);
            long v = mem ? c.read16(ea.linear(c)) : c.r[src] & 0xffff;
            int half = 2 * dst + (imm >> 2), s = 16 * (imm & 3);
            c.xmm[half] = c.xmm[half] & ~(0xffffL << s) | v << s;
        };
    }

    /** 66 0F C5: PEXTRW r32/r64, xmm, imm8 (zero-extended). */
    private static X86Op pextrw(Insn d) {
        if (d.mandatory == 0 && !d.isMem()) {
            int dst = d.reg(), src = d.rm() & 7;
            int imm = d.imm8() & 3;
            return c -> {
                Mmx.enter(c);
                c.r[dst] = Mmx.get(c, src) >>> (16 * imm) & 0xffff;
            };
        }
        if (d.mandatory != 0x66 || d.isMem()) {
            return null;
        }
        int dst = d.reg(), src = d.rm();
        int imm = d.imm8() & 7;
        return c -> {
            Sse.check(c);
            c.r[dst] = c.xmm[2 * src + (imm >> 2)] >>> (16 * (imm & 3)) & 0xffff;
        };
    }

    /** 0F 14/15: UNPCKLPS/UNPCKHPS, 66: UNPCKLPD/UNPCKHPD. */
    private static X86Op unpckFp(Insn d, boolean high) {
        if (d.mandatory == 0) {
            return Sse.rm(d, 128, true, unpack(32, high));
        }
        return d.mandatory == 0x66 ? Sse.rm(d, 128, true, unpack(64, high)) : null;
    }

    /** 0F C6: SHUFPS (two lanes from the destination, two from the source), 66: SHUFPD. */
    private static X86Op shufp(Insn d) {
        if (d.mandatory != 0 && d.mandatory != 0x66) {
            return null;
        }
        boolean pd = d.mandatory == 0x66;
        d.modrm();
        int imm = d.imm8();
        return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
            long d0 = c.xmm[2 * r], d1 = c.xmm[2 * r + 1];
            if (pd) {
                Sse.set(c, r, (imm & 1) == 0 ? d0 : d1, (imm & 2) == 0 ? s0 : s1);
            } else {
                Sse.set(c, r, Sse.pack32(Sse.lane32(d0, d1, imm & 3), Sse.lane32(d0, d1, imm >>> 2 & 3)),
                        Sse.pack32(Sse.lane32(s0, s1, imm >>> 4 & 3), Sse.lane32(s0, s1, imm >>> 6 & 3)));
            }
        });
    }
}
