package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.TWO;

/**
 * SSE/SSE2/SSE3 data movement: MOVUPS/MOVAPS/MOVDQA/MOVDQU (+PD), MOVSS/MOVSD, MOVLPS/MOVHPS/MOVLPD/MOVHPD,
 * MOVHLPS/MOVLHPS, MOVD/MOVQ, the non-temporal stores, MOVMSKPS/PD, MASKMOVDQU, LDDQU, MOVSLDUP/MOVSHDUP/MOVDDUP.
 * The MMX register forms (no prefix on 6E/6F/7E/7F/E7/F7) are not implemented: #UD.
 */
final class SseMove {
    private SseMove() {
    }

    static void register(OpcodeTable t) {
        t.put(TWO, 0x10, SseMove::load10);
        t.put(TWO, 0x11, SseMove::store11);
        t.put(TWO, 0x12, d -> lowHigh(d, false));
        t.put(TWO, 0x13, d -> d.mandatory == 0 || d.mandatory == 0x66 ? memOnly(d, Sse.store(d, 64, false, false)) : null);
        t.put(TWO, 0x16, d -> lowHigh(d, true));
        t.put(TWO, 0x17, d -> d.mandatory == 0 || d.mandatory == 0x66 ? memOnly(d, Sse.store(d, 64, false, true)) : null);
        t.put(TWO, 0x28, d -> d.mandatory == 0 || d.mandatory == 0x66 ? Sse.rm(d, 128, true, Sse::set) : null);
        t.put(TWO, 0x29, d -> d.mandatory == 0 || d.mandatory == 0x66 ? regOrStore(d, true) : null);
        t.put(TWO, 0x2b, d -> d.mandatory == 0 || d.mandatory == 0x66 ? memOnly(d, Sse.store(d, 128, true, false)) : null);
        t.put(TWO, 0x50, SseMove::movmsk);
        t.put(TWO, 0x6e, d -> switch (d.mandatory) {
            case 0x66 -> movdToXmm(d);
            case 0 -> movdToMmx(d);
            default -> null;
        });
        t.put(TWO, 0x6f, d -> switch (d.mandatory) {
            case 0x66 -> Sse.rm(d, 128, true, Sse::set);
            case 0xf3 -> Sse.rm(d, 128, false, Sse::set);
            case 0 -> Mmx.rm(d, Mmx::set);
            default -> null;
        });
        t.put(TWO, 0x7e, d -> switch (d.mandatory) {
            case 0x66 -> movdFromXmm(d);
            case 0xf3 -> Sse.rm(d, 64, false, (c, r, s0, s1) -> Sse.set(c, r, s0, 0));
            case 0 -> movdFromMmx(d);
            default -> null;
        });
        t.put(TWO, 0x7f, d -> switch (d.mandatory) {
            case 0x66 -> regOrStore(d, true);
            case 0xf3 -> regOrStore(d, false);
            case 0 -> storeMmx(d);
            default -> null;
        });
        t.put(TWO, 0xd6, d -> switch (d.mandatory) {
            case 0x66 -> d.isMem() ? Sse.store(d, 64, false, false) : movqRegToReg(d);
            case 0xf3 -> d.isMem() ? null : movq2dq(d);
            case 0xf2 -> d.isMem() ? null : movdq2q(d);
            default -> null;
        });
        t.put(TWO, 0xe7, d -> switch (d.mandatory) {
            case 0x66 -> memOnly(d, Sse.store(d, 128, true, false));
            case 0 -> d.isMem() ? storeMmx(d) : null;
            default -> null;
        });
        t.put(TWO, 0xc3, SseMove::movnti);
        t.put(TWO, 0xf7, d -> switch (d.mandatory) {
            case 0x66 -> maskmovdqu(d);
            case 0 -> maskmovq(d);
            default -> null;
        });
        t.put(TWO, 0x77, d -> d.mandatory == 0 ? Mmx::emms : null);
        t.put(TWO, 0xf0, d -> d.mandatory == 0xf2 && d.isMem() ? Sse.rm(d, 128, false, Sse::set) : null);
    }

    private static X86Op memOnly(Insn d, X86Op op) {
        return d.isMem() ? op : null;
    }

    /** 0F 10: MOVUPS/MOVUPD load, MOVSS/MOVSD (a load zeroes the rest, a register move keeps it). */
    private static X86Op load10(Insn d) {
        return switch (d.mandatory) {
            case 0xf3 -> d.isMem()
                    ? Sse.rm(d, 32, false, (c, r, s0, s1) -> Sse.set(c, r, s0 & 0xffffffffL, 0))
                    : Sse.rm(d, 128, false, (c, r, s0, s1) -> c.xmm[2 * r] = c.xmm[2 * r] & ~0xffffffffL | s0 & 0xffffffffL);
            case 0xf2 -> d.isMem()
                    ? Sse.rm(d, 64, false, (c, r, s0, s1) -> Sse.set(c, r, s0, 0))
                    : Sse.rm(d, 128, false, (c, r, s0, s1) -> c.xmm[2 * r] = s0);
            default -> Sse.rm(d, 128, false, Sse::set);
        };
    }

    /** 0F 11: MOVUPS/MOVUPD/MOVSS/MOVSD stores (and their register forms). */
    private static X86Op store11(Insn d) {
        return switch (d.mandatory) {
            case 0xf3 -> d.isMem() ? Sse.store(d, 32, false, false) : regToRm(d, (c, r, s0, s1) ->
                    c.xmm[2 * r] = c.xmm[2 * r] & ~0xffffffffL | s0 & 0xffffffffL);
            case 0xf2 -> d.isMem() ? Sse.store(d, 64, false, false) : regToRm(d, (c, r, s0, s1) -> c.xmm[2 * r] = s0);
            default -> regOrStore(d, false);
        };
    }

    /** "op xmm/m128, xmm": a store, or a register copy from reg to rm. */
    private static X86Op regOrStore(Insn d, boolean aligned) {
        return d.isMem() ? Sse.store(d, 128, aligned, false) : regToRm(d, Sse::set);
    }

    /** The register form of a store encoding: ModRM.rm is the destination, ModRM.reg the source. */
    private static X86Op regToRm(Insn d, Sse.Kernel k) {
        int src = d.reg(), dst = d.rm();
        return c -> {
            Sse.check(c);
            k.run(c, dst, c.xmm[2 * src], c.xmm[2 * src + 1]);
        };
    }

    /** 66 0F D6 with a register destination: MOVQ zeroes the destination's high quadword. */
    private static X86Op movqRegToReg(Insn d) {
        return regToRm(d, (c, r, s0, s1) -> Sse.set(c, r, s0, 0));
    }

    /**
     * 0F 12 / 0F 16 ({@code high}): MOVLPS/MOVHPS m64 (none), MOVHLPS/MOVLHPS (none, register), MOVLPD/MOVHPD
     * (66, memory only), MOVSLDUP/MOVSHDUP (F3), MOVDDUP (F2, 0F 12 only).
     */
    private static X86Op lowHigh(Insn d, boolean high) {
        return switch (d.mandatory) {
            case 0, 0x66 -> {
                if (!d.isMem()) {
                    if (d.mandatory == 0x66) {
                        yield null;
                    }
                    yield high ? Sse.rm(d, 128, false, (c, r, s0, s1) -> c.xmm[2 * r + 1] = s0)   // MOVLHPS
                            : Sse.rm(d, 128, false, (c, r, s0, s1) -> c.xmm[2 * r] = s1);         // MOVHLPS
                }
                yield Sse.rm(d, 64, false, (c, r, s0, s1) -> c.xmm[2 * r + (high ? 1 : 0)] = s0);
            }
            case 0xf3 -> Sse.rm(d, 128, true, (c, r, s0, s1) -> {
                long lo = high ? s0 >>> 32 : s0 & 0xffffffffL, hi = high ? s1 >>> 32 : s1 & 0xffffffffL;
                Sse.set(c, r, lo | lo << 32, hi | hi << 32);
            });
            default -> high ? null : Sse.rm(d, 64, false, (c, r, s0, s1) -> Sse.set(c, r, s0, s0));
        };
    }

    /** 0F 50: MOVMSKPS / 66 0F 50: MOVMSKPD, the sign bits into a general register (zero-extended). */
    private static X86Op movmsk(Insn d) {
        if (d.isMem() || (d.mandatory != 0 && d.mandatory != 0x66)) {
            return null;
        }
        int dst = d.reg(), src = d.rm();
        boolean pd = d.mandatory == 0x66;
        return c -> {
            Sse.check(c);
            long lo = c.xmm[2 * src], hi = c.xmm[2 * src + 1];
            long m = pd ? (lo >>> 63 | hi >>> 63 << 1)
                    : (lo >>> 31 & 1 | lo >>> 62 & 2 | (hi >>> 31 & 1) << 2 | (hi >>> 63) << 3);
            c.r[dst] = m;
        };
    }

    /** 66 0F 6E: MOVD xmm, r/m32 / MOVQ xmm, r/m64 (REX.W), zero-extended to 128 bits. */
    private static X86Op movdToXmm(Insn d) {
        int dst = d.reg();
        int size = d.rexW() ? 64 : 32;
        if (d.isMem()) {
            Ea ea = d.ea();
            return c -> {
                Sse.check(c);
                Sse.set(c, dst, c.read(ea.linear(c), size), 0);
            };
        }
        int src = d.rm();
        return c -> {
            Sse.check(c);
            Sse.set(c, dst, c.reg(src, size), 0);
        };
    }

    /** 66 0F 7E: MOVD r/m32, xmm / MOVQ r/m64, xmm (REX.W). */
    private static X86Op movdFromXmm(Insn d) {
        int src = d.reg();
        int size = d.rexW() ? 64 : 32;
        if (d.isMem()) {
            Ea ea = d.ea();
            return c -> {
                Sse.check(c);
                c.write(ea.linear(c), size, c.xmm[2 * src]);
            };
        }
        int dst = d.rm();
        return c -> {
            Sse.check(c);
            c.setReg(dst, size, c.xmm[2 * src]);
        };
    }

    /** 0F 6E: MOVD mm, r/m32 / MOVQ mm, r/m64 (REX.W). */
    private static X86Op movdToMmx(Insn d) {
        int dst = d.reg() & 7;
        int size = d.rexW() ? 64 : 32;
        if (d.isMem()) {
            Ea ea = d.ea();
            return c -> {
                Mmx.enter(c);
                Mmx.set(c, dst, c.read(ea.linear(c), size));
            };
        }
        int src = d.rm();
        return c -> {
            Mmx.enter(c);
            Mmx.set(c, dst, c.reg(src, size));
        };
    }

    /** 0F 7E: MOVD r/m32, mm / MOVQ r/m64, mm (REX.W). */
    private static X86Op movdFromMmx(Insn d) {
        int src = d.reg() & 7;
        int size = d.rexW() ? 64 : 32;
        if (d.isMem()) {
            Ea ea = d.ea();
            return c -> {
                Mmx.enter(c);
                c.write(ea.linear(c), size, Mmx.get(c, src));
            };
        }
        int dst = d.rm();
        return c -> {
            Mmx.enter(c);
            c.setReg(dst, size, Mmx.get(c, src));
        };
    }

    /** 0F 7F: MOVQ mm/m64, mm; 0F E7: MOVNTQ m64, mm. */
    private static X86Op storeMmx(Insn d) {
        int src = d.reg() & 7;
        if (d.isMem()) {
            Ea ea = d.ea();
            return c -> {
                Mmx.enter(c);
                c.write64(ea.linear(c), Mmx.get(c, src));
            };
        }
        int dst = d.rm() & 7;
        return c -> {
            Mmx.enter(c);
            Mmx.set(c, dst, Mmx.get(c, src));
        };
    }

    /** F3 0F D6: MOVQ2DQ xmm, mm. */
    private static X86Op movq2dq(Insn d) {
        int dst = d.reg(), src = d.rm() & 7;
        return c -> {
            Sse.check(c);
            Mmx.enter(c);
            Sse.set(c, dst, Mmx.get(c, src), 0);
        };
    }

    /** F2 0F D6: MOVDQ2Q mm, xmm. */
    private static X86Op movdq2q(Insn d) {
        int dst = d.reg() & 7, src = d.rm();
        return c -> {
            Sse.check(c);
            Mmx.enter(c);
            Mmx.set(c, dst, c.xmm[2 * src]);
        };
    }

    /** 0F F7: MASKMOVQ mm1, mm2 to DS:rDI. */
    private static X86Op maskmovq(Insn d) {
        if (d.isMem()) {
            return null;
        }
        int src = d.reg() & 7, mask = d.rm() & 7;
        int seg = d.segOverride >= 0 ? d.segOverride : X86Cpu.DS;
        int asize = d.addrsize;
        return c -> {
            Mmx.enter(c);
            long base = c.linear(seg, c.r[X86Cpu.RDI] & X86Cpu.mask(asize));
            long m = Mmx.get(c, mask), v = Mmx.get(c, src);
            for (int i = 0; i < 8; i++) {
                if ((m >>> (8 * i) & 0x80) != 0) {
                    c.write8(base + i, v >>> (8 * i) & 0xff);
                }
            }
        };
    }

    /** 0F C3: MOVNTI m32/m64, r (an integer store with a non-temporal hint; SSE2, so the SSE checks do not apply). */
    private static X86Op movnti(Insn d) {
        if (d.mandatory != 0 || !d.isMem()) {
            return null;
        }
        int src = d.reg();
        int size = d.rexW() ? 64 : 32;
        Ea ea = d.ea();
        return c -> c.write(ea.linear(c), size, c.r[src]);
    }

    /** 66 0F F7: MASKMOVDQU xmm1, xmm2: the bytes of xmm1 whose xmm2 byte has its top bit set go to DS:rDI. */
    private static X86Op maskmovdqu(Insn d) {
        if (d.isMem()) {
            return null;
        }
        int src = d.reg(), mask = d.rm();
        int seg = d.segOverride >= 0 ? d.segOverride : X86Cpu.DS;
        int asize = d.addrsize;
        return c -> {
            Sse.check(c);
            long base = c.linear(seg, c.r[X86Cpu.RDI] & X86Cpu.mask(asize));
            for (int i = 0; i < 16; i++) {
                long m = c.xmm[2 * mask + (i >> 3)] >>> (8 * (i & 7));
                if ((m & 0x80) != 0) {
                    c.write8(base + i, c.xmm[2 * src + (i >> 3)] >>> (8 * (i & 7)) & 0xff);
                }
            }
        };
    }
}
