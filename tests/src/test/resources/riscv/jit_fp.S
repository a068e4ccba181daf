# FP state in hot code: a loop that changes frm every iteration and uses dynamic rounding, fflags
# accumulated across a hot loop and cleared midway, NaN boxing of single results kept in a hot loop,
# and mstatus.FS switched off after the loop got hot (the next FP instruction must trap).
        .include "common.inc"
        .equ N, 20000
        .section .rodata
        .align 3
third:  .double 0.3333333333333333
tenth:  .float 0.1
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la t0, third
        fld fs0, 0(t0)
        la t0, tenth
        flw fs1, 0(t0)
        # 1. frm cycles 0..4 each iteration; accumulate raw bits of dynamic-rounded results
        li s1, 0
        li s2, 0
        fmv.d.x fa0, zero
1:      li t0, 5
        remu t1, s1, t0
        csrw frm, t1
        fcvt.d.l fa1, s1
        fdiv.d fa2, fa1, fs0, dyn
        fmv.x.d t2, fa2
        xor s2, s2, t2
        slli s2, s2, 1
        fcvt.s.d fa3, fa2, dyn
        fmv.x.d t2, fa3         # NaN-boxed single
        add s2, s2, t2
        addi s1, s1, 1
        li t0, N
        blt s1, t0, 1b
        csrwi frm, 0
        PR frm_loop, s2
        # 2. fflags: inexact every time; cleared at i = N/2; the overflow only before
        csrwi fflags, 0
        li s1, 0
        li t0, 0x7fefffffffffffff
        fmv.d.x fa4, t0
2:      fmul.d fa5, fa4, fa4    # OF|NX until cleared... repeats each iteration
        fadd.s fa6, fs1, fs1
        li t0, N / 2
        bne s1, t0, 3f
        csrr s3, fflags
        csrwi fflags, 0
        li t0, 0x3ff0000000000000
        fmv.d.x fa4, t0         # from now on no overflow
3:      addi s1, s1, 1
        li t0, N
        blt s1, t0, 2b
        PR fflags_mid, s3
        PRC fflags_end, fflags
        PRF single_boxed, fa6
        # 3. FS off after the loop is hot: the loop's first FP instruction traps (illegal)
        li s1, 0
        li s4, 0
4:      li t0, N - 10
        bne s1, t0, 5f
        li t0, MSTATUS_FS
        csrc mstatus, t0
5:      fadd.d fa7, fa7, fa7    # traps once FS = Off; the handler skips it
        addi s1, s1, 1
        li t0, N
        blt s1, t0, 4b
        li t0, 1 << 13
        csrs mstatus, t0
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
