# Conversions: FCVT.{W,WU,L,LU}.{D,S} at the saturation boundaries, halves and NaN/inf in every
# rounding mode; FCVT.{D,S}.{W,WU,L,LU} with inexact integers; FCVT.S.D rounding, overflow to inf or
# max by mode, underflow, NaN to canonical; FCVT.D.S exact, sNaN -> canonical with NV.
        .include "common.inc"
        .section .rodata
        .align 3
dconv:  .dword 0x8000000000000000, 0x3fe0000000000000, 0xbfe0000000000000, 0x4004000000000000
        .dword 0xc004000000000000, 0xbff0000000000000, 0x41dfffffffc00000, 0x41e0000000000000
        .dword 0xc1e0000000200000, 0x41efffffffe00000, 0x43e0000000000000, 0xc3e0000000000000
        .dword 0x43f0000000000000, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000
        .equ NDCONV, 16
sconv:  .dword 0xffffffff80000000, 0xffffffff3f000000, 0xffffffffbf000000, 0xffffffff40200000
        .dword 0xffffffffc0200000, 0xffffffffbf800000, 0xffffffff4f000000, 0xffffffffcf000000
        .dword 0xffffffffcf000001, 0xffffffff4f800000, 0xffffffff5f000000, 0xffffffffdf000000
        .dword 0xffffffff5f800000, 0xffffffff7f800000, 0xffffffffff800000, 0xffffffff7fa00000
        .equ NSCONV, 16
ints:   .dword 0, 1, -1, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffff, 0x8000000000000000
        .dword 0x001fffffffffffff, 0x0020000000000001, 0x0000000001000001, 0xfffffffffefffffd
        .dword 0xffffffff00000003, 0x0000000080000001
        .equ NINTS, 14
d2s:    .dword 0x3fd5555555555555, 0xbfd5555555555555, 0x47efffffffffffff, 0x47effffff0000000
        .dword 0xc7f0000000000000, 0x36a0000000000000, 0x3690000000000000, 0xb6a0000000000001
        .dword 0x7ff4000000000000, 0x7ff8000000000001, 0x8000000000000000, 0x380fffffffffffff
        .equ ND2S, 12
s2d:    .dword 0xffffffff3eaaaaab, 0xffffffff00000001, 0xffffffff7f7fffff, 0xffffffffff800000
        .dword 0xffffffff7fa00000, 0xffffffffffc00001, 0x000000003f800000, 0xffffffff80000000
        .equ NS2D, 8
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        .irp rm, rne, rtz, rdn, rup, rmm
        FI dconv, NDCONV, fcvt.w.d, \rm
        FI dconv, NDCONV, fcvt.wu.d, \rm
        FI dconv, NDCONV, fcvt.l.d, \rm
        FI dconv, NDCONV, fcvt.lu.d, \rm
        FI sconv, NSCONV, fcvt.w.s, \rm
        FI sconv, NSCONV, fcvt.wu.s, \rm
        FI sconv, NSCONV, fcvt.l.s, \rm
        FI sconv, NSCONV, fcvt.lu.s, \rm
        IF ints, NINTS, fcvt.d.l, \rm
        IF ints, NINTS, fcvt.d.lu, \rm
        IF ints, NINTS, fcvt.s.w, \rm
        IF ints, NINTS, fcvt.s.wu, \rm
        IF ints, NINTS, fcvt.s.l, \rm
        IF ints, NINTS, fcvt.s.lu, \rm
        FU d2s, ND2S, fcvt.s.d, \rm
        .endr
        # exact conversions take no rounding mode
        OPT ints, NINTS, 1, 1, "fcvt.d.w", "fcvt.d.w ft0, a1", "fmv.x.d a0, ft0"
        OPT ints, NINTS, 1, 1, "fcvt.d.wu", "fcvt.d.wu ft0, a1", "fmv.x.d a0, ft0"
        OPT s2d, NS2D, 1, 1, "fcvt.d.s", "fmv.d.x ft1, a1", "fcvt.d.s ft0, ft1", "fmv.x.d a0, ft0"
        csrwi frm, 2
        FI dconv, NDCONV, fcvt.w.d, dyn
        FU d2s, ND2S, fcvt.s.d, dyn
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
