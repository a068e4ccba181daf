# D arithmetic: FADD/FSUB/FMUL/FDIV/FSQRT.D over specials (±0, ±inf, qNaN, sNaN, max, min normal,
# subnormal) in RNE, then over inexact operands in every static rounding mode and in dynamic mode
# (frm = RTZ, RDN, RUP, RMM); fflags printed after every operation.
        .include "common.inc"
        .section .rodata
        .align 3
values: .dword 0, 0x8000000000000000, 0x3ff0000000000000, 0xbff8000000000000, 0x4008000000000000
        .dword 0x3fd5555555555555, 0x3fb999999999999a, 0x3ff0000000000001, 0x7fefffffffffffff
        .dword 0x0010000000000000, 0x0000000000000001, 0x7ff0000000000000, 0xfff0000000000000
        .dword 0x7ff8000000000000, 0x7ff4000000000000
        .equ NVALUES, 15
inexact: .dword 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, 0xbfb999999999999a
        .dword 0x7fefffffffffffff, 0x3ff0000000000001, 0x000fffffffffffff
        .equ NINEXACT, 7
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        FB values, NVALUES, fadd.d, rne
        FB values, NVALUES, fsub.d, rne
        FB values, NVALUES, fmul.d, rne
        FB values, NVALUES, fdiv.d, rne
        FU values, NVALUES, fsqrt.d, rne
        .irp rm, rtz, rdn, rup, rmm
        FB inexact, NINEXACT, fadd.d, \rm
        FB inexact, NINEXACT, fsub.d, \rm
        FB inexact, NINEXACT, fmul.d, \rm
        FB inexact, NINEXACT, fdiv.d, \rm
        FU inexact, NINEXACT, fsqrt.d, \rm
        .endr
        .irp frm, 1, 2, 3, 4
        csrwi frm, \frm
        PRC frm, frm
        FB inexact, NINEXACT, fadd.d, dyn
        FB inexact, NINEXACT, fmul.d, dyn
        FB inexact, NINEXACT, fdiv.d, dyn
        FU inexact, NINEXACT, fsqrt.d, dyn
        .endr
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
