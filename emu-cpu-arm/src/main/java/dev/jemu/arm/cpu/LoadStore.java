package dev.jemu.arm.cpu;

import static dev.jemu.arm.cpu.LoadStoreOps.*;

/**
 * Loads and stores of general registers: every addressing mode, literal, pairs, exclusives, load-acquire/store-release,
 * unprivileged, prefetch. Integer work. The ARMv8.1 atomics (CAS, LDADD, SWP, ...) and later additions (LDAPR,
 * STLUR, LDRA, STGP) are not advertised and stay UNDEFINED.
 *
 * <p>SP alignment checking (SCTLR_ELx.SA/SA0) is not done: a base of SP would be checked here, in the address
 * computation of each op, if a guest ever relies on the SP alignment fault.
 */
final class LoadStore {
    /** PRFM/PRFUM: prefetch is a hint that never faults. */
    static final ArmOp PREFETCH = c -> {
    };

    private LoadStore() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        if ((insn & 0x3f000000) == 0x08000000) {
            return exclusiveOrOrdered(insn);
        }
        if ((insn & 0x3f000000) == 0x18000000) {
            return literal(insn);
        }
        if ((insn & 0x38000000) == 0x28000000) {
            return pair(insn);
        }
        if ((insn & 0x38000000) == 0x38000000) {
            return single(insn);
        }
        return null;
    }

    /** The access kind of a single-register load/store for size:opc, -1 for PRFM, -2 when unallocated. */
    private static int kind(int size, int opc) {
        return switch (opc) {
            case 0 -> STRB + size;
            case 1 -> LDRB + size;
            case 2 -> size == 3 ? -1 : LDRSBX + size;
            default -> size >= 2 ? -2 : LDRSBW + size;
        };
    }

    private static ArmOp single(int insn) {
        int size = insn >>> 30, opc = (insn >>> 22) & 3;
        int kind = kind(size, opc);
        if (kind == -2) {
            return null;
        }
        boolean load = kind >= LDRB;
        int t = load ? Regs.wz(insn & 31) : Regs.rz(insn & 31);
        int n = Regs.rsp((insn >>> 5) & 31);
        if ((insn & (1 << 24)) != 0) { // unsigned offset, scaled
            long imm = (long) ((insn >>> 10) & 0xfff) << size;
            return kind == -1 ? PREFETCH : LoadStoreOps.single(OFFSET, kind, t, n, imm, 0, 0);
        }
        if ((insn & (1 << 21)) != 0) { // register offset
            int option = (insn >>> 13) & 7;
            if ((insn & 0xc00) != 0x800 || (option & 2) == 0) {
                return null; // atomics (ARMv8.1), LDRA (ARMv8.3), or a reserved extend
            }
            if (kind == -1) {
                return PREFETCH;
            }
            int mode = (option & 1) != 0 ? REG_LSL : option == 2 ? REG_UXTW : REG_SXTW;
            int s = (insn & (1 << 12)) != 0 ? size : 0;
            return LoadStoreOps.single(mode, kind, t, n, 0, Regs.rz((insn >>> 16) & 31), s);
        }
        long imm = insn << 11 >> 23; // imm9
        int op4 = (insn >>> 10) & 3;
        if (kind == -1) {
            return op4 == 0 ? PREFETCH : null; // PRFUM; no prefetch with writeback or unprivileged
        }
        return switch (op4) {
            case 0 -> LoadStoreOps.single(OFFSET, kind, t, n, imm, 0, 0);
            case 1 -> LoadStoreOps.single(POST, kind, t, n, imm, 0, 0);
            case 3 -> LoadStoreOps.single(PRE, kind, t, n, imm, 0, 0);
            default -> unprivileged(kind, size, t, n, imm);
        };
    }

    /** LDTR*, STTR*: the access as EL0 makes it. */
    private static ArmOp unprivileged(int kind, int size, int t, int n, long imm) {
        int bytes = 1 << size;
        if (kind < LDRB) {
            return c -> c.mmu.writeUnprivileged(c.x[n] + imm, bytes, c.x[t]);
        }
        if (kind < LDRSBX) {
            return c -> c.x[t] = c.mmu.readUnprivileged(c.x[n] + imm, bytes);
        }
        int sh = 64 - 8 * bytes;
        long mask = kind >= LDRSBW ? Alu.W : -1L;
        return c -> c.x[t] = ((c.mmu.readUnprivileged(c.x[n] + imm, bytes) << sh) >> sh) & mask;
    }

    /** LDR (literal) W/X, LDRSW (literal), PRFM (literal). */
    private static ArmOp literal(int insn) {
        long off = (long) (insn << 8 >> 13) << 2;
        int t = Regs.wz(insn & 31);
        return switch (insn >>> 30) {
            case 0 -> c -> c.x[t] = c.read32(c.pc + off);
            case 1 -> c -> c.x[t] = c.read64(c.pc + off);
            case 2 -> c -> c.x[t] = (int) c.read32(c.pc + off);
            default -> PREFETCH;
        };
    }

    /** LDP, STP, LDPSW (offset, pre- and post-index) and LDNP, STNP. */
    private static ArmOp pair(int insn) {
        int opc = insn >>> 30, mode = (insn >>> 23) & 3;
        boolean load = (insn & (1 << 22)) != 0;
        if (opc == 3 || (opc == 1 && (!load || mode == 0))) {
            return null; // STGP (ARMv8.5) and the reserved LDNPSW
        }
        int kind = opc == 1 ? LDPSW : (load ? LDPW : STPW) + (opc >>> 1);
        int scale = opc == 2 ? 3 : 2;
        long imm = (long) (insn << 10 >> 25) << scale;
        int rt = insn & 31, rt2 = (insn >>> 10) & 31;
        int t = load ? Regs.wz(rt) : Regs.rz(rt), t2 = load ? Regs.wz(rt2) : Regs.rz(rt2);
        int n = Regs.rsp((insn >>> 5) & 31);
        int m = switch (mode) {
            case 1 -> POST;
            case 3 -> PRE;
            default -> OFFSET; // 00: the non-temporal hint changes nothing here
        };
        return LoadStoreOps.pair(m, kind, t, t2, n, imm);
    }

    /**
     * Exclusives (LDXR, LDAXR, STXR, STLXR and the B/H/P forms) and LDAR, STLR (B/H). The ordering these add is
     * implied by running one instruction at a time; what they check is alignment (always, whatever SCTLR.A says).
     */
    private static ArmOp exclusiveOrOrdered(int insn) {
        int size = insn >>> 30;
        boolean o2 = (insn & (1 << 23)) != 0, load = (insn & (1 << 22)) != 0, o1 = (insn & (1 << 21)) != 0;
        boolean o0 = (insn & (1 << 15)) != 0;
        int rt = insn & 31, n = Regs.rsp((insn >>> 5) & 31);
        int t = load ? Regs.wz(rt) : Regs.rz(rt);
        if (o2) {
            if (o1 || !o0) {
                return null; // CAS (ARMv8.1), LDLAR/STLLR (ARMv8.1 LOR)
            }
            return ordered(size, load, t, n);
        }
        if (o1) {
            if (size < 2) {
                return null; // CASP (ARMv8.1)
            }
            int rt2 = (insn >>> 10) & 31;
            int t2 = load ? Regs.wz(rt2) : Regs.rz(rt2);
            return load ? Exclusive.loadPair(size == 3, t, t2, n)
                    : Exclusive.storePair(size == 3, Regs.wz((insn >>> 16) & 31), t, t2, n);
        }
        return load ? Exclusive.load(1 << size, t, n) : Exclusive.store(1 << size, Regs.wz((insn >>> 16) & 31), t, n);
    }

    /** LDAR, STLR and their B/H forms. */
    private static ArmOp ordered(int size, boolean load, int t, int n) {
        int bytes = 1 << size;
        long misalign = bytes - 1;
        if (load) {
            return c -> {
                long a = c.x[n];
                if ((a & misalign) != 0) {
                    throw c.mmu.alignmentFault(a, false);
                }
                c.x[t] = c.mmu.read(a, bytes);
            };
        }
        return c -> {
            long a = c.x[n];
            if ((a & misalign) != 0) {
                throw c.mmu.alignmentFault(a, true);
            }
            c.mmu.write(a, bytes, c.x[t]);
        };
    }
}
