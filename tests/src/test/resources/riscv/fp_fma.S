# Fused multiply-add, S and D: FMADD/FMSUB/FNMSUB/FNMADD over ±0, inexact values, ±inf and NaNs
# (inf*0 + qNaN must raise NV), in RNE and the other rounding modes; fflags after each.
        .include "common.inc"
        .section .rodata
        .align 3
dvals:  .dword 0, 0x8000000000000000, 0x3fd5555555555555, 0xc008000000000000, 0x7ff0000000000000
        .dword 0x7ff8000000000000, 0x7fefffffffffffff
        .equ NDVALS, 7
svals:  .dword 0xffffffff00000000, 0xffffffff80000000, 0xffffffff3eaaaaab, 0xffffffffc0400000
        .dword 0xffffffff7f800000, 0xffffffff7fc00000, 0xffffffff7f7fffff
        .equ NSVALS, 7
drm:    .dword 0x3fd5555555555555, 0xc008000000000000, 0x3ff0000000000001, 0x0010000000000000
        .equ NDRM, 4
srm:    .dword 0xffffffff3eaaaaab, 0xffffffffc0400000, 0xffffffff3f800001, 0xffffffff00800000
        .equ NSRM, 4
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        F3 dvals, NDVALS, fmadd.d, rne
        F3 dvals, NDVALS, fmsub.d, rne
        F3 dvals, NDVALS, fnmsub.d, rne
        F3 dvals, NDVALS, fnmadd.d, rne
        F3 svals, NSVALS, fmadd.s, rne
        F3 svals, NSVALS, fmsub.s, rne
        F3 svals, NSVALS, fnmsub.s, rne
        F3 svals, NSVALS, fnmadd.s, rne
        .irp rm, rtz, rdn, rup, rmm
        F3 drm, NDRM, fmadd.d, \rm
        F3 drm, NDRM, fnmsub.d, \rm
        F3 srm, NSRM, fmadd.s, \rm
        F3 srm, NSRM, fnmadd.s, \rm
        .endr
        csrwi frm, 3
        F3 drm, NDRM, fmsub.d, dyn
        F3 srm, NSRM, fmsub.s, dyn
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
