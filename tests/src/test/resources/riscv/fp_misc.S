# FP non-arithmetic: FMIN/FMAX with ±0, qNaN and sNaN; FEQ/FLT/FLE flags with NaNs; FCLASS of every
# class; FSGNJ/FSGNJN/FSGNJX; NaN boxing (FLW then FMV.X.D, FMV.W.X, unboxed inputs read as the
# canonical NaN, FMV.X.W of an unboxed register); FLW/FSW/FLD/FSD; fcsr/frm/fflags fields;
# invalid rounding modes and FS = Off -> illegal instruction; mstatus.FS/SD after FP writes.
        .include "common.inc"
        .section .rodata
        .align 3
dvals:  .dword 0, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0x7ff0000000000000
        .dword 0x7ff8000000000000, 0x7ff4000000000000, 0xfff8000000000001, 0x0000000000000001
        .equ NDVALS, 9
svals:  .dword 0xffffffff00000000, 0xffffffff80000000, 0xffffffff3f800000, 0xffffffffbf800000
        .dword 0xffffffff7f800000, 0xffffffff7fc00000, 0xffffffff7fa00000, 0xffffffffffc00001
        .dword 0x00000000bf800000
        .equ NSVALS, 9
dclass: .dword 0xfff0000000000000, 0xbff0000000000000, 0x800fffffffffffff, 0x8000000000000000
        .dword 0, 0x000fffffffffffff, 0x3ff0000000000000, 0x7ff0000000000000, 0x7ff4000000000000
        .dword 0x7ff8000000000000
        .equ NDCLASS, 10
sclass: .dword 0xffffffffff800000, 0xffffffffbf800000, 0xffffffff807fffff, 0xffffffff80000000
        .dword 0xffffffff00000000, 0xffffffff007fffff, 0xffffffff3f800000, 0xffffffff7f800000
        .dword 0xffffffff7fa00000, 0xffffffff7fc00000, 0x000000003f800000, 0xfffffffe3f800000
        .equ NSCLASS, 12
        .data
        .align 3
mem:    .dword 0x123456783f800000, 0x4000000000000000, 0, 0
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        FB2 dvals, NDVALS, fmin.d
        FB2 dvals, NDVALS, fmax.d
        FB2 svals, NSVALS, fmin.s
        FB2 svals, NSVALS, fmax.s
        FC dvals, NDVALS, feq.d
        FC dvals, NDVALS, flt.d
        FC dvals, NDVALS, fle.d
        FC svals, NSVALS, feq.s
        FC svals, NSVALS, flt.s
        FC svals, NSVALS, fle.s
        FB2 dvals, NDVALS, fsgnj.d
        FB2 dvals, NDVALS, fsgnjn.d
        FB2 dvals, NDVALS, fsgnjx.d
        FB2 svals, NSVALS, fsgnj.s
        FB2 svals, NSVALS, fsgnjn.s
        FB2 svals, NSVALS, fsgnjx.s
        OPT dclass, NDCLASS, 1, 1, "fclass.d", "fmv.d.x ft1, a1", "fclass.d a0, ft1"
        OPT sclass, NSCLASS, 1, 1, "fclass.s", "fmv.d.x ft1, a1", "fclass.s a0, ft1"
        OPT sclass, NSCLASS, 1, 1, "fmv.x.w", "fmv.d.x ft1, a1", "fmv.x.w a0, ft1"
        OPT sclass, NSCLASS, 1, 1, "fmv.w.x", "fmv.w.x ft1, a1", "fmv.x.d a0, ft1"
        # loads and stores: FLW boxes, FSW stores the low word whatever the boxing
        la s0, mem
        flw fa0, 0(s0)
        PRF flw, fa0
        fld fa1, 8(s0)
        PRF fld, fa1
        fsw fa1, 16(s0)
        fsd fa0, 24(s0)
        ld a0, 16(s0)
        PR fsw, a0
        ld a0, 24(s0)
        PR fsd, a0
        fmv.s fa2, fa1          # fsgnj.s of an unboxed value
        PRF fmvs_unboxed, fa2
        fmv.d fa3, fa0
        PRF fmvd_boxed, fa3
        fadd.s fa4, fa0, fa1    # an unboxed operand is the canonical NaN
        PRF fadd_unboxed, fa4
        FL
        # fcsr layout: frm at bits 7:5, fflags 4:0, upper bits read 0
        li a0, 0xffffffff
        csrw fcsr, a0
        PRC fcsr, fcsr
        PRC frm, frm
        PRC fflags, fflags
        csrwi fflags, 0x15
        csrwi frm, 0x2
        PRC fcsr2, fcsr
        li a0, 0xff
        csrrw a1, frm, a0
        PR frm_old, a1
        PRC frm_new, frm
        csrwi fcsr, 0
        # invalid static rounding modes 5 and 6 and dynamic with frm 5..7 -> illegal
        PUTS "bad rm:\n"
        .insn r 0x53, 5, 0x01, fa0, fa1, fa2      # fadd.d rm=5
        .insn r 0x53, 6, 0x00, fa0, fa1, fa2      # fadd.s rm=6
        csrwi frm, 5
        fadd.d fa0, fa1, fa2, dyn
        csrwi frm, 7
        fcvt.w.d a0, fa1, dyn
        fsgnj.d fa0, fa1, fa2   # no rounding: still legal
        PRF fsgnj_frm7, fa0
        csrwi frm, 0
        # mstatus.FS: dirty after an FP register write; FS = Off makes every FP access illegal
        li a0, MSTATUS_FS
        csrc mstatus, a0
        li a0, 1 << 13
        csrs mstatus, a0
        fmv.d.x fa0, zero
        csrr a0, mstatus
        srli a1, a0, 13
        andi a1, a1, 3
        PR fs_after_write, a1
        srli a1, a0, 63
        PR sd, a1
        li a0, MSTATUS_FS
        csrc mstatus, a0
        PUTS "FS off:\n"
        fadd.d fa0, fa1, fa2
        flw fa0, 0(s0)
        fsd fa0, 0(s0)
        fmv.x.d a0, fa1
        csrr a0, fflags
        csrr a0, fcsr
        csrwi frm, 1
        li a0, 1 << 13
        csrs mstatus, a0
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
