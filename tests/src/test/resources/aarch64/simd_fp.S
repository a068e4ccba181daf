// AdvSIMD floating point: lane-wise arithmetic and fused multiply-add (by element too), min/max, compares
// against registers and zero, estimates and Newton steps (FRECPE/FRSQRTE/FRECPS/FRSQRTS/FRECPX),
// conversions (to/from integer and fixed point, narrowing FCVTN/FCVTXN, widening FCVTL), FRINT, with FPSR,
// in RN and under FZ/DN.
        .include "common.inc"
        .section .rodata
        .balign 16
        // single lanes: 1, -2, qNaN, -0 / inf, 0.5, sNaN, 3 / denormal, max, 1e-40, -1.5 / 2^31, -2^31-1k
fvals:  .dword 0xc00000003f800000, 0x800000007fc00000
        .dword 0x3f0000007f800000, 0x404000007f800001
        .dword 0x7f7fffff00000001, 0xbfc0000000011b38
        .dword 0x4f000000cf000004, 0x3eaaaaab00800000
        .equ NF, 4
        // double lanes: 1, qNaN / -inf, 1/3 / 2^-1030 (denormal), -2^63 / 0.75, max
dvals:  .dword 0x3ff0000000000000, 0x7ff8000000000000
        .dword 0xfff0000000000000, 0x3fd5555555555555
        .dword 0x0000800000000000, 0xc3e0000000000000
        .dword 0x3fe8000000000000, 0x7fefffffffffffff
        .equ ND, 4
        .text
        .macro FMLA_T
        mov v2.16b, v1.16b
        fmla v2.4s, v0.4s, v1.4s
        .endm
        .macro FMLS_T
        mov v2.16b, v0.16b
        fmls v2.2d, v0.2d, v1.d[1]
        .endm
        .macro FCVTN2_T
        mov v2.16b, v1.16b
        fcvtn2 v2.4s, v0.2d
        .endm
        .macro FP_RUNS suffix
        V2 fadd.4s\suffix, fvals, NF, fadd v2.4s, v0.4s, v1.4s
        V2 fsub.2d\suffix, dvals, ND, fsub v2.2d, v0.2d, v1.2d
        V2 fmul.4s\suffix, fvals, NF, fmul v2.4s, v0.4s, v1.4s
        V2 fmul.elem\suffix, fvals, NF, fmul v2.4s, v0.4s, v1.s[2]
        V2 fdiv.2d\suffix, dvals, ND, fdiv v2.2d, v0.2d, v1.2d
        V2 fmulx.4s\suffix, fvals, NF, fmulx v2.4s, v0.4s, v1.4s
        V2 fmla.4s\suffix, fvals, NF, FMLA_T
        V2 fmls.elem\suffix, dvals, ND, FMLS_T
        V2 fabd.4s\suffix, fvals, NF, fabd v2.4s, v0.4s, v1.4s
        V2 fmax.4s\suffix, fvals, NF, fmax v2.4s, v0.4s, v1.4s
        V2 fminnm.2d\suffix, dvals, ND, fminnm v2.2d, v0.2d, v1.2d
        V2 faddp.4s\suffix, fvals, NF, faddp v2.4s, v0.4s, v1.4s
        V2 fcmeq.4s\suffix, fvals, NF, fcmeq v2.4s, v0.4s, v1.4s
        V2 fcmge.2d\suffix, dvals, ND, fcmge v2.2d, v0.2d, v1.2d
        V2 facgt.4s\suffix, fvals, NF, facgt v2.4s, v0.4s, v1.4s
        V1 fcmlt0.4s\suffix, fvals, NF, fcmlt v2.4s, v0.4s, #0.0
        V1 fsqrt.4s\suffix, fvals, NF, fsqrt v2.4s, v0.4s
        V1 frecpe.4s\suffix, fvals, NF, frecpe v2.4s, v0.4s
        V1 frsqrte.2d\suffix, dvals, ND, frsqrte v2.2d, v0.2d
        V2 frecps.4s\suffix, fvals, NF, frecps v2.4s, v0.4s, v1.4s
        V2 frsqrts.2d\suffix, dvals, ND, frsqrts v2.2d, v0.2d, v1.2d
        V1 frecpx.s\suffix, fvals, NF, frecpx s2, s0
        V1 fcvtzs.4s\suffix, fvals, NF, fcvtzs v2.4s, v0.4s
        V1 fcvtzu.2d\suffix, dvals, ND, fcvtzu v2.2d, v0.2d
        V1 fcvtns.4s\suffix, fvals, NF, fcvtns v2.4s, v0.4s
        V1 fcvtzs.fix\suffix, fvals, NF, fcvtzs v2.4s, v0.4s, #4
        V1 scvtf.4s\suffix, fvals, NF, scvtf v2.4s, v0.4s
        V1 ucvtf.2d\suffix, dvals, ND, ucvtf v2.2d, v0.2d, #3
        V1 fcvtn\suffix, dvals, ND, fcvtn v2.2s, v0.2d
        V2 fcvtn2\suffix, dvals, ND, FCVTN2_T
        V1 fcvtxn\suffix, dvals, ND, fcvtxn v2.2s, v0.2d
        V1 fcvtl\suffix, fvals, NF, fcvtl v2.2d, v0.2s
        V1 fcvtl2\suffix, fvals, NF, fcvtl2 v2.2d, v0.4s
        V1 frintn.4s\suffix, fvals, NF, frintn v2.4s, v0.4s
        V1 frintx.2d\suffix, dvals, ND, frintx v2.2d, v0.2d
        V1 fneg.4s\suffix, fvals, NF, fneg v2.4s, v0.4s
        .endm
        .global main
main:
        str x30, [sp, #-16]!
        FP_RUNS
        SET_FPCR (1 << 24)
        FP_RUNS .fz
        SET_FPCR (1 << 25) | (1 << 22)
        FP_RUNS .dn.rp
        SET_FPCR 0
        ldr x30, [sp], #16
        ret
