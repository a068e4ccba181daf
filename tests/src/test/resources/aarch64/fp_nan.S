// NaN propagation: which operand's NaN wins (signalling before quiet, first operand first, for 2 and 3
// operands), quieting and payloads across precisions, default NaN; FZ on inputs and outputs (IDC, UFC).
        .include "common.inc"
        .section .rodata
        .balign 8
        // 1.0, qNaN(a), -qNaN(b), sNaN(c), -sNaN(d), inf, denormal, -denormal, 2^-1022
dvals:  .dword 0x3ff0000000000000, 0x7ff800000000000a, 0xfff800000000000b, 0x7ff000000000000c
        .dword 0xfff400000000000d, 0x7ff0000000000000, 0x000800000000000e, 0x800000000000000f
        .dword 0x0010000000000000
        .equ ND, 9
svals:  .dword 0x3f800000, 0x7fc0000a, 0xffc0000b, 0x7f80000c, 0xffa0000d, 0x7f800000, 0x0040000e
        .dword 0x8000000f, 0x00800000
        .equ NS, 9
        .text
        .global main
main:
        str x30, [sp, #-16]!
        F2 fadd.d, dvals, ND, fadd d2, d0, d1
        F2 fmul.s, svals, NS, fmul s2, s0, s1
        F2 fdiv.d, dvals, ND, fdiv d2, d0, d1
        F2 fmax.d, dvals, ND, fmax d2, d0, d1
        F2 fminnm.d, dvals, ND, fminnm d2, d0, d1
        F2 fmaxnm.s, svals, NS, fmaxnm s2, s0, s1
        // three operands: the addend is a quiet NaN, a signalling NaN, a number
        adrp x9, dvals
        add x9, x9, :lo12:dvals
        ldr d3, [x9, #8]
        F2 fmadd.qa, dvals, ND, fmadd d2, d0, d1, d3
        ldr d3, [x9, #24]
        F2 fmadd.sa, dvals, ND, fmadd d2, d0, d1, d3
        ldr d3, [x9, #48]
        F2 fmsub.dena, dvals, ND, fmsub d2, d0, d1, d3
        fmov d3, #1.0
        F2 fnmadd.one, dvals, ND, fnmadd d2, d0, d1, d3
        F1 fsqrt.d, dvals, ND, fsqrt d2, d0
        F1 fcvt.sd, dvals, ND, fcvt s2, d0
        F1 fcvt.ds, svals, NS, fcvt d2, s0
        F1 frintx.d, dvals, ND, frintx d2, d0
        F1 fneg.d, dvals, ND, fneg d2, d0
        SET_FPCR (1 << 25)
        F2 fadd.d.dn, dvals, ND, fadd d2, d0, d1
        F1 fcvt.sd.dn, dvals, ND, fcvt s2, d0
        SET_FPCR (1 << 24)
        F2 fmul.d.fz, dvals, ND, fmul d2, d0, d1
        F2 fsub.s.fz, svals, NS, fsub s2, s0, s1
        F2 fmax.d.fz, dvals, ND, fmax d2, d0, d1
        F1 fcvt.ds.fz, svals, NS, fcvt d2, s0
        F1 fabs.d.fz, dvals, ND, fabs d2, d0
        SET_FPCR 0
        ldr x30, [sp], #16
        ret
