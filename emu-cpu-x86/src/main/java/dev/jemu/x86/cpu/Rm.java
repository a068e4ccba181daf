package dev.jemu.x86.cpu;

/**
 * Builds ops on a ModRM operand: one variant for a register and one for memory, so that the choice is made once
 * at decode time. A read-modify-write of memory computes the linear address once.
 */
final class Rm {
    private Rm() {
    }

    /** A source value. */
    interface Src {
        long get(X86Cpu c);
    }

    /** A two-operand computation (it sets the flags it defines). */
    interface Bin {
        long apply(X86Cpu c, long a, long b);
    }

    /** A one-operand computation. */
    interface Un {
        long apply(X86Cpu c, long a);
    }

    static Src reg(int n, int size) {
        return switch (size) {
            case 8 -> c -> Alu.get(c, n, 8);
            case 16 -> c -> c.r[n] & 0xffff;
            case 32 -> c -> c.r[n] & 0xffffffffL;
            default -> c -> c.r[n];
        };
    }

    static Src imm(long v, int size) {
        long t = Alu.trunc(v, size);
        return c -> t;
    }

    /** The r/m register number in the size's coding (byte registers: AH..BH without REX). */
    static int rmReg(Insn d, int size) {
        return size == 8 ? d.byteReg(d.rm()) : d.rm();
    }

    static int regReg(Insn d, int size) {
        return size == 8 ? d.byteReg(d.reg()) : d.reg();
    }

    /** r/m = f(r/m, src), or just f for its flags when {@code store} is false (CMP, TEST). */
    static X86Op binary(Insn d, int size, Src src, Bin f, boolean store) {
        if (!d.isMem()) {
            int n = rmReg(d, size);
            if (!store) {
                return c -> f.apply(c, Alu.get(c, n, size), src.get(c));
            }
            return c -> Alu.set(c, n, size, f.apply(c, Alu.get(c, n, size), src.get(c)));
        }
        Ea ea = d.ea();
        if (!store) {
            return c -> f.apply(c, c.read(ea.linear(c), size), src.get(c));
        }
        return c -> {
            long a = ea.linear(c);
            c.write(a, size, f.apply(c, c.read(a, size), src.get(c)));
        };
    }

    /** reg = f(reg, r/m) (the "r, r/m" direction), or only flags. */
    static X86Op binaryToReg(Insn d, int size, Bin f, boolean store) {
        int dst = regReg(d, size);
        Src src = source(d, size);
        if (!store) {
            return c -> f.apply(c, Alu.get(c, dst, size), src.get(c));
        }
        return c -> Alu.set(c, dst, size, f.apply(c, Alu.get(c, dst, size), src.get(c)));
    }

    /** r/m = f(r/m). */
    static X86Op unary(Insn d, int size, Un f) {
        if (!d.isMem()) {
            int n = rmReg(d, size);
            return c -> Alu.set(c, n, size, f.apply(c, Alu.get(c, n, size)));
        }
        Ea ea = d.ea();
        return c -> {
            long a = ea.linear(c);
            c.write(a, size, f.apply(c, c.read(a, size)));
        };
    }

    /** The r/m operand as a source (register or memory read). */
    static Src source(Insn d, int size) {
        if (!d.isMem()) {
            return reg(rmReg(d, size), size);
        }
        Ea ea = d.ea();
        return switch (size) {
            case 8 -> c -> c.read8(ea.linear(c));
            case 16 -> c -> c.read16(ea.linear(c));
            case 32 -> c -> c.read32(ea.linear(c));
            default -> c -> c.read64(ea.linear(c));
        };
    }

    /** An op that stores a value to the r/m operand. */
    interface Sink {
        void put(X86Cpu c, long v);
    }

    static Sink sink(Insn d, int size) {
        if (!d.isMem()) {
            int n = rmReg(d, size);
            return switch (size) {
                case 8 -> (c, v) -> c.setReg8(n, v);
                case 16 -> (c, v) -> c.r[n] = c.r[n] & ~0xffffL | v & 0xffff;
                case 32 -> (c, v) -> c.r[n] = v & 0xffffffffL;
                default -> (c, v) -> c.r[n] = v;
            };
        }
        Ea ea = d.ea();
        return (c, v) -> c.write(ea.linear(c), size, v);
    }

    /** LOCK is allowed only on the memory form. */
    static boolean lockOk(Insn d) {
        return !d.lock || d.isMem();
    }
}
