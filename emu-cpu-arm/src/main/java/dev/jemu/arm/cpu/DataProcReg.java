package dev.jemu.arm.cpu;

/**
 * Data processing (register): logical and add/subtract (shifted register), add/subtract (extended register),
 * add/subtract with carry, conditional compare, conditional select, 1-source, 2-source and 3-source. Integer work.
 * Every form is specialised at decode (width, shift type, flag setting), so an op is just its arithmetic; W forms
 * write their result zero-extended.
 */
final class DataProcReg {
    private DataProcReg() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        boolean sf = insn < 0;
        int d = insn & 31, n = (insn >>> 5) & 31, m = (insn >>> 16) & 31;
        if ((insn & (1 << 28)) == 0) {
            if ((insn & (1 << 24)) == 0) { // logical (shifted register)
                int a = (insn >>> 10) & 63;
                if (!sf && a >= 32) {
                    return null;
                }
                int opc = (insn >>> 29) & 3;
                return logical(sf, opc, (insn & (1 << 21)) != 0, (insn >>> 22) & 3, a,
                        Regs.wz(d), Regs.rz(n), Regs.rz(m));
            }
            boolean sub = (insn & (1 << 30)) != 0, flags = (insn & (1 << 29)) != 0;
            if ((insn & (1 << 21)) == 0) { // add/subtract (shifted register)
                int type = (insn >>> 22) & 3, a = (insn >>> 10) & 63;
                if (type == 3 || (!sf && a >= 32)) {
                    return null;
                }
                return addSubShifted(sf, sub, flags, type, a, Regs.wz(d), Regs.rz(n), Regs.rz(m));
            }
            // add/subtract (extended register)
            int a = (insn >>> 10) & 7;
            if (((insn >>> 22) & 3) != 0 || a > 4) {
                return null;
            }
            return addSubExtended(sf, sub, flags, (insn >>> 13) & 7, a,
                    flags ? Regs.wz(d) : Regs.rsp(d), Regs.rsp(n), Regs.rz(m));
        }
        if ((insn & (1 << 24)) != 0) {
            return threeSource(insn, sf, Regs.wz(d), Regs.rz(n), Regs.rz(m), Regs.rz((insn >>> 10) & 31));
        }
        return switch ((insn >>> 21) & 15) {
            case 0 -> ((insn >>> 10) & 63) != 0 ? null : withCarry(insn, sf, Regs.wz(d), Regs.rz(n), Regs.rz(m));
            case 2 -> conditionalCompare(insn, sf, Regs.rz(n));
            case 4 -> conditionalSelect(insn, sf, Regs.wz(d), Regs.rz(n), Regs.rz(m));
            case 6 -> (insn & (1 << 29)) != 0 ? null
                    : (insn & (1 << 30)) != 0 ? oneSource(insn, sf, Regs.wz(d), Regs.rz(n))
                    : twoSource(insn, sf, Regs.wz(d), Regs.rz(n), Regs.rz(m));
            default -> null;
        };
    }

    /** ADC, ADCS, SBC, SBCS (NGC/NGCS are aliases). */
    private static ArmOp withCarry(int insn, boolean sf, int d, int n, int m) {
        boolean sub = (insn & (1 << 30)) != 0, flags = (insn & (1 << 29)) != 0;
        int key = (sf ? 4 : 0) | (sub ? 2 : 0) | (flags ? 1 : 0);
        return switch (key) {
            case 0 -> c -> c.x[d] = (c.x[n] + c.x[m] + c.cf) & Alu.W;
            case 1 -> c -> c.x[d] = Alu.adds32(c, c.x[n], c.x[m], c.cf);
            case 2 -> c -> c.x[d] = (c.x[n] + ~c.x[m] + c.cf) & Alu.W;
            case 3 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~c.x[m], c.cf);
            case 4 -> c -> c.x[d] = c.x[n] + c.x[m] + c.cf;
            case 5 -> c -> c.x[d] = Alu.adds64(c, c.x[n], c.x[m], c.cf);
            case 6 -> c -> c.x[d] = c.x[n] + ~c.x[m] + c.cf;
            default -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~c.x[m], c.cf);
        };
    }

    /** CCMN, CCMP (register and immediate): the comparison's flags when cond holds, else the immediate NZCV. */
    private static ArmOp conditionalCompare(int insn, boolean sf, int n) {
        if ((insn & (1 << 29)) == 0 || (insn & (1 << 10)) != 0 || (insn & (1 << 4)) != 0) {
            return null;
        }
        boolean sub = (insn & (1 << 30)) != 0, imm = (insn & (1 << 11)) != 0;
        int cond = (insn >>> 12) & 15, nzcv = insn & 15;
        int nf = nzcv >>> 3, zf = (nzcv >>> 2) & 1, cf = (nzcv >>> 1) & 1, vf = nzcv & 1;
        int field = (insn >>> 16) & 31;
        int m = Regs.rz(field);
        long immOperand = sub ? ~(long) field : field, carry = sub ? 1 : 0;
        if (imm) {
            return sf ? c -> {
                if (c.cond(cond)) {
                    Alu.adds64(c, c.x[n], immOperand, carry);
                } else {
                    c.nf = nf; c.zf = zf; c.cf = cf; c.vf = vf;
                }
            } : c -> {
                if (c.cond(cond)) {
                    Alu.adds32(c, c.x[n], immOperand, carry);
                } else {
                    c.nf = nf; c.zf = zf; c.cf = cf; c.vf = vf;
                }
            };
        }
        if (sub) {
            return sf ? c -> {
                if (c.cond(cond)) {
                    Alu.adds64(c, c.x[n], ~c.x[m], 1);
                } else {
                    c.nf = nf; c.zf = zf; c.cf = cf; c.vf = vf;
                }
            } : c -> {
                if (c.cond(cond)) {
                    Alu.adds32(c, c.x[n], ~c.x[m], 1);
                } else {
                    c.nf = nf; c.zf = zf; c.cf = cf; c.vf = vf;
                }
            };
        }
        return sf ? c -> {
            if (c.cond(cond)) {
                Alu.adds64(c, c.x[n], c.x[m], 0);
            } else {
                c.nf = nf; c.zf = zf; c.cf = cf; c.vf = vf;
            }
        } : c -> {
            if (c.cond(cond)) {
                Alu.adds32(c, c.x[n], c.x[m], 0);
            } else {
                c.nf = nf; c.zf = zf; c.cf = cf; c.vf = vf;
            }
        };
    }

    /** CSEL, CSINC, CSINV, CSNEG (CSET, CSETM, CINC, CINV, CNEG are aliases). */
    private static ArmOp conditionalSelect(int insn, boolean sf, int d, int n, int m) {
        int op2 = (insn >>> 10) & 3;
        if ((insn & (1 << 29)) != 0 || op2 > 1) {
            return null;
        }
        int cond = (insn >>> 12) & 15;
        long mask = sf ? -1L : Alu.W;
        return switch (((insn >>> 29) & 2) | op2) {
            case 0 -> c -> c.x[d] = (c.cond(cond) ? c.x[n] : c.x[m]) & mask;
            case 1 -> c -> c.x[d] = (c.cond(cond) ? c.x[n] : c.x[m] + 1) & mask;
            case 2 -> c -> c.x[d] = (c.cond(cond) ? c.x[n] : ~c.x[m]) & mask;
            default -> c -> c.x[d] = (c.cond(cond) ? c.x[n] : -c.x[m]) & mask;
        };
    }

    /** RBIT, REV16, REV32, REV, CLZ, CLS. */
    private static ArmOp oneSource(int insn, boolean sf, int d, int n) {
        if (((insn >>> 16) & 31) != 0) {
            return null;
        }
        int opcode = (insn >>> 10) & 63;
        if (sf) {
            return switch (opcode) {
                case 0 -> c -> c.x[d] = Long.reverse(c.x[n]);
                case 1 -> c -> c.x[d] = ((c.x[n] & 0x00ff00ff00ff00ffL) << 8) | ((c.x[n] >>> 8) & 0x00ff00ff00ff00ffL);
                case 2 -> c -> c.x[d] = Long.rotateLeft(Long.reverseBytes(c.x[n]), 32);
                case 3 -> c -> c.x[d] = Long.reverseBytes(c.x[n]);
                case 4 -> c -> c.x[d] = Long.numberOfLeadingZeros(c.x[n]);
                case 5 -> c -> c.x[d] = Long.numberOfLeadingZeros(c.x[n] ^ (c.x[n] >> 1)) - 1;
                default -> null;
            };
        }
        return switch (opcode) {
            case 0 -> c -> c.x[d] = Integer.reverse((int) c.x[n]) & Alu.W;
            case 1 -> c -> c.x[d] = ((c.x[n] & 0x00ff00ffL) << 8) | ((c.x[n] >>> 8) & 0x00ff00ffL);
            case 2 -> c -> c.x[d] = Integer.reverseBytes((int) c.x[n]) & Alu.W;
            case 4 -> c -> c.x[d] = Integer.numberOfLeadingZeros((int) c.x[n]);
            case 5 -> c -> {
                int v = (int) c.x[n];
                c.x[d] = Integer.numberOfLeadingZeros(v ^ (v >> 1)) - 1;
            };
            default -> null;
        };
    }

    /** UDIV, SDIV (x / 0 = 0, MIN / -1 = MIN), LSLV, LSRV, ASRV, RORV, CRC32{B,H,W,X}, CRC32C{B,H,W,X}. */
    private static ArmOp twoSource(int insn, boolean sf, int d, int n, int m) {
        int opcode = (insn >>> 10) & 63;
        if ((opcode & 0x38) == 0x10) { // CRC32: 010 C sz
            int sz = opcode & 3;
            if (sf != (sz == 3)) {
                return null;
            }
            int[] table = (opcode & 4) != 0 ? Crc32.CASTAGNOLI : Crc32.IEEE;
            int bytes = 1 << sz;
            return c -> c.x[d] = Crc32.update(table, c.x[n], c.x[m], bytes);
        }
        if (sf) {
            return switch (opcode) {
                case 2 -> c -> {
                    long b = c.x[m];
                    c.x[d] = b == 0 ? 0 : Long.divideUnsigned(c.x[n], b);
                };
                case 3 -> c -> {
                    long b = c.x[m];
                    c.x[d] = b == 0 ? 0 : c.x[n] / b; // Java's MIN / -1 is MIN, as the architecture wants
                };
                case 8 -> c -> c.x[d] = c.x[n] << c.x[m];
                case 9 -> c -> c.x[d] = c.x[n] >>> c.x[m];
                case 10 -> c -> c.x[d] = c.x[n] >> c.x[m];
                case 11 -> c -> c.x[d] = Long.rotateRight(c.x[n], (int) c.x[m]);
                default -> null;
            };
        }
        return switch (opcode) {
            case 2 -> c -> {
                int b = (int) c.x[m];
                c.x[d] = b == 0 ? 0 : Integer.divideUnsigned((int) c.x[n], b) & Alu.W;
            };
            case 3 -> c -> {
                int b = (int) c.x[m];
                c.x[d] = b == 0 ? 0 : ((int) c.x[n] / b) & Alu.W;
            };
            case 8 -> c -> c.x[d] = ((int) c.x[n] << (int) c.x[m]) & Alu.W;
            case 9 -> c -> c.x[d] = ((int) c.x[n] >>> (int) c.x[m]) & Alu.W;
            case 10 -> c -> c.x[d] = ((int) c.x[n] >> (int) c.x[m]) & Alu.W;
            case 11 -> c -> c.x[d] = Integer.rotateRight((int) c.x[n], (int) c.x[m]) & Alu.W;
            default -> null;
        };
    }

    /** MADD, MSUB (MUL, MNEG), SMADDL, SMSUBL, UMADDL, UMSUBL (SMULL, UMULL, ...), SMULH, UMULH. */
    private static ArmOp threeSource(int insn, boolean sf, int d, int n, int m, int a) {
        if (((insn >>> 29) & 3) != 0) {
            return null;
        }
        int op = ((insn >>> 20) & 14) | ((insn >>> 15) & 1); // op31:o0
        if (!sf) {
            return switch (op) {
                case 0 -> c -> c.x[d] = ((int) c.x[a] + (int) c.x[n] * (int) c.x[m]) & Alu.W;
                case 1 -> c -> c.x[d] = ((int) c.x[a] - (int) c.x[n] * (int) c.x[m]) & Alu.W;
                default -> null;
            };
        }
        return switch (op) {
            case 0 -> c -> c.x[d] = c.x[a] + c.x[n] * c.x[m];
            case 1 -> c -> c.x[d] = c.x[a] - c.x[n] * c.x[m];
            case 2 -> c -> c.x[d] = c.x[a] + (long) (int) c.x[n] * (int) c.x[m];
            case 3 -> c -> c.x[d] = c.x[a] - (long) (int) c.x[n] * (int) c.x[m];
            case 4 -> c -> c.x[d] = Math.multiplyHigh(c.x[n], c.x[m]);
            case 10 -> c -> c.x[d] = c.x[a] + (c.x[n] & Alu.W) * (c.x[m] & Alu.W);
            case 11 -> c -> c.x[d] = c.x[a] - (c.x[n] & Alu.W) * (c.x[m] & Alu.W);
            case 12 -> c -> c.x[d] = Math.unsignedMultiplyHigh(c.x[n], c.x[m]);
            default -> null;
        };
    }

    // ---- one lambda per width, operation, flag setting and shift/extend type (a shift of 0 gets its own)
    private static ArmOp logical(boolean sf, int opc, boolean inv, int type, int a, int d, int n, int m) {
        int key = (sf ? 64 : 0) | opc << 4 | (inv ? 8 : 0) | (a == 0 ? 4 : type);
        return switch (key) {
            case 64 -> c -> c.x[d] = c.x[n] & (c.x[m] << a);
            case 65 -> c -> c.x[d] = c.x[n] & (c.x[m] >>> a);
            case 66 -> c -> c.x[d] = c.x[n] & (c.x[m] >> a);
            case 67 -> c -> c.x[d] = c.x[n] & Long.rotateRight(c.x[m], a);
            case 68 -> c -> c.x[d] = c.x[n] & c.x[m];
            case 72 -> c -> c.x[d] = c.x[n] & ~(c.x[m] << a);
            case 73 -> c -> c.x[d] = c.x[n] & ~(c.x[m] >>> a);
            case 74 -> c -> c.x[d] = c.x[n] & ~(c.x[m] >> a);
            case 75 -> c -> c.x[d] = c.x[n] & ~Long.rotateRight(c.x[m], a);
            case 76 -> c -> c.x[d] = c.x[n] & ~c.x[m];
            case 80 -> c -> c.x[d] = c.x[n] | (c.x[m] << a);
            case 81 -> c -> c.x[d] = c.x[n] | (c.x[m] >>> a);
            case 82 -> c -> c.x[d] = c.x[n] | (c.x[m] >> a);
            case 83 -> c -> c.x[d] = c.x[n] | Long.rotateRight(c.x[m], a);
            case 84 -> c -> c.x[d] = c.x[n] | c.x[m];
            case 88 -> c -> c.x[d] = c.x[n] | ~(c.x[m] << a);
            case 89 -> c -> c.x[d] = c.x[n] | ~(c.x[m] >>> a);
            case 90 -> c -> c.x[d] = c.x[n] | ~(c.x[m] >> a);
            case 91 -> c -> c.x[d] = c.x[n] | ~Long.rotateRight(c.x[m], a);
            case 92 -> c -> c.x[d] = c.x[n] | ~c.x[m];
            case 96 -> c -> c.x[d] = c.x[n] ^ (c.x[m] << a);
            case 97 -> c -> c.x[d] = c.x[n] ^ (c.x[m] >>> a);
            case 98 -> c -> c.x[d] = c.x[n] ^ (c.x[m] >> a);
            case 99 -> c -> c.x[d] = c.x[n] ^ Long.rotateRight(c.x[m], a);
            case 100 -> c -> c.x[d] = c.x[n] ^ c.x[m];
            case 104 -> c -> c.x[d] = c.x[n] ^ ~(c.x[m] << a);
            case 105 -> c -> c.x[d] = c.x[n] ^ ~(c.x[m] >>> a);
            case 106 -> c -> c.x[d] = c.x[n] ^ ~(c.x[m] >> a);
            case 107 -> c -> c.x[d] = c.x[n] ^ ~Long.rotateRight(c.x[m], a);
            case 108 -> c -> c.x[d] = c.x[n] ^ ~c.x[m];
            case 112 -> c -> c.x[d] = Alu.logic64(c, c.x[n] & (c.x[m] << a));
            case 113 -> c -> c.x[d] = Alu.logic64(c, c.x[n] & (c.x[m] >>> a));
            case 114 -> c -> c.x[d] = Alu.logic64(c, c.x[n] & (c.x[m] >> a));
            case 115 -> c -> c.x[d] = Alu.logic64(c, c.x[n] & Long.rotateRight(c.x[m], a));
            case 116 -> c -> c.x[d] = Alu.logic64(c, c.x[n] & c.x[m]);
            case 120 -> c -> c.x[d] = Alu.logic64(c, c.x[n] & ~(c.x[m] << a));
            case 121 -> c -> c.x[d] = Alu.logic64(c, c.x[n] & ~(c.x[m] >>> a));
            case 122 -> c -> c.x[d] = Alu.logic64(c, c.x[n] & ~(c.x[m] >> a));
            case 123 -> c -> c.x[d] = Alu.logic64(c, c.x[n] & ~Long.rotateRight(c.x[m], a));
            case 124 -> c -> c.x[d] = Alu.logic64(c, c.x[n] & ~c.x[m]);
            case 0 -> c -> c.x[d] = ((int) c.x[n] & ((int) c.x[m] << a)) & Alu.W;
            case 1 -> c -> c.x[d] = ((int) c.x[n] & ((int) c.x[m] >>> a)) & Alu.W;
            case 2 -> c -> c.x[d] = ((int) c.x[n] & ((int) c.x[m] >> a)) & Alu.W;
            case 3 -> c -> c.x[d] = ((int) c.x[n] & Integer.rotateRight((int) c.x[m], a)) & Alu.W;
            case 4 -> c -> c.x[d] = ((int) c.x[n] & (int) c.x[m]) & Alu.W;
            case 8 -> c -> c.x[d] = ((int) c.x[n] & ~((int) c.x[m] << a)) & Alu.W;
            case 9 -> c -> c.x[d] = ((int) c.x[n] & ~((int) c.x[m] >>> a)) & Alu.W;
            case 10 -> c -> c.x[d] = ((int) c.x[n] & ~((int) c.x[m] >> a)) & Alu.W;
            case 11 -> c -> c.x[d] = ((int) c.x[n] & ~Integer.rotateRight((int) c.x[m], a)) & Alu.W;
            case 12 -> c -> c.x[d] = ((int) c.x[n] & ~(int) c.x[m]) & Alu.W;
            case 16 -> c -> c.x[d] = ((int) c.x[n] | ((int) c.x[m] << a)) & Alu.W;
            case 17 -> c -> c.x[d] = ((int) c.x[n] | ((int) c.x[m] >>> a)) & Alu.W;
            case 18 -> c -> c.x[d] = ((int) c.x[n] | ((int) c.x[m] >> a)) & Alu.W;
            case 19 -> c -> c.x[d] = ((int) c.x[n] | Integer.rotateRight((int) c.x[m], a)) & Alu.W;
            case 20 -> c -> c.x[d] = ((int) c.x[n] | (int) c.x[m]) & Alu.W;
            case 24 -> c -> c.x[d] = ((int) c.x[n] | ~((int) c.x[m] << a)) & Alu.W;
            case 25 -> c -> c.x[d] = ((int) c.x[n] | ~((int) c.x[m] >>> a)) & Alu.W;
            case 26 -> c -> c.x[d] = ((int) c.x[n] | ~((int) c.x[m] >> a)) & Alu.W;
            case 27 -> c -> c.x[d] = ((int) c.x[n] | ~Integer.rotateRight((int) c.x[m], a)) & Alu.W;
            case 28 -> c -> c.x[d] = ((int) c.x[n] | ~(int) c.x[m]) & Alu.W;
            case 32 -> c -> c.x[d] = ((int) c.x[n] ^ ((int) c.x[m] << a)) & Alu.W;
            case 33 -> c -> c.x[d] = ((int) c.x[n] ^ ((int) c.x[m] >>> a)) & Alu.W;
            case 34 -> c -> c.x[d] = ((int) c.x[n] ^ ((int) c.x[m] >> a)) & Alu.W;
            case 35 -> c -> c.x[d] = ((int) c.x[n] ^ Integer.rotateRight((int) c.x[m], a)) & Alu.W;
            case 36 -> c -> c.x[d] = ((int) c.x[n] ^ (int) c.x[m]) & Alu.W;
            case 40 -> c -> c.x[d] = ((int) c.x[n] ^ ~((int) c.x[m] << a)) & Alu.W;
            case 41 -> c -> c.x[d] = ((int) c.x[n] ^ ~((int) c.x[m] >>> a)) & Alu.W;
            case 42 -> c -> c.x[d] = ((int) c.x[n] ^ ~((int) c.x[m] >> a)) & Alu.W;
            case 43 -> c -> c.x[d] = ((int) c.x[n] ^ ~Integer.rotateRight((int) c.x[m], a)) & Alu.W;
            case 44 -> c -> c.x[d] = ((int) c.x[n] ^ ~(int) c.x[m]) & Alu.W;
            case 48 -> c -> c.x[d] = Alu.logic32(c, (int) c.x[n] & ((int) c.x[m] << a));
            case 49 -> c -> c.x[d] = Alu.logic32(c, (int) c.x[n] & ((int) c.x[m] >>> a));
            case 50 -> c -> c.x[d] = Alu.logic32(c, (int) c.x[n] & ((int) c.x[m] >> a));
            case 51 -> c -> c.x[d] = Alu.logic32(c, (int) c.x[n] & Integer.rotateRight((int) c.x[m], a));
            case 52 -> c -> c.x[d] = Alu.logic32(c, (int) c.x[n] & (int) c.x[m]);
            case 56 -> c -> c.x[d] = Alu.logic32(c, (int) c.x[n] & ~((int) c.x[m] << a));
            case 57 -> c -> c.x[d] = Alu.logic32(c, (int) c.x[n] & ~((int) c.x[m] >>> a));
            case 58 -> c -> c.x[d] = Alu.logic32(c, (int) c.x[n] & ~((int) c.x[m] >> a));
            case 59 -> c -> c.x[d] = Alu.logic32(c, (int) c.x[n] & ~Integer.rotateRight((int) c.x[m], a));
            case 60 -> c -> c.x[d] = Alu.logic32(c, (int) c.x[n] & ~(int) c.x[m]);
            default -> throw new AssertionError(key);
        };
    }

    private static ArmOp addSubShifted(boolean sf, boolean sub, boolean flags, int type, int a, int d, int n, int m) {
        int key = (sf ? 32 : 0) | (sub ? 16 : 0) | (flags ? 8 : 0) | (a == 0 ? 3 : type);
        return switch (key) {
            case 32 -> c -> c.x[d] = c.x[n] + (c.x[m] << a);
            case 33 -> c -> c.x[d] = c.x[n] + (c.x[m] >>> a);
            case 34 -> c -> c.x[d] = c.x[n] + (c.x[m] >> a);
            case 35 -> c -> c.x[d] = c.x[n] + c.x[m];
            case 40 -> c -> c.x[d] = Alu.adds64(c, c.x[n], (c.x[m] << a), 0);
            case 41 -> c -> c.x[d] = Alu.adds64(c, c.x[n], (c.x[m] >>> a), 0);
            case 42 -> c -> c.x[d] = Alu.adds64(c, c.x[n], (c.x[m] >> a), 0);
            case 43 -> c -> c.x[d] = Alu.adds64(c, c.x[n], c.x[m], 0);
            case 48 -> c -> c.x[d] = c.x[n] - (c.x[m] << a);
            case 49 -> c -> c.x[d] = c.x[n] - (c.x[m] >>> a);
            case 50 -> c -> c.x[d] = c.x[n] - (c.x[m] >> a);
            case 51 -> c -> c.x[d] = c.x[n] - c.x[m];
            case 56 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~(c.x[m] << a), 1);
            case 57 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~(c.x[m] >>> a), 1);
            case 58 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~(c.x[m] >> a), 1);
            case 59 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~c.x[m], 1);
            case 0 -> c -> c.x[d] = ((int) c.x[n] + ((int) c.x[m] << a)) & Alu.W;
            case 1 -> c -> c.x[d] = ((int) c.x[n] + ((int) c.x[m] >>> a)) & Alu.W;
            case 2 -> c -> c.x[d] = ((int) c.x[n] + ((int) c.x[m] >> a)) & Alu.W;
            case 3 -> c -> c.x[d] = ((int) c.x[n] + (int) c.x[m]) & Alu.W;
            case 8 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ((int) c.x[m] << a), 0);
            case 9 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ((int) c.x[m] >>> a), 0);
            case 10 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ((int) c.x[m] >> a), 0);
            case 11 -> c -> c.x[d] = Alu.adds32(c, c.x[n], (int) c.x[m], 0);
            case 16 -> c -> c.x[d] = ((int) c.x[n] - ((int) c.x[m] << a)) & Alu.W;
            case 17 -> c -> c.x[d] = ((int) c.x[n] - ((int) c.x[m] >>> a)) & Alu.W;
            case 18 -> c -> c.x[d] = ((int) c.x[n] - ((int) c.x[m] >> a)) & Alu.W;
            case 19 -> c -> c.x[d] = ((int) c.x[n] - (int) c.x[m]) & Alu.W;
            case 24 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~((int) c.x[m] << a), 1);
            case 25 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~((int) c.x[m] >>> a), 1);
            case 26 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~((int) c.x[m] >> a), 1);
            case 27 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~(int) c.x[m], 1);
            default -> throw new AssertionError(key);
        };
    }

    private static ArmOp addSubExtended(boolean sf, boolean sub, boolean flags, int option, int a, int d, int n, int m) {
        int key = (sf ? 64 : 0) | (sub ? 32 : 0) | (flags ? 16 : 0) | option;
        return switch (key) {
            case 64 -> c -> c.x[d] = c.x[n] + ((c.x[m] & 0xffL) << a);
            case 65 -> c -> c.x[d] = c.x[n] + ((c.x[m] & 0xffffL) << a);
            case 66 -> c -> c.x[d] = c.x[n] + ((c.x[m] & Alu.W) << a);
            case 67 -> c -> c.x[d] = c.x[n] + (c.x[m] << a);
            case 68 -> c -> c.x[d] = c.x[n] + ((long) (byte) c.x[m] << a);
            case 69 -> c -> c.x[d] = c.x[n] + ((long) (short) c.x[m] << a);
            case 70 -> c -> c.x[d] = c.x[n] + ((long) (int) c.x[m] << a);
            case 71 -> c -> c.x[d] = c.x[n] + (c.x[m] << a);
            case 80 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ((c.x[m] & 0xffL) << a), 0);
            case 81 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ((c.x[m] & 0xffffL) << a), 0);
            case 82 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ((c.x[m] & Alu.W) << a), 0);
            case 83 -> c -> c.x[d] = Alu.adds64(c, c.x[n], (c.x[m] << a), 0);
            case 84 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ((long) (byte) c.x[m] << a), 0);
            case 85 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ((long) (short) c.x[m] << a), 0);
            case 86 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ((long) (int) c.x[m] << a), 0);
            case 87 -> c -> c.x[d] = Alu.adds64(c, c.x[n], (c.x[m] << a), 0);
            case 96 -> c -> c.x[d] = c.x[n] - ((c.x[m] & 0xffL) << a);
            case 97 -> c -> c.x[d] = c.x[n] - ((c.x[m] & 0xffffL) << a);
            case 98 -> c -> c.x[d] = c.x[n] - ((c.x[m] & Alu.W) << a);
            case 99 -> c -> c.x[d] = c.x[n] - (c.x[m] << a);
            case 100 -> c -> c.x[d] = c.x[n] - ((long) (byte) c.x[m] << a);
            case 101 -> c -> c.x[d] = c.x[n] - ((long) (short) c.x[m] << a);
            case 102 -> c -> c.x[d] = c.x[n] - ((long) (int) c.x[m] << a);
            case 103 -> c -> c.x[d] = c.x[n] - (c.x[m] << a);
            case 112 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~((c.x[m] & 0xffL) << a), 1);
            case 113 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~((c.x[m] & 0xffffL) << a), 1);
            case 114 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~((c.x[m] & Alu.W) << a), 1);
            case 115 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~(c.x[m] << a), 1);
            case 116 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~((long) (byte) c.x[m] << a), 1);
            case 117 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~((long) (short) c.x[m] << a), 1);
            case 118 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~((long) (int) c.x[m] << a), 1);
            case 119 -> c -> c.x[d] = Alu.adds64(c, c.x[n], ~(c.x[m] << a), 1);
            case 0 -> c -> c.x[d] = (c.x[n] + ((c.x[m] & 0xffL) << a)) & Alu.W;
            case 1 -> c -> c.x[d] = (c.x[n] + ((c.x[m] & 0xffffL) << a)) & Alu.W;
            case 2 -> c -> c.x[d] = (c.x[n] + ((c.x[m] & Alu.W) << a)) & Alu.W;
            case 3 -> c -> c.x[d] = (c.x[n] + (c.x[m] << a)) & Alu.W;
            case 4 -> c -> c.x[d] = (c.x[n] + ((long) (byte) c.x[m] << a)) & Alu.W;
            case 5 -> c -> c.x[d] = (c.x[n] + ((long) (short) c.x[m] << a)) & Alu.W;
            case 6 -> c -> c.x[d] = (c.x[n] + ((long) (int) c.x[m] << a)) & Alu.W;
            case 7 -> c -> c.x[d] = (c.x[n] + (c.x[m] << a)) & Alu.W;
            case 16 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ((c.x[m] & 0xffL) << a), 0);
            case 17 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ((c.x[m] & 0xffffL) << a), 0);
            case 18 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ((c.x[m] & Alu.W) << a), 0);
            case 19 -> c -> c.x[d] = Alu.adds32(c, c.x[n], (c.x[m] << a), 0);
            case 20 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ((long) (byte) c.x[m] << a), 0);
            case 21 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ((long) (short) c.x[m] << a), 0);
            case 22 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ((long) (int) c.x[m] << a), 0);
            case 23 -> c -> c.x[d] = Alu.adds32(c, c.x[n], (c.x[m] << a), 0);
            case 32 -> c -> c.x[d] = (c.x[n] - ((c.x[m] & 0xffL) << a)) & Alu.W;
            case 33 -> c -> c.x[d] = (c.x[n] - ((c.x[m] & 0xffffL) << a)) & Alu.W;
            case 34 -> c -> c.x[d] = (c.x[n] - ((c.x[m] & Alu.W) << a)) & Alu.W;
            case 35 -> c -> c.x[d] = (c.x[n] - (c.x[m] << a)) & Alu.W;
            case 36 -> c -> c.x[d] = (c.x[n] - ((long) (byte) c.x[m] << a)) & Alu.W;
            case 37 -> c -> c.x[d] = (c.x[n] - ((long) (short) c.x[m] << a)) & Alu.W;
            case 38 -> c -> c.x[d] = (c.x[n] - ((long) (int) c.x[m] << a)) & Alu.W;
            case 39 -> c -> c.x[d] = (c.x[n] - (c.x[m] << a)) & Alu.W;
            case 48 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~((c.x[m] & 0xffL) << a), 1);
            case 49 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~((c.x[m] & 0xffffL) << a), 1);
            case 50 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~((c.x[m] & Alu.W) << a), 1);
            case 51 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~(c.x[m] << a), 1);
            case 52 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~((long) (byte) c.x[m] << a), 1);
            case 53 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~((long) (short) c.x[m] << a), 1);
            case 54 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~((long) (int) c.x[m] << a), 1);
            case 55 -> c -> c.x[d] = Alu.adds32(c, c.x[n], ~(c.x[m] << a), 1);
            default -> throw new AssertionError(key);
        };
    }
}
