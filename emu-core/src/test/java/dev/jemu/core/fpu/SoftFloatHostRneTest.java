package dev.jemu.core.fpu;

import org.junit.jupiter.api.Test;

import static dev.jemu.core.fpu.Oracle.F32;
import static dev.jemu.core.fpu.Oracle.F64;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * High-volume check of round-to-nearest-even results against the host's own IEEE arithmetic (Java float and
 * double operations and Math.fma are correctly rounded to nearest even). Results only, no flags: those come
 * from the oracle tests; this one covers many more operands, including every slow path, cheaply.
 */
class SoftFloatHostRneTest {
    private static final int N = 150_000 * Integer.getInteger("fpu.scale", 1);

    private static long canon64(double v) {
        return Double.isNaN(v) ? SoftFloat.F64_CANONICAL_NAN : Double.doubleToRawLongBits(v);
    }

    private static int canon32(float v) {
        return Float.isNaN(v) ? SoftFloat.F32_CANONICAL_NAN : Float.floatToRawIntBits(v);
    }

    @Test
    void binary64() {
        Gen g = new Gen(F64, Long.getLong("fpu.seed", 77));
        SoftFloat sf = new SoftFloat();
        for (int i = 0; i < N; i++) {
            long a = g.value(), b = g.partner(a, (i & 1) == 0), c = (i & 3) == 0 ? g.value() : g.partner(a, false);
            double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b), z = Double.longBitsToDouble(c);
            String ops = String.format("%x %x %x", a, b, c);
            assertEquals(canon64(x + y), sf.f64Add(a, b, SoftFloat.RNE), "add " + ops);
            assertEquals(canon64(x - y), sf.f64Sub(a, b, SoftFloat.RNE), "sub " + ops);
            assertEquals(canon64(x * y), sf.f64Mul(a, b, SoftFloat.RNE), "mul " + ops);
            assertEquals(canon64(x / y), sf.f64Div(a, b, SoftFloat.RNE), "div " + ops);
            assertEquals(canon64(Math.sqrt(x)), sf.f64Sqrt(a, SoftFloat.RNE), "sqrt " + ops);
            assertEquals(canon64(Math.fma(x, y, z)), sf.f64MulAdd(a, b, c, SoftFloat.RNE), "fma " + ops);
            assertEquals(canon64(Math.fma(x, y, -x * y)), sf.f64MulAdd(a, b, sf.f64Mul(a, b, SoftFloat.RNE) ^ Long.MIN_VALUE,
                    SoftFloat.RNE), "fma residual " + ops);
            assertEquals(canon32((float) x), sf.f64ToF32(a, SoftFloat.RNE), "f64ToF32 " + ops);
        }
    }

    @Test
    void binary32() {
        Gen g = new Gen(F32, Long.getLong("fpu.seed", 78));
        SoftFloat sf = new SoftFloat();
        for (int i = 0; i < N; i++) {
            int a = (int) g.value(), b = (int) g.partner(a & 0xffffffffL, (i & 1) == 0);
            int c = (int) ((i & 3) == 0 ? g.value() : g.partner(a & 0xffffffffL, false));
            float x = Float.intBitsToFloat(a), y = Float.intBitsToFloat(b), z = Float.intBitsToFloat(c);
            String ops = String.format("%x %x %x", a, b, c);
            assertEquals(canon32(x + y), sf.f32Add(a, b, SoftFloat.RNE), "add " + ops);
            assertEquals(canon32(x - y), sf.f32Sub(a, b, SoftFloat.RNE), "sub " + ops);
            assertEquals(canon32(x * y), sf.f32Mul(a, b, SoftFloat.RNE), "mul " + ops);
            assertEquals(canon32(x / y), sf.f32Div(a, b, SoftFloat.RNE), "div " + ops);
            assertEquals(canon32((float) Math.sqrt(x)), sf.f32Sqrt(a, SoftFloat.RNE), "sqrt " + ops);
            assertEquals(canon32(Math.fma(x, y, z)), sf.f32MulAdd(a, b, c, SoftFloat.RNE), "fma " + ops);
            assertEquals(canon64(x), sf.f32ToF64(a), "f32ToF64 " + ops);
        }
    }
}
