package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.TWO;

/**
 * SSE/SSE2 conversions between integers, binary32 and binary64: CVTSI2SS/SD, CVT(T)SS2SI/SD2SI,
 * CVTSS2SD/CVTSD2SS, CVTPS2PD/CVTPD2PS, CVTDQ2PS/CVT(T)PS2DQ, CVTDQ2PD/CVT(T)PD2DQ. The MMX forms
 * (CVTPI2PS, CVTPS2PI, ...) are not implemented: #UD.
 */
final class SseConvert {
    private SseConvert() {
    }

    static void register(OpcodeTable t) {
        t.put(TWO, 0x2a, SseConvert::fromInt);
        t.put(TWO, 0x2c, d -> toInt(d, true));
        t.put(TWO, 0x2d, d -> toInt(d, false));
        t.put(TWO, 0x5a, SseConvert::floatWidth);
        t.put(TWO, 0x5b, SseConvert::dq2ps);
        t.put(TWO, 0xe6, SseConvert::pd2dq);
    }

    /** F3 0F 2A: CVTSI2SS xmm, r/m32|64; F2: CVTSI2SD. */
    private static X86Op fromInt(Insn d) {
        if (d.mandatory != 0xf3 && d.mandatory != 0xf2) {
            return null;
        }
        boolean sd = d.mandatory == 0xf2, wide = d.rexW();
        int dst = d.reg();
        boolean mem = d.isMem();
        Ea ea = mem ? d.ea() : null;
        int src = mem ? 0 : d.rm();
        return c -> {
            Sse.check(c);
            long v = mem ? c.read(ea.linear(c), wide ? 64 : 32) : c.r[src];
            SseFpu f = c.sseFpu;
            f.begin(c.mxcsr);
            if (sd) {
                long r = f.intToF64(v, wide);
                f.finish(c);
                c.xmm[2 * dst] = r;
            } else {
                int r = f.intToF32(v, wide);
                f.finish(c);
                c.xmm[2 * dst] = c.xmm[2 * dst] & ~0xffffffffL | r & 0xffffffffL;
            }
        };
    }

    /** F3 0F 2C/2D: CVT(T)SS2SI r32|64, xmm/m32; F2: CVT(T)SD2SI r32|64, xmm/m64. */
    private static X86Op toInt(Insn d, boolean truncate) {
        if (d.mandatory != 0xf3 && d.mandatory != 0xf2) {
            return null;
        }
        boolean sd = d.mandatory == 0xf2, wide = d.rexW();
        int dst = d.reg();
        return Sse.rm(d, sd ? 64 : 32, false, (c, r, s0, s1) -> {
            SseFpu f = c.sseFpu;
            f.begin(c.mxcsr);
            long v = sd ? f.f64ToInt(s0, truncate, wide) : f.f32ToInt((int) s0, truncate, wide);
            f.finish(c);
            c.setReg(dst, wide ? 64 : 32, v);
        });
    }

    /** 0F 5A: CVTPS2PD (none, m64), CVTPD2PS (66), CVTSS2SD (F3), CVTSD2SS (F2). */
    private static X86Op floatWidth(Insn d) {
        return switch (d.mandatory) {
            case 0 -> Sse.rm(d, 64, false, (c, r, s0, s1) -> {
                SseFpu f = c.sseFpu;
                f.begin(c.mxcsr);
                long r0 = f.f32ToF64((int) s0), r1 = f.f32ToF64((int) (s0 >>> 32));
                f.finish(c);
                Sse.set(c, r, r0, r1);
            });
            case 0x66 -> Sse.rm(d, 128, true, (c, r, s0, s1) -> {
                SseFpu f = c.sseFpu;
                f.begin(c.mxcsr);
                int r0 = f.f64ToF32(s0), r1 = f.f64ToF32(s1);
                f.finish(c);
                Sse.set(c, r, Sse.pack32(r0, r1), 0);
            });
            case 0xf3 -> Sse.rm(d, 32, false, (c, r, s0, s1) -> {
                SseFpu f = c.sseFpu;
                f.begin(c.mxcsr);
                long v = f.f32ToF64((int) s0);
                f.finish(c);
                c.xmm[2 * r] = v;
            });
            default -> Sse.rm(d, 64, false, (c, r, s0, s1) -> {
                SseFpu f = c.sseFpu;
                f.begin(c.mxcsr);
                int v = f.f64ToF32(s0);
                f.finish(c);
                c.xmm[2 * r] = c.xmm[2 * r] & ~0xffffffffL | v & 0xffffffffL;
            });
        };
    }

    /** 0F 5B: CVTDQ2PS (none), CVTPS2DQ (66), CVTTPS2DQ (F3). */
    private static X86Op dq2ps(Insn d) {
        if (d.mandatory == 0xf2) {
            return null;
        }
        boolean toFloat = d.mandatory == 0, truncate = d.mandatory == 0xf3;
        return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
            SseFpu f = c.sseFpu;
            f.begin(c.mxcsr);
            int[] v = new int[4];
            for (int i = 0; i < 4; i++) {
                int x = Sse.lane32(s0, s1, i);
                v[i] = toFloat ? f.intToF32(x, false) : (int) f.f32ToInt(x, truncate, false);
            }
            f.finish(c);
            Sse.set(c, r, Sse.pack32(v[0], v[1]), Sse.pack32(v[2], v[3]));
        });
    }

    /** 0F E6: CVTTPD2DQ (66), CVTDQ2PD (F3, m64), CVTPD2DQ (F2); the PD2DQ forms zero the high quadword. */
    private static X86Op pd2dq(Insn d) {
        return switch (d.mandatory) {
            case 0x66, 0xf2 -> {
                boolean truncate = d.mandatory == 0x66;
                yield Sse.rm(d, 128, true, (c, r, s0, s1) -> {
                    SseFpu f = c.sseFpu;
                    f.begin(c.mxcsr);
                    int r0 = (int) f.f64ToInt(s0, truncate, false), r1 = (int) f.f64ToInt(s1, truncate, false);
                    f.finish(c);
                    Sse.set(c, r, Sse.pack32(r0, r1), 0);
                });
            }
            case 0xf3 -> Sse.rm(d, 64, false, (c, r, s0, s1) -> {
                SseFpu f = c.sseFpu;
                f.begin(c.mxcsr);
                long r0 = f.intToF64((int) s0, false), r1 = f.intToF64((int) (s0 >>> 32), false);
                f.finish(c);
                Sse.set(c, r, r0, r1);
            });
            default -> null;
        };
    }
}
