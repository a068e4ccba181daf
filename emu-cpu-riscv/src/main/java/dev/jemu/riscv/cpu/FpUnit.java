package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Op.*;

import dev.jemu.core.fpu.SoftFloat;

/**
 * The F and D extensions on top of {@link SoftFloat}: NaN boxing of binary32 values in the 64-bit registers,
 * rounding-mode selection (dynamic {@code frm}; reserved modes are illegal), sign injection and moves, and
 * mstatus.FS tracking (Off makes every F/D instruction illegal; writes make it Dirty).
 */
final class FpUnit {
    private static final long BOX = 0xffff_ffff_0000_0000L;
    private static final int S_SIGN = 0x8000_0000;
    private static final long D_SIGN = 0x8000_0000_0000_0000L;

    private final Hart h;

    FpUnit(Hart h) {
        this.h = h;
    }

    static long box(int v) {
        return BOX | (v & 0xffff_ffffL);
    }

    /** The binary32 value in a register: a value that is not properly NaN-boxed reads as the canonical NaN. */
    static int unbox(long v) {
        return (v & BOX) == BOX ? (int) v : SoftFloat.F32_CANONICAL_NAN;
    }

    private int rm(int rm, long pc) {
        int r = rm == 7 ? h.frm : rm;
        if (r > 4) {
            throw h.illegal(pc);
        }
        return r;
    }

    /** Executes F/D instruction {@code p}; {@code imm} is the rounding-mode field, or the offset for loads and stores. */
    void execute(int p, int imm, long pc) {
        h.pc = pc;
        if ((h.mstatus & Csr.MSTATUS_FS) == 0) {
            throw h.illegal(pc);
        }
        int op = p & Decoder.OP_MASK;
        int rd = Decoder.rd(p), rs1 = Decoder.rs1(p), rs2 = Decoder.rs2(p), rs3 = Decoder.rs3(p);
        long[] f = h.f, x = h.x;
        SoftFloat sf = h.sf;
        int flagsBefore = sf.flags;
        boolean writesF = true;
        switch (op) {
            case FLW -> f[rd] = box((int) h.load(x[rs1] + imm, 4, pc));
            case FLD -> f[rd] = h.load(x[rs1] + imm, 8, pc);
            case FSW -> {
                h.store(x[rs1] + imm, 4, f[rs2], pc);
                writesF = false;
            }
            case FSD -> {
                h.store(x[rs1] + imm, 8, f[rs2], pc);
                writesF = false;
            }
            default -> {
                if (op <= FMV_W_X) {
                    writesF = single(op, rd, rs1, rs2, rs3, imm, pc, f, x, sf);
                } else {
                    writesF = dbl(op, rd, rs1, rs2, rs3, imm, pc, f, x, sf);
                }
            }
        }
        if (writesF || sf.flags != flagsBefore) {
            h.setFsDirty();
        }
    }

    private boolean single(int op, int rd, int rs1, int rs2, int rs3, int rmField, long pc, long[] f, long[] x,
            SoftFloat sf) {
        int a = unbox(f[rs1]), b = unbox(f[rs2]);
        switch (op) {
            case FMADD_S -> f[rd] = box(sf.f32MulAdd(a, b, unbox(f[rs3]), rm(rmField, pc)));
            case FMSUB_S -> f[rd] = box(sf.f32MulAdd(a, b, unbox(f[rs3]) ^ S_SIGN, rm(rmField, pc)));
            case FNMSUB_S -> f[rd] = box(sf.f32MulAdd(a ^ S_SIGN, b, unbox(f[rs3]), rm(rmField, pc)));
            case FNMADD_S -> f[rd] = box(sf.f32MulAdd(a ^ S_SIGN, b, unbox(f[rs3]) ^ S_SIGN, rm(rmField, pc)));
            case FADD_S -> f[rd] = box(sf.f32Add(a, b, rm(rmField, pc)));
            case FSUB_S -> f[rd] = box(sf.f32Sub(a, b, rm(rmField, pc)));
            case FMUL_S -> f[rd] = box(sf.f32Mul(a, b, rm(rmField, pc)));
            case FDIV_S -> f[rd] = box(sf.f32Div(a, b, rm(rmField, pc)));
            case FSQRT_S -> f[rd] = box(sf.f32Sqrt(a, rm(rmField, pc)));
            case FSGNJ_S -> f[rd] = box((a & ~S_SIGN) | (b & S_SIGN));
            case FSGNJN_S -> f[rd] = box((a & ~S_SIGN) | (~b & S_SIGN));
            case FSGNJX_S -> f[rd] = box(a ^ (b & S_SIGN));
            case FMIN_S -> f[rd] = box(sf.f32Min(a, b));
            case FMAX_S -> f[rd] = box(sf.f32Max(a, b));
            case FCVT_W_S -> { x[rd] = sf.f32ToI32(a, rm(rmField, pc)); return false; }
            case FCVT_WU_S -> { x[rd] = sf.f32ToU32(a, rm(rmField, pc)); return false; }
            case FCVT_L_S -> { x[rd] = sf.f32ToI64(a, rm(rmField, pc)); return false; }
            case FCVT_LU_S -> { x[rd] = sf.f32ToU64(a, rm(rmField, pc)); return false; }
            case FMV_X_W -> { x[rd] = (int) f[rs1]; return false; }
            case FEQ_S -> { x[rd] = sf.f32Eq(a, b) ? 1 : 0; return false; }
            case FLT_S -> { x[rd] = sf.f32Lt(a, b) ? 1 : 0; return false; }
            case FLE_S -> { x[rd] = sf.f32Le(a, b) ? 1 : 0; return false; }
            case FCLASS_S -> { x[rd] = SoftFloat.f32Classify(a); return false; }
            case FCVT_S_W -> f[rd] = box(sf.i32ToF32((int) x[rs1], rm(rmField, pc)));
            case FCVT_S_WU -> f[rd] = box(sf.u32ToF32((int) x[rs1], rm(rmField, pc)));
            case FCVT_S_L -> f[rd] = box(sf.i64ToF32(x[rs1], rm(rmField, pc)));
            case FCVT_S_LU -> f[rd] = box(sf.u64ToF32(x[rs1], rm(rmField, pc)));
            case FMV_W_X -> f[rd] = box((int) x[rs1]);
            default -> throw h.illegal(pc);
        }
        return true;
    }

    private boolean dbl(int op, int rd, int rs1, int rs2, int rs3, int rmField, long pc, long[] f, long[] x,
            SoftFloat sf) {
        long a = f[rs1], b = f[rs2];
        switch (op) {
            case FMADD_D -> f[rd] = sf.f64MulAdd(a, b, f[rs3], rm(rmField, pc));
            case FMSUB_D -> f[rd] = sf.f64MulAdd(a, b, f[rs3] ^ D_SIGN, rm(rmField, pc));
            case FNMSUB_D -> f[rd] = sf.f64MulAdd(a ^ D_SIGN, b, f[rs3], rm(rmField, pc));
            case FNMADD_D -> f[rd] = sf.f64MulAdd(a ^ D_SIGN, b, f[rs3] ^ D_SIGN, rm(rmField, pc));
            case FADD_D -> f[rd] = sf.f64Add(a, b, rm(rmField, pc));
            case FSUB_D -> f[rd] = sf.f64Sub(a, b, rm(rmField, pc));
            case FMUL_D -> f[rd] = sf.f64Mul(a, b, rm(rmField, pc));
            case FDIV_D -> f[rd] = sf.f64Div(a, b, rm(rmField, pc));
            case FSQRT_D -> f[rd] = sf.f64Sqrt(a, rm(rmField, pc));
            case FSGNJ_D -> f[rd] = (a & ~D_SIGN) | (b & D_SIGN);
            case FSGNJN_D -> f[rd] = (a & ~D_SIGN) | (~b & D_SIGN);
            case FSGNJX_D -> f[rd] = a ^ (b & D_SIGN);
            case FMIN_D -> f[rd] = sf.f64Min(a, b);
            case FMAX_D -> f[rd] = sf.f64Max(a, b);
            case FCVT_S_D -> f[rd] = box(sf.f64ToF32(a, rm(rmField, pc)));
            case FCVT_D_S -> {
                rm(rmField, pc);
                f[rd] = sf.f32ToF64(unbox(a));
            }
            case FCVT_W_D -> { x[rd] = sf.f64ToI32(a, rm(rmField, pc)); return false; }
            case FCVT_WU_D -> { x[rd] = sf.f64ToU32(a, rm(rmField, pc)); return false; }
            case FCVT_L_D -> { x[rd] = sf.f64ToI64(a, rm(rmField, pc)); return false; }
            case FCVT_LU_D -> { x[rd] = sf.f64ToU64(a, rm(rmField, pc)); return false; }
            case FMV_X_D -> { x[rd] = a; return false; }
            case FEQ_D -> { x[rd] = sf.f64Eq(a, b) ? 1 : 0; return false; }
            case FLT_D -> { x[rd] = sf.f64Lt(a, b) ? 1 : 0; return false; }
            case FLE_D -> { x[rd] = sf.f64Le(a, b) ? 1 : 0; return false; }
            case FCLASS_D -> { x[rd] = SoftFloat.f64Classify(a); return false; }
            case FCVT_D_W -> f[rd] = sf.i32ToF64((int) x[rs1], rm(rmField, pc));
            case FCVT_D_WU -> f[rd] = sf.u32ToF64((int) x[rs1], rm(rmField, pc));
            case FCVT_D_L -> f[rd] = sf.i64ToF64(x[rs1], rm(rmField, pc));
            case FCVT_D_LU -> f[rd] = sf.u64ToF64(x[rs1], rm(rmField, pc));
            case FMV_D_X -> f[rd] = x[rs1];
            default -> throw h.illegal(pc);
        }
        return true;
    }
}
