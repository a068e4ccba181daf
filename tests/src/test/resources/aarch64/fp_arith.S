// Scalar FP arithmetic, double and single: ADD/SUB/MUL/DIV/SQRT/fused multiply-add in all four rounding
// modes, FNMUL, MAX/MIN(NM), ABS/NEG; FPSR flags (IOC DZC OFC UFC IXC IDC) for every case; FZ and DN.
        .include "common.inc"
        .section .rodata
        .balign 8
        // 0, -0, 1, -1.5, 3, max, -min normal, min denormal, 1/3-ish, inf, -inf, qNaN, sNaN, 2^-1022+1ulp
dvals:  .dword 0, 0x8000000000000000, 0x3ff0000000000000, 0xbff8000000000000, 0x4008000000000000
        .dword 0x7fefffffffffffff, 0x8010000000000000, 0x0000000000000001, 0x3fd5555555555555
        .dword 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000123, 0x7ff0000000000456
        .dword 0x0010000000000001
        .equ ND, 14
svals:  .dword 0, 0x80000000, 0x3f800000, 0xbfc00000, 0x40400000, 0x7f7fffff, 0x80800000, 0x00000001
        .dword 0x3eaaaaab, 0x7f800000, 0xff800000, 0x7fc00123, 0x7f800456, 0x00800001
        .equ NS, 14

        .text
        .global main
main:
        str x30, [sp, #-16]!
        ALL_MODES F2, faddd, dvals, ND, fadd d2, d0, d1
        ALL_MODES F2, fsubd, dvals, ND, fsub d2, d0, d1
        ALL_MODES F2, fmuld, dvals, ND, fmul d2, d0, d1
        ALL_MODES F2, fdivd, dvals, ND, fdiv d2, d0, d1
        ALL_MODES F1, fsqrtd, dvals, ND, fsqrt d2, d0
        ALL_MODES F2, fmaddd, dvals, ND, fmadd d2, d0, d1, d1
        ALL_MODES F2, fadds, svals, NS, fadd s2, s0, s1
        ALL_MODES F2, fmuls, svals, NS, fmul s2, s0, s1
        ALL_MODES F2, fdivs, svals, NS, fdiv s2, s0, s1
        ALL_MODES F1, fsqrts, svals, NS, fsqrt s2, s0
        ALL_MODES F2, fmsubs, svals, NS, fmsub s2, s0, s1, s0
        F2 fnmaddd, dvals, ND, fnmadd d2, d0, d1, d0
        F2 fnmsubs, svals, NS, fnmsub s2, s0, s1, s1
        F2 fnmuld, dvals, ND, fnmul d2, d0, d1
        F2 fsubs, svals, NS, fsub s2, s0, s1
        F2 fmaxd, dvals, ND, fmax d2, d0, d1
        F2 fmind, dvals, ND, fmin d2, d0, d1
        F2 fmaxnmd, dvals, ND, fmaxnm d2, d0, d1
        F2 fminnms, svals, NS, fminnm s2, s0, s1
        F2 fmaxs, svals, NS, fmax s2, s0, s1
        F1 fabsd, dvals, ND, fabs d2, d0
        F1 fnegs, svals, NS, fneg s2, s0
        F1 fmovd, dvals, ND, fmov d2, d0
        // flush-to-zero: denormal inputs are zeros (IDC), tiny results are zeros (UFC)
        SET_FPCR (1 << 24)
        F2 fmuld.fz, dvals, ND, fmul d2, d0, d1
        F2 fadds.fz, svals, NS, fadd s2, s0, s1
        F1 fsqrtd.fz, dvals, ND, fsqrt d2, d0
        // default NaN
        SET_FPCR (1 << 25)
        F2 faddd.dn, dvals, ND, fadd d2, d0, d1
        F2 fmaxs.dn, svals, NS, fmax s2, s0, s1
        F1 fabsd.dn, dvals, ND, fabs d2, d0
        SET_FPCR (3 << 24) | (2 << 22)
        F2 fdivd.fzdn.rm, dvals, ND, fdiv d2, d0, d1
        SET_FPCR 0
        PRS fpcr.readback, fpcr
        SET_FPCR 0xffffffff
        PRS fpcr.ones, fpcr
        SET_FPCR 0
        ldr x30, [sp], #16
        ret
