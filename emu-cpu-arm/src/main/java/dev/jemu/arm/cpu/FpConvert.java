package dev.jemu.arm.cpu;

import dev.jemu.core.fpu.SoftFloat;

/** FP conversions: to and from general registers (FCVT*, SCVTF, UCVTF, FMOV general), fixed point, and FCVT between H, S and D. */
final class FpConvert {
    private FpConvert() {
    }

    /** sf 0 S 11110 type 1 rmode opcode 000000 Rn Rd. */
    static ArmOp integer(int insn) {
        if ((insn & (1 << 29)) != 0) return null;
        boolean sf = (insn >>> 31) != 0;
        int type = (insn >>> 22) & 3, rmode = (insn >>> 19) & 3, opcode = (insn >>> 16) & 7;
        int rn = (insn >>> 5) & 31, rd = insn & 31;
        if (opcode >= 6) return fmovGeneral(sf, type, rmode, opcode == 7, rn, rd);
        if (type > 1) return null; // FP16 conversions: no FP16 in v8.0
        boolean dbl = type == 1;
        long mask = dbl ? -1L : 0xffffffffL;
        switch (opcode) {
            case 0, 1, 4, 5: { // FCVT{N,P,M,Z}{S,U}, FCVTA{S,U}
                if (opcode >= 4 && rmode != 0) return null;
                int rm = opcode >= 4 ? SoftFloat.RMM : FpScalar.roundingOf(rmode);
                boolean unsigned = (opcode & 1) != 0;
                int xd = Regs.wz(rd);
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    c.x[xd] = ArmFp.toInt(c, c.v[2 * rn] & mask, dbl, 0, rm, unsigned, sf);
                };
            }
            default: { // SCVTF, UCVTF
                if (rmode != 0) return null;
                boolean unsigned = opcode == 3;
                int xn = Regs.rz(rn);
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    long r = ArmFp.fromInt(c, c.x[xn], sf, unsigned, 0, dbl);
                    c.v[2 * rd] = r;
                    c.v[2 * rd + 1] = 0;
                };
            }
        }
    }

    private static ArmOp fmovGeneral(boolean sf, int type, int rmode, boolean toV, int rn, int rd) {
        int kind; // 0: S, 1: D, 2: V.D[1]; the H forms are FP16 (v8.2), UNDEFINED here
        long mask;
        if (rmode == 0 && type == 0 && !sf) {
            kind = 0;
            mask = 0xffffffffL;
        } else if (rmode == 0 && type == 1 && sf) {
            kind = 1;
            mask = -1L;
        } else if (rmode == 1 && type == 2 && sf) {
            kind = 2;
            mask = -1L;
        } else {
            return null;
        }
        if (toV) {
            int xn = Regs.rz(rn);
            if (kind == 2) {
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    c.v[2 * rd + 1] = c.x[xn];
                };
            }
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                c.v[2 * rd] = c.x[xn] & mask;
                c.v[2 * rd + 1] = 0;
            };
        }
        int xd = Regs.wz(rd);
        int half = kind == 2 ? 1 : 0;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            c.x[xd] = c.v[2 * rn + half] & mask;
        };
    }

    /** sf 0 S 11110 type 0 rmode opcode scale Rn Rd: FCVTZS/FCVTZU/SCVTF/UCVTF with fbits = 64 - scale. */
    static ArmOp fixedPoint(int insn) {
        if ((insn & (1 << 29)) != 0) return null;
        boolean sf = (insn >>> 31) != 0;
        int type = (insn >>> 22) & 3, rmode = (insn >>> 19) & 3, opcode = (insn >>> 16) & 7;
        int scale = (insn >>> 10) & 63, rn = (insn >>> 5) & 31, rd = insn & 31;
        if (type > 1 || !sf && scale < 32) return null;
        int fbits = 64 - scale;
        boolean dbl = type == 1;
        long mask = dbl ? -1L : 0xffffffffL;
        if ((opcode == 0 || opcode == 1) && rmode == 3) {
            boolean unsigned = opcode == 1;
            int xd = Regs.wz(rd);
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                c.x[xd] = ArmFp.toInt(c, c.v[2 * rn] & mask, dbl, fbits, SoftFloat.RTZ, unsigned, sf);
            };
        }
        if ((opcode == 2 || opcode == 3) && rmode == 0) {
            boolean unsigned = opcode == 3;
            int xn = Regs.rz(rn);
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                c.v[2 * rd] = ArmFp.fromInt(c, c.x[xn], sf, unsigned, fbits, dbl);
                c.v[2 * rd + 1] = 0;
            };
        }
        return null;
    }

    /** FCVT from {@code from} to {@code to} (0 single, 1 double, 3 half). */
    static ArmOp precision(int from, int to, int rn, int rd) {
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long a = c.v[2 * rn];
            long r;
            if (from == 0 && to == 1) {
                r = ArmFp.widen(c, a & 0xffffffffL);
            } else if (from == 1 && to == 0) {
                r = ArmFp.narrow(c, a);
            } else if (from == 3) {
                long s = halfToSingle(c, a & 0xffff);
                r = to == 1 ? ArmFp.widen(c, s) : s;
            } else {
                r = toHalf(c, from == 1 ? a : a & 0xffffffffL, from == 1);
            }
            c.v[2 * rd] = r;
            c.v[2 * rd + 1] = 0;
        };
    }

    /** Half to single: exact; a NaN keeps its payload, quieted (IOC if signalling). */
    static long halfToSingle(ArmCpu c, long h) {
        if ((h & 0x7c00) == 0x7c00 && (c.fpcr & ArmFp.FPCR_AHP) != 0) { // alternative half: 2^16 * 1.fraction
            return (h & 0x8000) << 16 | (127L + 16) << 23 | (h & 0x3ff) << 13;
        }
        if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) {
            if ((h & 0x200) == 0) c.fpsr |= ArmFp.IOC;
            if ((c.fpcr & ArmFp.FPCR_DN) != 0) return ArmFp.DEFAULT_NAN32;
            return (h & 0x8000) << 16 | 0x7fc00000L | (h & 0x1ff) << 13;
        }
        return Float.floatToRawIntBits(Float.float16ToFloat((short) h)) & 0xffffffffL;
    }

    /**
     * Single or double to half in FPCR's rounding mode (FPCR.FZ does not apply: half precision has FZ16).
     * A double is first narrowed to single (round to nearest), which can double-round in rare cases.
     */
    static long toHalf(ArmCpu c, long a, boolean dbl) {
        a = ArmFp.flushIn(c, a, dbl); // FZ applies to the single or double input (FZ16 to half ones)
        if ((c.fpcr & ArmFp.FPCR_AHP) != 0) return toAlternativeHalf(c, a, dbl);
        return toIeeeHalf(c, a, dbl);
    }

    /**
     * FPCR.AHP: half precision without infinities or NaNs, exponent 31 holding normal numbers (up to 131008).
     * A NaN becomes zero, an infinity or a value beyond the range the largest magnitude, each with IOC only.
     */
    private static long toAlternativeHalf(ArmCpu c, long a, boolean dbl) {
        long sign = dbl ? a >>> 48 & 0x8000 : a >>> 16 & 0x8000;
        if (ArmFp.isNaN(a, dbl)) {
            c.fpsr |= ArmFp.IOC;
            return sign;
        }
        if (ArmFp.isInf(a, dbl)) {
            c.fpsr |= ArmFp.IOC;
            return sign | 0x7fff;
        }
        double x = ArmFp.value(a, dbl);
        if (Math.abs(x) <= 65504) return toIeeeHalf(c, a, dbl); // the formats agree up to the IEEE maximum
        // above it: round x / 2^16 (exact, in [1, 4)) to half, then put the 16 back into the exponent
        int fpsr = c.fpsr;
        double scaled = x * 0x1p-16;
        long h = toIeeeHalf(c, dbl ? Double.doubleToRawLongBits(scaled)
                : Float.floatToRawIntBits((float) scaled) & 0xffffffffL, dbl);
        int exp = (int) (h >>> 10 & 0x1f) + 16;
        if (exp > 31) {
            c.fpsr = fpsr | ArmFp.IOC;
            return sign | 0x7fff;
        }
        return sign | (long) exp << 10 | (h & 0x3ff);
    }

    private static long toIeeeHalf(ArmCpu c, long a, boolean dbl) {
        if (ArmFp.isNaN(a, dbl)) {
            if (ArmFp.isSNaN(a, dbl)) c.fpsr |= ArmFp.IOC;
            if ((c.fpcr & ArmFp.FPCR_DN) != 0) return 0x7e00;
            long sign = dbl ? a >>> 48 & 0x8000 : a >>> 16 & 0x8000;
            long payload = dbl ? a >>> 42 & 0x1ff : a >>> 13 & 0x1ff;
            return sign | 0x7e00 | payload;
        }
        double x = ArmFp.value(a, dbl);
        int h = Float.floatToFloat16((float) x) & 0xffff; // round to nearest even
        double back = Float.float16ToFloat((short) h);
        if (back == x || Double.isInfinite(x)) return h;
        double ax = Math.abs(x);
        boolean neg = x < 0, awayFromZero = Math.abs(back) > ax;
        int mode = (c.fpcr >>> 22) & 3; // RN, RP, RM, RZ
        boolean wantAway = switch (mode) {
            case 0 -> awayFromZero;
            case 1 -> !neg;
            case 2 -> neg;
            default -> false;
        };
        if (wantAway != awayFromZero) h = wantAway ? h + 1 : h - 1; // one step in magnitude, sign kept
        c.fpsr |= ArmFp.IXC;
        double limit = wantAway ? 65504 : 65536; // the smallest magnitude that overflows in this direction
        if (mode == 0) limit = 65520;
        if (ax > 65504 && ax >= limit) c.fpsr |= ArmFp.OFC;
        if (ax < 0x1p-14) c.fpsr |= ArmFp.UFC;
        return h;
    }
}
