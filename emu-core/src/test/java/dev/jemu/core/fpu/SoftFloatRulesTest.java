package dev.jemu.core.fpu;

import org.junit.jupiter.api.Test;

import static dev.jemu.core.fpu.SoftFloat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-written cases for the RISC-V rules that are easy to get wrong. */
class SoftFloatRulesTest {
    private static final long ONE = 0x3ff0000000000000L, TWO = 0x4000000000000000L, MINUS_ONE = 0xbff0000000000000L;
    private static final long MAX = 0x7fefffffffffffffL, INF = 0x7ff0000000000000L, NEG_INF = 0xfff0000000000000L;
    private static final long QNAN_PAYLOAD = 0x7ff8000000001234L, SNAN = 0x7ff0000000000001L;
    private static final long NEG_ZERO = 0x8000000000000000L, MIN_NORMAL = 0x0010000000000000L;
    private static final int F_ONE = 0x3f800000, F_INF = 0x7f800000, F_QNAN = 0x7fc00001, F_SNAN = 0x7f800001;
    private static final int F_MAX = 0x7f7fffff;

    private SoftFloat sf;

    private static long b(double v) { return Double.doubleToRawLongBits(v); }

    private void expect64(long want, int wantFlags, java.util.function.ToLongFunction<SoftFloat> op) {
        sf = new SoftFloat();
        long got = op.applyAsLong(sf);
        assertEquals(Long.toHexString(want), Long.toHexString(got), "result");
        assertEquals(wantFlags, sf.flags, "flags of result " + Long.toHexString(got));
    }

    private void expect32(int want, int wantFlags, java.util.function.ToIntFunction<SoftFloat> op) {
        sf = new SoftFloat();
        int got = op.applyAsInt(sf);
        assertEquals(Integer.toHexString(want), Integer.toHexString(got), "result");
        assertEquals(wantFlags, sf.flags, "flags of result " + Integer.toHexString(got));
    }

    @Test
    void tininessIsDetectedAfterRounding() {
        // (1 - 2^-52)(2^-1022 (1 + 2^-52)) = 2^-1022 (1 - 2^-104): rounds to 2^-1022, so not tiny: no UF.
        expect64(MIN_NORMAL, NX, s -> s.f64Mul(0x3feffffffffffffeL, 0x0010000000000001L, RNE));
        // Toward zero it stays subnormal: tiny and inexact.
        expect64(0x000fffffffffffffL, NX | UF, s -> s.f64Mul(0x3feffffffffffffeL, 0x0010000000000001L, RTZ));
        expect32(0x00800000, NX, s -> s.f32Mul(0x3f7ffffe, 0x00800001, RNE));
        expect32(0x007fffff, NX | UF, s -> s.f32Mul(0x3f7ffffe, 0x00800001, RDN));
        // An exact subnormal result raises nothing.
        expect64(0x0008000000000000L, 0, s -> s.f64Mul(MIN_NORMAL, b(0.5), RNE));
        // Narrowing below binary32's range: 2^-150 is a tie between 0 and the smallest subnormal.
        expect32(0, NX | UF, s -> s.f64ToF32(b(0x1p-150), RNE));
        expect32(1, NX | UF, s -> s.f64ToF32(b(0x1p-150), RUP));
    }

    @Test
    void fmaOfZeroTimesInfinityIsInvalidEvenWithQuietNaNAddend() {
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64MulAdd(0, INF, QNAN_PAYLOAD, RNE));
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64MulAdd(NEG_INF, NEG_ZERO, ONE, RNE));
        expect32(F32_CANONICAL_NAN, NV, s -> s.f32MulAdd(F_INF, 0, F_QNAN, RNE));
        // A quiet NaN product operand is not invalid; a signaling addend is.
        expect64(F64_CANONICAL_NAN, 0, s -> s.f64MulAdd(QNAN_PAYLOAD, 0, ONE, RNE));
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64MulAdd(ONE, ONE, SNAN, RNE));
        // inf - inf inside fma
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64MulAdd(INF, ONE, NEG_INF, RNE));
        expect64(INF, 0, s -> s.f64MulAdd(INF, ONE, INF, RNE));
    }

    @Test
    void minMaxFollowMinimumNumberRules() {
        expect64(NEG_ZERO, 0, s -> s.f64Min(0, NEG_ZERO));
        expect64(NEG_ZERO, 0, s -> s.f64Min(NEG_ZERO, 0));
        expect64(0, 0, s -> s.f64Max(NEG_ZERO, 0));
        expect64(ONE, 0, s -> s.f64Min(QNAN_PAYLOAD, ONE));
        expect64(ONE, NV, s -> s.f64Max(ONE, SNAN));
        expect64(F64_CANONICAL_NAN, 0, s -> s.f64Min(QNAN_PAYLOAD, QNAN_PAYLOAD));
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64Max(SNAN, QNAN_PAYLOAD));
        expect32(0x80000000, 0, s -> s.f32Min(0, 0x80000000));
        expect32(F_ONE, NV, s -> s.f32Min(F_SNAN, F_ONE));
        expect32(F32_CANONICAL_NAN, 0, s -> s.f32Max(F_QNAN, F_QNAN));
    }

    @Test
    void comparisonsQuietAndSignaling() {
        sf = new SoftFloat();
        assertFalse(sf.f64Eq(QNAN_PAYLOAD, QNAN_PAYLOAD));
        assertEquals(0, sf.flags);
        assertTrue(sf.f64Eq(0, NEG_ZERO));
        assertFalse(sf.f64Eq(SNAN, ONE));
        assertEquals(NV, sf.flags);
        sf = new SoftFloat();
        assertFalse(sf.f64Lt(QNAN_PAYLOAD, ONE));
        assertEquals(NV, sf.flags);
        sf = new SoftFloat();
        assertFalse(sf.f32Le(F_ONE, F_QNAN));
        assertEquals(NV, sf.flags);
        sf = new SoftFloat();
        assertTrue(sf.f32Le(0x80000000, 0));
        assertFalse(sf.f32Lt(0x80000000, 0));
        assertEquals(0, sf.flags);
    }

    @Test
    void saturatingConversions() {
        expect32(Integer.MAX_VALUE, NV, s -> s.f64ToI32(QNAN_PAYLOAD, RNE));
        expect32(-1, NV, s -> s.f64ToU32(SNAN, RNE));                      // 0xffffffff, sign-extended by the CPU
        expect64(Long.MAX_VALUE, NV, s -> s.f32ToI64(F_QNAN, RNE));
        expect64(-1L, NV, s -> s.f32ToU64(F_QNAN, RNE));
        expect32(Integer.MIN_VALUE, NV, s -> s.f64ToI32(NEG_INF, RNE));
        expect32(Integer.MAX_VALUE, NV, s -> s.f64ToI32(INF, RNE));
        expect32(0, NV, s -> s.f64ToU32(MINUS_ONE, RTZ));
        expect32(0, NX, s -> s.f64ToU32(b(-0.3), RTZ));                   // rounds to -0: just inexact
        expect32(0, NV, s -> s.f64ToU32(b(-0.3), RDN));                   // rounds to -1: invalid
        expect32(0, NX, s -> s.f64ToU32(b(-0.5), RNE));
        expect32(0, NV, s -> s.f64ToU32(b(-0.5), RMM));
        expect32(Integer.MAX_VALUE, NV, s -> s.f64ToI32(b(2147483647.5), RNE)); // rounds to 2^31
        expect32(Integer.MAX_VALUE, NX, s -> s.f64ToI32(b(2147483647.5), RTZ));
        expect32(Integer.MIN_VALUE, 0, s -> s.f64ToI32(b(-2147483648.0), RNE));
        expect32(Integer.MIN_VALUE, NV, s -> s.f64ToI32(b(-2147483649.0), RNE));
        expect64(Long.MAX_VALUE, NV, s -> s.f64ToI64(b(0x1p63), RNE));
        expect64(Long.MIN_VALUE, 0, s -> s.f64ToI64(b(-0x1p63), RNE));
        expect64(-1L, NV, s -> s.f64ToU64(b(0x1p64), RNE));
        expect64(0xfffffffffffff800L, 0, s -> s.f64ToU64(b(0x1.fffffffffffffp63), RNE));
        expect32(-2, NX, s -> s.f32ToI32(0xbfc00000, RNE));               // -1.5 -> -2 (even)
        expect32(-1, NX, s -> s.f32ToI32(0xbfc00000, RUP));
        expect32(-2, NX, s -> s.f32ToI32(0xbfc00000, RMM));
    }

    @Test
    void signedZeroResults() {
        long x = b(3.25), mx = b(-3.25);
        expect64(0, 0, s -> s.f64Add(x, mx, RNE));
        expect64(0, 0, s -> s.f64Add(x, mx, RUP));
        expect64(NEG_ZERO, 0, s -> s.f64Add(x, mx, RDN));
        expect64(NEG_ZERO, 0, s -> s.f64Sub(x, x, RDN));
        expect64(NEG_ZERO, 0, s -> s.f64Add(0, NEG_ZERO, RDN));
        expect64(0, 0, s -> s.f64Add(0, NEG_ZERO, RTZ));
        expect64(NEG_ZERO, 0, s -> s.f64Add(NEG_ZERO, NEG_ZERO, RUP));
        expect64(NEG_ZERO, 0, s -> s.f64Sqrt(NEG_ZERO, RNE));
        expect64(NEG_ZERO, 0, s -> s.f64Mul(NEG_ZERO, b(5.0), RNE));
        expect64(NEG_ZERO, 0, s -> s.f64MulAdd(ONE, MINUS_ONE, ONE, RDN));
        expect64(0, 0, s -> s.f64MulAdd(ONE, MINUS_ONE, ONE, RMM));
        expect64(NEG_ZERO, 0, s -> s.f64MulAdd(NEG_ZERO, ONE, NEG_ZERO, RNE));
        expect32(0x80000000, 0, s -> s.f32Sub(F_ONE, F_ONE, RDN));
        expect32(0, 0, s -> s.f32Sub(F_ONE, F_ONE, RNE));
        expect32(0x80000000, 0, s -> s.f32Sqrt(0x80000000, RUP));
    }

    @Test
    void overflowResultDependsOnMode() {
        expect64(INF, OF | NX, s -> s.f64Mul(MAX, TWO, RNE));
        expect64(MAX, OF | NX, s -> s.f64Mul(MAX, TWO, RTZ));
        expect64(MAX, OF | NX, s -> s.f64Mul(MAX, TWO, RDN));
        expect64(INF, OF | NX, s -> s.f64Mul(MAX, TWO, RUP));
        expect64(INF, OF | NX, s -> s.f64Mul(MAX, TWO, RMM));
        expect64(NEG_INF, OF | NX, s -> s.f64Mul(MAX, b(-2.0), RDN));
        expect64(MAX | NEG_ZERO, OF | NX, s -> s.f64Mul(MAX, b(-2.0), RUP));
        // MAX + half an ulp is a tie: to even (infinity) and away (infinity); toward zero stays finite.
        expect64(INF, OF | NX, s -> s.f64Add(MAX, b(0x1p970), RNE));
        expect64(MAX, NX, s -> s.f64Add(MAX, b(0x1p969), RNE));
        expect64(INF, OF | NX, s -> s.f64Add(MAX, b(0x1p969), RUP));
        expect32(F_INF, OF | NX, s -> s.f32Add(F_MAX, F_MAX, RNE));
        expect32(F_MAX, OF | NX, s -> s.f32Add(F_MAX, F_MAX, RTZ));
        expect32(F_INF, OF | NX, s -> s.f64ToF32(b(1e300), RNE));
        expect32(F_MAX, OF | NX, s -> s.f64ToF32(b(1e300), RTZ));
    }

    @Test
    void specialOperands() {
        expect64(INF, DZ, s -> s.f64Div(ONE, 0, RNE));
        expect64(NEG_INF, DZ, s -> s.f64Div(MINUS_ONE, 0, RNE));
        expect64(INF, 0, s -> s.f64Div(INF, 0, RNE));
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64Div(0, NEG_ZERO, RNE));
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64Div(INF, NEG_INF, RNE));
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64Sqrt(MINUS_ONE, RNE));
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64Sqrt(NEG_INF, RNE));
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64Sub(INF, INF, RNE));
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64Mul(0, NEG_INF, RNE));
        expect64(F64_CANONICAL_NAN, 0, s -> s.f64Add(QNAN_PAYLOAD, ONE, RNE));
        expect64(F64_CANONICAL_NAN, NV, s -> s.f64Add(ONE, SNAN, RNE));
        expect32(F32_CANONICAL_NAN, NV, s -> s.f32Div(0, 0, RNE));
        expect32(0xff800000, DZ, s -> s.f32Div(0xbf800000, 0, RNE));
        expect64(F64_CANONICAL_NAN, NV, s -> s.f32ToF64(F_SNAN));
        expect64(F64_CANONICAL_NAN, 0, s -> s.f32ToF64(F_QNAN));
        expect32(F32_CANONICAL_NAN, 0, s -> s.f64ToF32(QNAN_PAYLOAD, RNE));
        expect32(F32_CANONICAL_NAN, NV, s -> s.f64ToF32(SNAN, RNE));
        expect64(b(0x1p-149), 0, s -> s.f32ToF64(0x00000001));
    }

    @Test
    void roundingModesOnTiesAndIntegers() {
        long tie = b(0x1p-53);                                            // half an ulp of 1.0
        expect64(ONE, NX, s -> s.f64Add(ONE, tie, RNE));
        expect64(0x3ff0000000000001L, NX, s -> s.f64Add(ONE, tie, RMM));
        expect64(0x3ff0000000000001L, NX, s -> s.f64Add(ONE, tie, RUP));
        expect64(ONE, NX, s -> s.f64Add(ONE, tie, RTZ));
        expect64(0xbff0000000000001L, NX, s -> s.f64Sub(MINUS_ONE, tie, RDN));
        expect64(b(0x1p53), NX, s -> s.i64ToF64((1L << 53) + 1, RNE));
        expect64(b(0x1p53 + 2), NX, s -> s.i64ToF64((1L << 53) + 1, RUP));
        expect64(b(-0x1p63), 0, s -> s.i64ToF64(Long.MIN_VALUE, RNE));
        expect64(b(0x1p64), NX, s -> s.u64ToF64(-1L, RNE));
        expect64(b(0x1.fffffffffffffp63), NX, s -> s.u64ToF64(-1L, RTZ));
        expect32(0x4f800000, NX, s -> s.u32ToF32(-1, RNE));               // 2^32
        expect32(0x4f7fffff, NX, s -> s.u32ToF32(-1, RDN));
        expect64(b(4294967295.0), 0, s -> s.u32ToF64(-1, RNE));
        expect64(b(-1.0), 0, s -> s.i32ToF64(-1, RNE));
        // sqrt in directed modes: sqrt(2) lies between two doubles
        expect64(0x3ff6a09e667f3bcdL, NX, s -> s.f64Sqrt(TWO, RNE));   // 1.41421356237309514547 > sqrt(2)
        expect64(0x3ff6a09e667f3bccL, NX, s -> s.f64Sqrt(TWO, RTZ));
        expect64(0x3ff6a09e667f3bccL, NX, s -> s.f64Sqrt(TWO, RDN));
        expect64(0x3ff6a09e667f3bcdL, NX, s -> s.f64Sqrt(TWO, RUP));
        // sqrt of the smallest subnormal is exact: 2^-537
        expect64(b(0x1p-537), 0, s -> s.f64Sqrt(1, RNE));
    }

    @Test
    void classify() {
        assertEquals(1, f64Classify(NEG_INF));
        assertEquals(1 << 1, f64Classify(MINUS_ONE));
        assertEquals(1 << 2, f64Classify(0x800fffffffffffffL));
        assertEquals(1 << 3, f64Classify(NEG_ZERO));
        assertEquals(1 << 4, f64Classify(0));
        assertEquals(1 << 5, f64Classify(1));
        assertEquals(1 << 6, f64Classify(MIN_NORMAL));
        assertEquals(1 << 7, f64Classify(INF));
        assertEquals(1 << 8, f64Classify(SNAN));
        assertEquals(1 << 9, f64Classify(F64_CANONICAL_NAN));
        assertEquals(1 << 9, f64Classify(0xfff8000000000000L));
        assertEquals(1, f32Classify(0xff800000));
        assertEquals(1 << 1, f32Classify(0xbf800000));
        assertEquals(1 << 2, f32Classify(0x807fffff));
        assertEquals(1 << 3, f32Classify(0x80000000));
        assertEquals(1 << 4, f32Classify(0));
        assertEquals(1 << 5, f32Classify(1));
        assertEquals(1 << 6, f32Classify(F_MAX));
        assertEquals(1 << 7, f32Classify(F_INF));
        assertEquals(1 << 8, f32Classify(F_SNAN));
        assertEquals(1 << 9, f32Classify(F_QNAN));
    }

    @Test
    void flagsAccumulate() {
        sf = new SoftFloat();
        sf.f64Div(ONE, 0, RNE);
        sf.f64Add(ONE, b(0x1p-60), RNE);
        sf.f64Add(ONE, ONE, RNE);
        assertEquals(DZ | NX, sf.flags);
    }
}
