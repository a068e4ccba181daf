package dev.jemu.x86.cpu;

/**
 * Integer arithmetic with x86's flags, and operand access by register number and size, for the integer ops.
 * Values are passed zero-extended to their size (8, 16, 32, 64); results come back the same way. Flags that
 * the SDM leaves undefined follow QEMU 7.2 (e.g. AF = 0 after logic ops, shifts and multiplies).
 */
final class Alu {
    static final int ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;

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
        c.zf = res == 0 ? 1 : 0;
        c.sf = msb(res, size);
        c.pf = parity(res);
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
        long full = a + b + carry;
        long res = trunc(full, size);
        if (size == 64) {
            c.cf = Long.compareUnsigned(res, a) < 0 || (carry != 0 && res == a) ? 1 : 0;
        } else {
            c.cf = (int) (full >>> size) & 1;
        }
        c.of = msb((a ^ res) & (b ^ res), size);
        c.af = (int) ((a ^ b ^ res) >>> 4) & 1;
        szp(c, res, size);
        return res;
    }

    static long sub(X86Cpu c, long a, long b, int borrow, int size) {
        b = trunc(b, size);
        long res = trunc(a - b - borrow, size);
        if (size == 64) {
            c.cf = Long.compareUnsigned(a, b) < 0 || (borrow != 0 && a == b) ? 1 : 0;
        } else {
            c.cf = (int) ((a - b - borrow) >>> 63);
        }
        c.of = msb((a ^ b) & (a ^ res), size);
        c.af = (int) ((a ^ b ^ res) >>> 4) & 1;
        szp(c, res, size);
        return res;
    }

    static long logic(X86Cpu c, long res, int size) {
        res = trunc(res, size);
        c.cf = 0;
        c.of = 0;
        c.af = 0;
        szp(c, res, size);
        return res;
    }

    /** One of the eight classic ALU ops (Alu.ADD..CMP); CMP returns the difference but the caller does not store it. */
    static long alu(X86Cpu c, int kind, int size, long a, long b) {
        return switch (kind) {
            case ADD -> add(c, a, b, 0, size);
            case OR -> logic(c, a | b, size);
            case ADC -> add(c, a, b, c.cf, size);
            case SBB -> sub(c, a, b, c.cf, size);
            case AND -> logic(c, a & b, size);
            case XOR -> logic(c, a ^ b, size);
            default -> sub(c, a, b, 0, size);
        };
    }

    static long inc(X86Cpu c, long a, int size) {
        int cf = c.cf;
        long r = add(c, a, 1, 0, size);
        c.cf = cf;
        return r;
    }

    static long dec(X86Cpu c, long a, int size) {
        int cf = c.cf;
        long r = sub(c, a, 1, 0, size);
        c.cf = cf;
        return r;
    }
}
