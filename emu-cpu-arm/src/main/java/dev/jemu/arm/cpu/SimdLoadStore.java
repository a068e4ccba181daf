package dev.jemu.arm.cpu;

/**
 * Loads and stores of FP/SIMD registers (bit 26 set in the load/store group): LDR/STR B/H/S/D/Q in every
 * addressing mode and literal, LDP/STP/LDNP/STNP S/D/Q, and the structure loads/stores
 * ({@link SimdStructures}: LD1-4/ST1-4 multiple and single, LD1R-4R). Data is little-endian.
 */
final class SimdLoadStore {
    private SimdLoadStore() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        int op = (insn >>> 27) & 7; // bits 29:27
        if ((insn >>> 31) == 0 && ((insn >>> 23) & 0x7c) == 0x18) { // 0 Q 00110xx: structures
            return SimdStructures.decode(insn);
        }
        switch (op) {
            case 0b011:
                return (insn & (3 << 24)) == 0 ? literal(insn) : null;
            case 0b101:
                return pair(insn);
            case 0b111:
                return single(insn);
            default:
                return null;
        }
    }

    /** log2 of the access size of LDR/STR (SIMD&FP) from size and opc<1>, or -1 when unallocated. */
    private static int scale(int insn) {
        int size = insn >>> 30;
        boolean q = (insn & (1 << 23)) != 0;
        if (q) {
            return size == 0 ? 4 : -1;
        }
        return size;
    }

    private static ArmOp literal(int insn) {
        int opc = insn >>> 30;
        if (opc == 3) return null;
        int rt = insn & 31;
        long off = (long) (insn << 8 >> 13) << 2;
        int log = opc + 2;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            load(c, rt, c.pc + off, log);
        };
    }

    private static ArmOp pair(int insn) {
        int opc = insn >>> 30;
        if (opc == 3) return null;
        int log = opc + 2;
        int mode = (insn >>> 23) & 3; // 00 no-allocate offset, 01 post, 10 offset, 11 pre
        boolean isLoad = (insn & (1 << 22)) != 0;
        long off = (long) (insn << 10 >> 25) << log;
        int rt = insn & 31, rt2 = (insn >>> 10) & 31, rn = Regs.rsp((insn >>> 5) & 31);
        int bytes = 1 << log;
        boolean post = mode == 1, wb = mode == 1 || mode == 3;
        if (isLoad) {
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                long base = c.x[rn];
                long addr = post ? base : base + off;
                // both loads complete before either register is written (rt == rt2 is CONSTRAINED UNPREDICTABLE)
                long a0 = low(c, addr, log), a1 = log == 4 ? c.read64(addr + 8) : 0;
                long b0 = low(c, addr + bytes, log), b1 = log == 4 ? c.read64(addr + bytes + 8) : 0;
                c.v[2 * rt] = a0;
                c.v[2 * rt + 1] = a1;
                c.v[2 * rt2] = b0;
                c.v[2 * rt2 + 1] = b1;
                if (wb) c.x[rn] = base + off;
            };
        }
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long base = c.x[rn];
            long addr = post ? base : base + off;
            store(c, rt, addr, log);
            store(c, rt2, addr + bytes, log);
            if (wb) c.x[rn] = base + off;
        };
    }

    private static ArmOp single(int insn) {
        int log = scale(insn);
        if (log < 0) return null;
        boolean isLoad = (insn & (1 << 22)) != 0;
        int rt = insn & 31, rn = Regs.rsp((insn >>> 5) & 31);
        if ((insn & (1 << 24)) != 0) { // unsigned offset
            long off = (long) ((insn >>> 10) & 0xfff) << log;
            return isLoad ? c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                load(c, rt, c.x[rn] + off, log);
            } : c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                store(c, rt, c.x[rn] + off, log);
            };
        }
        if ((insn & (1 << 21)) == 0) {
            long imm = insn << 11 >> 23;
            switch ((insn >>> 10) & 3) {
                case 0: // LDUR/STUR
                    return isLoad ? c -> {
                        if (c.fpDisabled) throw c.fpAccessTrap();
                        load(c, rt, c.x[rn] + imm, log);
                    } : c -> {
                        if (c.fpDisabled) throw c.fpAccessTrap();
                        store(c, rt, c.x[rn] + imm, log);
                    };
                case 1: // post-index
                    return isLoad ? c -> {
                        if (c.fpDisabled) throw c.fpAccessTrap();
                        long base = c.x[rn];
                        load(c, rt, base, log);
                        c.x[rn] = base + imm;
                    } : c -> {
                        if (c.fpDisabled) throw c.fpAccessTrap();
                        long base = c.x[rn];
                        store(c, rt, base, log);
                        c.x[rn] = base + imm;
                    };
                case 3: // pre-index
                    return isLoad ? c -> {
                        if (c.fpDisabled) throw c.fpAccessTrap();
                        long a = c.x[rn] + imm;
                        load(c, rt, a, log);
                        c.x[rn] = a;
                    } : c -> {
                        if (c.fpDisabled) throw c.fpAccessTrap();
                        long a = c.x[rn] + imm;
                        store(c, rt, a, log);
                        c.x[rn] = a;
                    };
                default:
                    return null; // unprivileged forms do not exist for SIMD&FP
            }
        }
        if (((insn >>> 10) & 3) != 2) return null;
        int option = (insn >>> 13) & 7;
        if ((option & 2) == 0) return null;
        int rm = Regs.rz((insn >>> 16) & 31);
        int shift = (insn & (1 << 12)) != 0 ? log : 0;
        boolean sxtw = option == 6, uxtw = option == 2;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long m = c.x[rm];
            if (uxtw) m &= 0xffffffffL;
            else if (sxtw) m = (int) m;
            long a = c.x[rn] + (m << shift);
            if (isLoad) load(c, rt, a, log);
            else store(c, rt, a, log);
        };
    }

    /** Loads 1 << log bytes into V{@code rt}, zeroing the rest of the register. */
    static void load(ArmCpu c, int rt, long addr, int log) {
        if (log == 4) {
            long lo = c.read64(addr), hi = c.read64(addr + 8);
            c.v[2 * rt] = lo;
            c.v[2 * rt + 1] = hi;
        } else {
            c.v[2 * rt] = c.mmu.read(addr, 1 << log);
            c.v[2 * rt + 1] = 0;
        }
    }

    /** The low 64 bits of a 1 << log byte access (all of it below 16 bytes). */
    private static long low(ArmCpu c, long addr, int log) {
        return log == 4 ? c.read64(addr) : c.mmu.read(addr, 1 << log);
    }

    static void store(ArmCpu c, int rt, long addr, int log) {
        if (log == 4) {
            c.write64(addr, c.v[2 * rt]);
            c.write64(addr + 8, c.v[2 * rt + 1]);
        } else {
            c.mmu.write(addr, 1 << log, c.v[2 * rt]);
        }
    }
}
