package dev.jemu.riscv.cpu;

import java.util.ArrayList;
import java.util.List;

/** A tiny assembler for tests: encoders for the base formats and the instructions the tests use. */
final class Asm {
    // ABI register numbers
    static final int ZERO = 0, RA = 1, SP = 2, GP = 3, TP = 4, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9;
    static final int A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A5 = 15, A6 = 16, A7 = 17;
    static final int S2 = 18, S3 = 19, T3 = 28, T4 = 29, T5 = 30, T6 = 31;

    private final List<Integer> words = new ArrayList<>();
    private final List<Integer> sizes = new ArrayList<>();
    final long origin;

    Asm(long origin) {
        this.origin = origin;
    }

    /** Address of the next instruction. */
    long here() {
        long a = origin;
        for (int s : sizes) {
            a += s;
        }
        return a;
    }

    Asm emit(int w) {
        words.add(w);
        sizes.add(4);
        return this;
    }

    Asm emit16(int h) {
        words.add(h & 0xffff);
        sizes.add(2);
        return this;
    }

    byte[] bytes() {
        int n = sizes.stream().mapToInt(Integer::intValue).sum();
        byte[] b = new byte[n];
        int o = 0;
        for (int i = 0; i < words.size(); i++) {
            int w = words.get(i);
            for (int k = 0; k < sizes.get(i); k++) {
                b[o++] = (byte) (w >>> (8 * k));
            }
        }
        return b;
    }

    // ---- formats
    static int r(int f7, int rs2, int rs1, int f3, int rd, int opc) {
        return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
    }

    static int i(int imm, int rs1, int f3, int rd, int opc) {
        return (imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
    }

    static int s(int imm, int rs2, int rs1, int f3, int opc) {
        return ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 31) << 7 | opc;
    }

    static int b(int off, int rs2, int rs1, int f3) {
        return ((off >> 12) & 1) << 31 | ((off >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12
                | ((off >> 1) & 0xf) << 8 | ((off >> 11) & 1) << 7 | 0x63;
    }

    static int u(int imm20, int rd, int opc) {
        return imm20 << 12 | rd << 7 | opc;
    }

    static int j(int off, int rd) {
        return ((off >> 20) & 1) << 31 | ((off >> 1) & 0x3ff) << 21 | ((off >> 11) & 1) << 20
                | ((off >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
    }

    // ---- instructions
    Asm lui(int rd, int imm20) { return emit(u(imm20 & 0xfffff, rd, 0x37)); }
    Asm auipc(int rd, int imm20) { return emit(u(imm20 & 0xfffff, rd, 0x17)); }
    Asm addi(int rd, int rs1, int imm) { return emit(i(imm, rs1, 0, rd, 0x13)); }
    Asm addiw(int rd, int rs1, int imm) { return emit(i(imm, rs1, 0, rd, 0x1b)); }
    Asm slli(int rd, int rs1, int sh) { return emit(i(sh, rs1, 1, rd, 0x13)); }
    Asm srli(int rd, int rs1, int sh) { return emit(i(sh, rs1, 5, rd, 0x13)); }
    Asm srai(int rd, int rs1, int sh) { return emit(i(0x400 | sh, rs1, 5, rd, 0x13)); }
    Asm ori(int rd, int rs1, int imm) { return emit(i(imm, rs1, 6, rd, 0x13)); }
    Asm andi(int rd, int rs1, int imm) { return emit(i(imm, rs1, 7, rd, 0x13)); }
    Asm op(int f7, int f3, int rd, int rs1, int rs2) { return emit(r(f7, rs2, rs1, f3, rd, 0x33)); }
    Asm op32(int f7, int f3, int rd, int rs1, int rs2) { return emit(r(f7, rs2, rs1, f3, rd, 0x3b)); }
    Asm add(int rd, int rs1, int rs2) { return op(0, 0, rd, rs1, rs2); }
    Asm sub(int rd, int rs1, int rs2) { return op(0x20, 0, rd, rs1, rs2); }
    Asm load(int f3, int rd, int rs1, int off) { return emit(i(off, rs1, f3, rd, 0x03)); }
    Asm lb(int rd, int rs1, int off) { return load(0, rd, rs1, off); }
    Asm lw(int rd, int rs1, int off) { return load(2, rd, rs1, off); }
    Asm ld(int rd, int rs1, int off) { return load(3, rd, rs1, off); }
    Asm lbu(int rd, int rs1, int off) { return load(4, rd, rs1, off); }
    Asm store(int f3, int rs2, int rs1, int off) { return emit(s(off, rs2, rs1, f3, 0x23)); }
    Asm sb(int rs2, int rs1, int off) { return store(0, rs2, rs1, off); }
    Asm sw(int rs2, int rs1, int off) { return store(2, rs2, rs1, off); }
    Asm sd(int rs2, int rs1, int off) { return store(3, rs2, rs1, off); }
    Asm beq(int rs1, int rs2, int off) { return emit(b(off, rs2, rs1, 0)); }
    Asm bne(int rs1, int rs2, int off) { return emit(b(off, rs2, rs1, 1)); }
    Asm blt(int rs1, int rs2, int off) { return emit(b(off, rs2, rs1, 4)); }
    Asm jal(int rd, int off) { return emit(j(off, rd)); }
    Asm jalr(int rd, int rs1, int off) { return emit(i(off, rs1, 0, rd, 0x67)); }
    /** An endless self-loop: tests run until the hart sits here. */
    Asm halt() { return jal(ZERO, 0); }
    Asm ecall() { return emit(0x00000073); }
    Asm ebreak() { return emit(0x00100073); }
    Asm mret() { return emit(0x30200073); }
    Asm sret() { return emit(0x10200073); }
    Asm wfi() { return emit(0x10500073); }
    Asm sfenceVma() { return emit(0x12000073); }
    Asm fenceI() { return emit(0x0000100f); }
    Asm csrrw(int rd, int csr, int rs1) { return emit(i(csr, rs1, 1, rd, 0x73)); }
    Asm csrrs(int rd, int csr, int rs1) { return emit(i(csr, rs1, 2, rd, 0x73)); }
    Asm csrrc(int rd, int csr, int rs1) { return emit(i(csr, rs1, 3, rd, 0x73)); }
    Asm csrrwi(int rd, int csr, int uimm) { return emit(i(csr, uimm, 5, rd, 0x73)); }
    Asm csrrsi(int rd, int csr, int uimm) { return emit(i(csr, uimm, 6, rd, 0x73)); }
    Asm csrr(int rd, int csr) { return csrrs(rd, csr, ZERO); }
    Asm csrw(int csr, int rs1) { return csrrw(ZERO, csr, rs1); }
    /** AMO: funct5, width f3 (2 = W, 3 = D). */
    Asm amo(int f5, int f3, int rd, int rs1, int rs2) { return emit(r(f5 << 2, rs2, rs1, f3, rd, 0x2f)); }

    /** Loads a 64-bit constant with lui/addi/slli steps (up to 8 instructions). */
    Asm li(int rd, long v) {
        if (v == (int) v) {
            int lo = (int) v << 20 >> 20;
            int hi = (int) ((v - lo) >>> 12) & 0xfffff;
            if (hi != 0) {
                lui(rd, hi);
                if (lo != 0) {
                    addiw(rd, rd, lo);
                }
            } else {
                addi(rd, ZERO, lo);
            }
            return this;
        }
        int lo = (int) (v << 52 >> 52);
        long rest = (v - lo) >> 12;
        int shift = 12 + Long.numberOfTrailingZeros(rest);
        li(rd, (v - lo) >> shift);
        slli(rd, rd, shift);
        if (lo != 0) {
            addi(rd, rd, lo);
        }
        return this;
    }

    /** Drops from M-mode to {@code mode} at {@code target} through mret (clobbers t0). */
    Asm enter(int mode, long target) {
        li(T0, target);
        csrw(Csr.MEPC, T0);
        li(T0, 3L << 11);
        csrrc(ZERO, Csr.MSTATUS, T0);
        li(T0, (long) mode << 11);
        csrrs(ZERO, Csr.MSTATUS, T0);
        return mret();
    }
}
