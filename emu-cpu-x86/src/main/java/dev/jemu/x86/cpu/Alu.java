package dev.jemu.x86.cpu;

/**
 * Integer arithmetic with x86's flags, and operand access by register number and size, for the integer ops.
 * Values are passed zero-extended to their size (8, 16, 32, 64); results come back the same way. Flags that
 * the SDM leaves undefined follow QEMU 7.2 (e.g. AF = 0 after logic ops, shifts and multiplies).
 */
final class Alu {
    static final int ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;
    /** X86Cpu.lazyOp: flags current; ADD/ADC; SUB/SBB/CMP/NEG; AND/OR/XOR/TEST; INC; DEC (CF kept in lazyCin). */
    static final int LAZY_NONE = 0, LAZY_ADD = 1, LAZY_SUB = 2, LAZY_LOGIC = 3, LAZY_INC = 4, LAZY_DEC = 5;

    private Alu() {
    }

    static long trunc(long v, int size) {
        return size == 64 ? v : v & ((1L << size) - 1);
    }

    /** Sign-extends a {@code size}-bit value to 64. */
    static long sext(long v, int size) {
        return size == 64 ? v : v << (64 - size) >> (64 - size);
    }

    static int msb(long v, int size) {
        return (int) (v >>> (size - 1)) & 1;
    }

    static int parity(long v) {
        // PF is set for an even number of ones in the low byte: fold to a nibble, then look it up in 0x9669
        int x = (int) v ^ (int) v >>> 4;
        return 0x9669 >>> (x & 0xf) & 1;
    }

    /** ZF, SF and PF from a result. */
    static void szp(X86Cpu c, long res, int size) {
        c.materializeFlags();
        c.zfBit = res == 0 ? 1 : 0;
        c.sfBit = msb(res, size);
        c.pfBit = parity(res);
    }

    /**
     * Every arithmetic flag at once, as a shift or MUL/IMUL sets them (CF and OF given, AF 0, ZF SF PF from the result): the
     * flags of a lazily kept earlier result are overwritten, so they are never computed.
     */
    static void shiftFlags(X86Cpu c, int cf, int of, long res, int size) {
        c.lazyOp = LAZY_NONE;
        c.cfBit = cf;
        c.ofBit = of;
        c.afBit = 0;
        c.zfBit = res == 0 ? 1 : 0;
        c.sfBit = msb(res, size);
        c.pfBit = parity(res);
    }

    // ---------------------------------------------------------------- lazy flags (see X86Cpu.lazyOp)

    private static void lazy(X86Cpu c, int op, long a, long b, int cin, long res, int size) {
        c.lazyOp = op;
        c.lazyA = a;
        c.lazyB = b;
        c.lazyCin = cin;
        c.lazyRes = res;
        c.lazySize = size;
    }

    /** CF of the lazily kept result. */
    static int lazyCf(X86Cpu c) {
        long a = c.lazyA, b = c.lazyB, res = c.lazyRes;
        int cin = c.lazyCin, size = c.lazySize;
        return switch (c.lazyOp) {
            case LAZY_ADD -> size == 64 ? (Long.compareUnsigned(res, a) < 0 || (cin != 0 && res == a) ? 1 : 0)
                    : (int) ((a + b + cin) >>> size) & 1;
            case LAZY_SUB -> size == 64 ? (Long.compareUnsigned(a, b) < 0 || (cin != 0 && a == b) ? 1 : 0)
                    : (int) ((a - b - cin) >>> 63);
            case LAZY_LOGIC -> 0;
            default -> cin; // INC, DEC
        };
    }

    /** OF of the lazily kept result. */
    static int lazyOf(X86Cpu c) {
        long a = c.lazyA, b = c.lazyB, res = c.lazyRes;
        return switch (c.lazyOp) {
            case LAZY_ADD, LAZY_INC -> msb((a ^ res) & (b ^ res), c.lazySize);
            case LAZY_SUB, LAZY_DEC -> msb((a ^ b) & (a ^ res), c.lazySize);
            default -> 0;
        };
    }

    /** AF of the lazily kept result (0 after logic ops, as QEMU). */
    static int lazyAf(X86Cpu c) {
        return c.lazyOp == LAZY_LOGIC ? 0 : (int) ((c.lazyA ^ c.lazyB ^ c.lazyRes) >>> 4) & 1;
    }

    /** Computes every flag of the lazily kept result into the flag fields; they are current afterwards. */
    static void materialize(X86Cpu c) {
        int cf = lazyCf(c), of = lazyOf(c), af = lazyAf(c);
        long res = c.lazyRes;
        c.lazyOp = LAZY_NONE;
        c.cfBit = cf;
        c.ofBit = of;
        c.afBit = af;
        c.zfBit = res == 0 ? 1 : 0;
        c.sfBit = msb(res, c.lazySize);
        c.pfBit = parity(res);
    }

    // ---------------------------------------------------------------- register operands

    /** Register {@code n} at {@code size}; for size 8, {@code n} is in X86Cpu.reg8's coding. */
    static long get(X86Cpu c, int n, int size) {
        return switch (size) {
            case 8 -> n < 16 ? c.r[n] & 0xff : c.r[n - 16] >>> 8 & 0xff;
            case 16 -> c.r[n] & 0xffff;
            case 32 -> c.r[n] & 0xffffffffL;
            default -> c.r[n];
        };
    }

    static void set(X86Cpu c, int n, int size, long v) {
        switch (size) {
            case 8 -> c.setReg8(n, v);
            case 16 -> c.r[n] = c.r[n] & ~0xffffL | v & 0xffff;
            case 32 -> c.r[n] = v & 0xffffffffL;
            default -> c.r[n] = v;
        }
    }

    // ---------------------------------------------------------------- arithmetic

    static long add(X86Cpu c, long a, long b, int carry, int size) {
        b = trunc(b, size);
        long res = trunc(a + b + carry, size);
        lazy(c, LAZY_ADD, a, b, carry, res, size);
        return res;
    }

    static long sub(X86Cpu c, long a, long b, int borrow, int size) {
        b = trunc(b, size);
        long res = trunc(a - b - borrow, size);
        lazy(c, LAZY_SUB, a, b, borrow, res, size);
        return res;
    }

    static long logic(X86Cpu c, long res, int size) {
        res = trunc(res, size);
        lazy(c, LAZY_LOGIC, 0, 0, 0, res, size);
        return res;
    }

    /** One of the eight classic ALU ops (Alu.ADD..CMP); CMP returns the difference but the caller does not store it. */
    static long alu(X86Cpu c, int kind, int size, long a, long b) {
        return switch (kind) {
            case ADD -> add(c, a, b, 0, size);
            case OR -> logic(c, a | b, size);
            case ADC -> add(c, a, b, c.cf(), size);
            case SBB -> sub(c, a, b, c.cf(), size);
            case AND -> logic(c, a & b, size);
            case XOR -> logic(c, a ^ b, size);
            default -> sub(c, a, b, 0, size);
        };
    }

    static long inc(X86Cpu c, long a, int size) {
        long res = trunc(a + 1, size);
        lazy(c, LAZY_INC, a, 1, c.cf(), res, size);
        return res;
    }

    static long dec(X86Cpu c, long a, int size) {
        long res = trunc(a - 1, size);
        lazy(c, LAZY_DEC, a, 1, c.cf(), res, size);
        return res;
    }
}
