package dev.jemu.core.fpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Tininess after rounding (RISC-V, the default) against before rounding (ARM, new SoftFloat(true)). */
class SoftFloatTininessTest {
    private static long d(double x) {
        return Double.doubleToRawLongBits(x);
    }

    @Test
    void resultRoundingUpToTheSmallestNormal() {
        // 2^-1022 - 2^-1080 is tiny, but rounded to 53 bits with an unbounded exponent it is 2^-1022
        for (boolean before : new boolean[] {false, true}) {
            SoftFloat sf = new SoftFloat(before);
            long r = sf.f64MulAdd(d(0x1p-540), d(-0x1p-540), d(0x1p-1022), SoftFloat.RNE);
            assertEquals(d(0x1p-1022), r);
            assertEquals(before ? SoftFloat.NX | SoftFloat.UF : SoftFloat.NX, sf.flags, "before rounding: " + before);
        }
        SoftFloat riscv = new SoftFloat();
        riscv.f32Mul(Float.floatToRawIntBits(0x1.fffffep-1f), Float.floatToRawIntBits(0x1p-126f), SoftFloat.RNE);
        assertEquals(SoftFloat.NX | SoftFloat.UF, riscv.flags); // tiny either way: both rules agree
    }
}
