# F arithmetic: FADD/FSUB/FMUL/FDIV/FSQRT.S over specials in RNE (including an improperly NaN-boxed
# input, which must read as the canonical NaN), then inexact operands in every rounding mode, static
# and dynamic; results are shown as the full 64-bit register (NaN-boxed), fflags after every op.
        .include "common.inc"
        .section .rodata
        .align 3
values: .dword 0xffffffff00000000, 0xffffffff80000000, 0xffffffff3f800000, 0xffffffffbfc00000
        .dword 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3f800001
        .dword 0xffffffff7f7fffff, 0xffffffff00800000, 0xffffffff00000001, 0xffffffff7f800000
        .dword 0xffffffffff800000, 0xffffffff7fc00000, 0xffffffff7fa00000, 0x000000003f800000
        .equ NVALUES, 16
inexact: .dword 0xffffffff3f800000, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffffbdcccccd
        .dword 0xffffffff7f7fffff, 0xffffffff3f800001, 0xffffffff007fffff
        .equ NINEXACT, 7
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        FB values, NVALUES, fadd.s, rne
        FB values, NVALUES, fsub.s, rne
        FB values, NVALUES, fmul.s, rne
        FB values, NVALUES, fdiv.s, rne
        FU values, NVALUES, fsqrt.s, rne
        .irp rm, rtz, rdn, rup, rmm
        FB inexact, NINEXACT, fadd.s, \rm
        FB inexact, NINEXACT, fsub.s, \rm
        FB inexact, NINEXACT, fmul.s, \rm
        FB inexact, NINEXACT, fdiv.s, \rm
        FU inexact, NINEXACT, fsqrt.s, \rm
        .endr
        .irp frm, 1, 2, 3, 4
        csrwi frm, \frm
        PRC frm, frm
        FB inexact, NINEXACT, fadd.s, dyn
        FB inexact, NINEXACT, fmul.s, dyn
        FB inexact, NINEXACT, fdiv.s, dyn
        FU inexact, NINEXACT, fsqrt.s, dyn
        .endr
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
