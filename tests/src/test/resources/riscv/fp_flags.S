# fflags are sticky across operations; fsflags/fsrm/frflags/frrm swap forms; mstatus.FS goes from
# Clean to Dirty on an FP register write (move, load) and a write to fflags.
        .include "common.inc"
        .section .rodata
        .align 3
one:    .double 1.0
three:  .double 3.0
zero:   .double 0.0
        .text
        .macro FS_CLEAN
        li t0, MSTATUS_FS
        csrc mstatus, t0
        li t0, 2 << 13
        csrs mstatus, t0
        .endm
        .macro SHOW_FS tag:req
        csrr t0, mstatus
        srli t0, t0, 13
        andi t0, t0, 3
        PR \tag, t0
        .endm
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la s0, one
        fld fa0, 0(s0)
        fld fa1, 8(s0)
        fld fa2, 16(s0)
        csrwi fflags, 0
        fdiv.d fa3, fa0, fa1    # NX
        fdiv.d fa4, fa0, fa2    # DZ
        fsqrt.d fa5, fa3        # NX again
        PRC sticky, fflags
        fsflags a0, zero
        PR fsflags_old, a0
        PRC fsflags_new, fflags
        li a1, 3
        fsrm a0, a1
        PR fsrm_old, a0
        frrm a0
        PR frrm, a0
        frflags a0
        PR frflags, a0
        fscsr a0, zero
        PR fscsr_old, a0
        # mstatus.FS must become Dirty from Clean (leaving it Clean elsewhere is optional, so not checked)
        FS_CLEAN
        SHOW_FS clean
        fmv.d.x fa6, zero
        SHOW_FS after_fmv_d_x
        FS_CLEAN
        csrwi fflags, 0
        SHOW_FS after_fflags_write
        FS_CLEAN
        li t0, 0x7ff4000000000000
        fmv.d.x fa7, t0
        FS_CLEAN
        feq.d a0, fa7, fa7      # sNaN: NV raised, no FP register written. The spec wants FS Dirty
                                # now; QEMU 7.2 leaves it Clean, so FS is not printed here
        PRC feq_nv_flags, fflags
        FS_CLEAN
        flw fa0, 0(s0)
        SHOW_FS after_flw
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
