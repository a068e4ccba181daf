package dev.jemu.riscv.fpu;

/**
 * IEEE 754-2008 binary32/binary64 arithmetic in software, as RISC-V's F and D extensions define it: five
 * rounding modes, the five exception flags, RISC-V's canonical NaN (0x7fc00000 / 0x7ff8000000000000) for
 * every NaN result, and RISC-V's saturating float-to-integer conversions.
 *
 * <p>Values are raw bit patterns (int for binary32, long for binary64). {@link #flags} accumulates exception
 * flags (it is the hart's {@code fflags}); operations only ever OR bits into it. NaN boxing of binary32 in
 * 64-bit registers is the CPU's business, not this class's.
 */
public final class SoftFloat {
    /** Rounding modes, in RISC-V {@code frm} encoding. */
    public static final int RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;
    /** Exception flags, in RISC-V {@code fflags} bit positions. */
    public static final int NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;

    public static final int F32_CANONICAL_NAN = 0x7fc00000;
    public static final long F64_CANONICAL_NAN = 0x7ff8000000000000L;

    /** Accrued exception flags ({@code fflags}). */
    public int flags;

    // ---- binary32 ----
    public int f32Add(int a, int b, int rm) { throw new UnsupportedOperationException(); }
    public int f32Sub(int a, int b, int rm) { throw new UnsupportedOperationException(); }
    public int f32Mul(int a, int b, int rm) { throw new UnsupportedOperationException(); }
    public int f32Div(int a, int b, int rm) { throw new UnsupportedOperationException(); }
    public int f32Sqrt(int a, int rm) { throw new UnsupportedOperationException(); }
    /** a*b+c with a single rounding. FMSUB/FNMSUB/FNMADD are made by flipping sign bits of the inputs. */
    public int f32MulAdd(int a, int b, int c, int rm) { throw new UnsupportedOperationException(); }
    /** IEEE 754-2019 minimumNumber (RISC-V fmin): -0 < +0; one NaN input gives the other; sNaN raises NV. */
    public int f32Min(int a, int b) { throw new UnsupportedOperationException(); }
    public int f32Max(int a, int b) { throw new UnsupportedOperationException(); }
    /** Quiet comparison (feq): NV only for signaling NaN inputs. */
    public boolean f32Eq(int a, int b) { throw new UnsupportedOperationException(); }
    /** Signaling comparisons (flt, fle): NV for any NaN input. */
    public boolean f32Lt(int a, int b) { throw new UnsupportedOperationException(); }
    public boolean f32Le(int a, int b) { throw new UnsupportedOperationException(); }
    /** RISC-V fclass bit mask (bit 0 = -inf ... bit 9 = quiet NaN). */
    public static int f32Classify(int a) { throw new UnsupportedOperationException(); }
    /** fcvt.w.s: saturating, NV on NaN/overflow (NaN gives the maximum), NX when inexact. */
    public int f32ToI32(int a, int rm) { throw new UnsupportedOperationException(); }
    public int f32ToU32(int a, int rm) { throw new UnsupportedOperationException(); }
    public long f32ToI64(int a, int rm) { throw new UnsupportedOperationException(); }
    public long f32ToU64(int a, int rm) { throw new UnsupportedOperationException(); }
    public int i32ToF32(int v, int rm) { throw new UnsupportedOperationException(); }
    public int u32ToF32(int v, int rm) { throw new UnsupportedOperationException(); }
    public int i64ToF32(long v, int rm) { throw new UnsupportedOperationException(); }
    public int u64ToF32(long v, int rm) { throw new UnsupportedOperationException(); }

    // ---- binary64 ----
    public long f64Add(long a, long b, int rm) { throw new UnsupportedOperationException(); }
    public long f64Sub(long a, long b, int rm) { throw new UnsupportedOperationException(); }
    public long f64Mul(long a, long b, int rm) { throw new UnsupportedOperationException(); }
    public long f64Div(long a, long b, int rm) { throw new UnsupportedOperationException(); }
    public long f64Sqrt(long a, int rm) { throw new UnsupportedOperationException(); }
    public long f64MulAdd(long a, long b, long c, int rm) { throw new UnsupportedOperationException(); }
    public long f64Min(long a, long b) { throw new UnsupportedOperationException(); }
    public long f64Max(long a, long b) { throw new UnsupportedOperationException(); }
    public boolean f64Eq(long a, long b) { throw new UnsupportedOperationException(); }
    public boolean f64Lt(long a, long b) { throw new UnsupportedOperationException(); }
    public boolean f64Le(long a, long b) { throw new UnsupportedOperationException(); }
    public static int f64Classify(long a) { throw new UnsupportedOperationException(); }
    public int f64ToI32(long a, int rm) { throw new UnsupportedOperationException(); }
    public int f64ToU32(long a, int rm) { throw new UnsupportedOperationException(); }
    public long f64ToI64(long a, int rm) { throw new UnsupportedOperationException(); }
    public long f64ToU64(long a, int rm) { throw new UnsupportedOperationException(); }
    public long i32ToF64(int v, int rm) { throw new UnsupportedOperationException(); }
    public long u32ToF64(int v, int rm) { throw new UnsupportedOperationException(); }
    public long i64ToF64(long v, int rm) { throw new UnsupportedOperationException(); }
    public long u64ToF64(long v, int rm) { throw new UnsupportedOperationException(); }

    // ---- between formats ----
    public long f32ToF64(int a) { throw new UnsupportedOperationException(); }
    public int f64ToF32(long a, int rm) { throw new UnsupportedOperationException(); }
}
