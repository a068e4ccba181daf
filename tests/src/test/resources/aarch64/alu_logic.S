// Logical (shifted register incl. ROR, bitmask immediates of many element sizes/rotations), ANDS/BICS/TST
// flags, MOVZ/MOVN/MOVK, 32-bit forms.
        .include "common.inc"
        .section .rodata
        .balign 8
values: .dword 0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000, 0x00000000ffffffff, 0xf0f0f0f00f0f0f0f
        .dword 0x123456789abcdef0
        .equ N, 8
        .text
        // instruction sequences run as one table case (a ';' would end the table macro's call)
        .macro MOVK_T
        mov x2, x0
        movk x2, #0xbeef, lsl #32
        .endm
        .macro MOVKW_T
        mov x2, x0
        movk w2, #0xbeef, lsl #16
        .endm
        .global main
main:
        str x30, [sp, #-16]!
        I2 and, values, N, 0, and x2, x0, x1
        I2 orr.ror13, values, N, 0, orr x2, x0, x1, ror #13
        I2 eor.lsl1, values, N, 0, eor x2, x0, x1, lsl #1
        I2 bic.asr4, values, N, 0, bic x2, x0, x1, asr #4
        I2 orn.lsr60, values, N, 0, orn x2, x0, x1, lsr #60
        I2 eon, values, N, 0, eon x2, x0, x1
        I2 ands, values, N, 0xf, ands x2, x0, x1
        I2 bics.ror63, values, N, 0xf, bics x2, x0, x1, ror #63
        I2 andsw, values, N, 0xf, ands w2, w0, w1
        I2 bicsw.ror31, values, N, 0, bics w2, w0, w1, ror #31
        I2 eorw.asr3, values, N, 0, eor w2, w0, w1, asr #3
        I2 ornw, values, N, 0, orn w2, w0, w1
        I2 tst, values, N, 0xf, tst x0, x1
        I1 and.im1, values, N, 0, and x2, x0, #0x5555555555555555
        I1 orr.im2, values, N, 0, orr x2, x0, #0x00ff00ff00ff00ff
        I1 eor.im3, values, N, 0, eor x2, x0, #0x8000000000000001
        I1 ands.im4, values, N, 0, ands x2, x0, #0xfffffffffffffff0
        I1 and.im5, values, N, 0, and x2, x0, #0x0000ffff0000ffff
        I1 orr.im6, values, N, 0, orr x2, x0, #0x3c3c3c3c3c3c3c3c
        I1 eor.im7, values, N, 0, eor x2, x0, #0x7ffffffffffffffe
        I1 andsw.im, values, N, 0, ands w2, w0, #0x80000000
        I1 orrw.im, values, N, 0, orr w2, w0, #0x0f0f0f0f
        I1 eorw.im, values, N, 0, eor w2, w0, #0xfffe
        I1 tstw.im, values, N, 0, tst w0, #0x1
        I1 mvn, values, N, 0, mvn x2, x0
        I1 movk, values, N, 0, MOVK_T
        I1 movkw, values, N, 0, MOVKW_T
        movz x0, #0x1234, lsl #48
        PR movz48, x0
        movn x0, #0x1234, lsl #16
        PR movn16, x0
        movn w0, #0x1234, lsl #16
        PR movnw16, x0
        movz w0, #0xffff
        PR movzw, x0
        mov x0, #-1
        orr w0, wzr, #0x3
        PR orrw.zero_upper, x0
        // logical immediate writing sp
        mov x3, sp
        and sp, x3, #0xfffffffffffffff0
        mov x4, sp
        sub x4, x4, x3
        PR and.sp, x4
        mov sp, x3
        ldr x30, [sp], #16
        ret
