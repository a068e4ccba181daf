package dev.jemu.riscv.cpu;

/** Integer operations too long to sit in the dispatch loop: M-extension division and Zba/Zbb/Zbs. */
final class Alu {
    private Alu() {
    }

    /** DIV[U]/REM[U][W] with RISC-V's results for division by zero and signed overflow (no trap). */
    static long divide(int op, long a, long b) {
        switch (op) {
            case Op.DIV:
                return b == 0 ? -1 : (a == Long.MIN_VALUE && b == -1) ? a : a / b;
            case Op.DIVU:
                return b == 0 ? -1 : Long.divideUnsigned(a, b);
            case Op.REM:
                return b == 0 ? a : (a == Long.MIN_VALUE && b == -1) ? 0 : a % b;
            case Op.REMU:
                return b == 0 ? a : Long.remainderUnsigned(a, b);
            case Op.DIVW: {
                int x = (int) a, y = (int) b;
                return y == 0 ? -1 : (x == Integer.MIN_VALUE && y == -1) ? x : x / y;
            }
            case Op.DIVUW: {
                int x = (int) a, y = (int) b;
                return y == 0 ? -1 : Integer.divideUnsigned(x, y);
            }
            case Op.REMW: {
                int x = (int) a, y = (int) b;
                return y == 0 ? x : (x == Integer.MIN_VALUE && y == -1) ? 0 : x % y;
            }
            default: { // REMUW
                int x = (int) a, y = (int) b;
                return y == 0 ? x : Integer.remainderUnsigned(x, y);
            }
        }
    }

    /** Zba, Zbb and Zbs: {@code b} is rs2's value, {@code imm} the shift amount or bit index of the I forms. */
    static long bitmanip(int op, long a, long b, long imm) {
        return switch (op) {
            case Op.SH1ADD -> (a << 1) + b;
            case Op.SH2ADD -> (a << 2) + b;
            case Op.SH3ADD -> (a << 3) + b;
            case Op.ADD_UW -> (a & 0xffff_ffffL) + b;
            case Op.SH1ADD_UW -> ((a & 0xffff_ffffL) << 1) + b;
            case Op.SH2ADD_UW -> ((a & 0xffff_ffffL) << 2) + b;
            case Op.SH3ADD_UW -> ((a & 0xffff_ffffL) << 3) + b;
            case Op.SLLI_UW -> (a & 0xffff_ffffL) << imm;
            case Op.ANDN -> a & ~b;
            case Op.ORN -> a | ~b;
            case Op.XNOR -> ~(a ^ b);
            case Op.CLZ -> Long.numberOfLeadingZeros(a);
            case Op.CLZW -> Integer.numberOfLeadingZeros((int) a);
            case Op.CTZ -> Long.numberOfTrailingZeros(a);
            case Op.CTZW -> Integer.numberOfTrailingZeros((int) a);
            case Op.CPOP -> Long.bitCount(a);
            case Op.CPOPW -> Integer.bitCount((int) a);
            case Op.MAX -> Math.max(a, b);
            case Op.MAXU -> Long.compareUnsigned(a, b) >= 0 ? a : b;
            case Op.MIN -> Math.min(a, b);
            case Op.MINU -> Long.compareUnsigned(a, b) <= 0 ? a : b;
            case Op.SEXT_B -> (byte) a;
            case Op.SEXT_H -> (short) a;
            case Op.ZEXT_H -> a & 0xffff;
            case Op.ROL -> Long.rotateLeft(a, (int) b);
            case Op.ROLW -> Integer.rotateLeft((int) a, (int) b);
            case Op.ROR -> Long.rotateRight(a, (int) b);
            case Op.RORW -> Integer.rotateRight((int) a, (int) b);
            case Op.RORI -> Long.rotateRight(a, (int) imm);
            case Op.RORIW -> Integer.rotateRight((int) a, (int) imm);
            case Op.ORC_B -> orcb(a);
            case Op.REV8 -> Long.reverseBytes(a);
            case Op.BCLR -> a & ~(1L << b);
            case Op.BCLRI -> a & ~(1L << imm);
            case Op.BEXT -> (a >>> b) & 1;
            case Op.BEXTI -> (a >>> imm) & 1;
            case Op.BINV -> a ^ (1L << b);
            case Op.BINVI -> a ^ (1L << imm);
            case Op.BSET -> a | (1L << b);
            case Op.BSETI -> a | (1L << imm);
            default -> throw new IllegalStateException("not a bit-manipulation op: " + Op.name(op));
        };
    }

    private static long orcb(long a) {
        long r = 0;
        for (int i = 0; i < 64; i += 8) {
            if (((a >>> i) & 0xff) != 0) {
                r |= 0xffL << i;
            }
        }
        return r;
    }
}
