// Data processing: ADD/SUB/ADDS/SUBS/CMP/CMN/ADC/SBC/NEG with shifted and extended registers and
// immediates, flags at the signed/unsigned edges, 32-bit forms (upper half zeroed).
        .include "common.inc"
        .section .rodata
        .balign 8
values: .dword 0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffff, 0x80000000, 0xffffffff
        .dword 0x123456789abcdef0, 0xfffffffffffffffe
        .equ N, 10
        .text
        .global main
main:
        str x30, [sp, #-16]!
        I2 adds, values, N, 0, adds x2, x0, x1
        I2 addsw, values, N, 0, adds w2, w0, w1
        I2 subs, values, N, 0, subs x2, x0, x1
        I2 subsw, values, N, 0, subs w2, w0, w1
        I2 adcs.c0, values, N, 0, adcs x2, x0, x1
        I2 adcs.c1, values, N, 2, adcs x2, x0, x1
        I2 sbcsw.c0, values, N, 0, sbcs w2, w0, w1
        I2 sbcs.c1, values, N, 2, sbcs x2, x0, x1
        I2 adc.c1, values, N, 2, adc x2, x0, x1
        I2 sbcw.c0, values, N, 0, sbc w2, w0, w1
        I2 add.lsl7, values, N, 0, add x2, x0, x1, lsl #7
        I2 subs.asr63, values, N, 0, subs x2, x0, x1, asr #63
        I2 addw.lsr31, values, N, 0, add w2, w0, w1, lsr #31
        I2 add.sxtb, values, N, 0, add x2, x0, w1, sxtb #2
        I2 adds.uxth, values, N, 0, adds x2, x0, w1, uxth #4
        I2 sub.sxtw, values, N, 0, sub x2, x0, w1, sxtw #1
        I2 sub.uxtx, values, N, 0, sub x2, x0, x1, uxtx #3
        I2 cmn, values, N, 0, cmn x0, x1
        I2 cmpw, values, N, 0, cmp w0, w1
        I1 adds.imm, values, N, 0, adds x2, x0, #0xfff
        I1 subs.imm12, values, N, 0, subs x2, x0, #0x1, lsl #12
        I1 addsw.imm, values, N, 0, adds w2, w0, #1
        I1 negs, values, N, 0, negs x2, x0
        I1 ngcw.c1, values, N, 2, ngc w2, w0
        I1 cmpimm, values, N, 0, cmp x0, #0
        // the stack pointer as operand and destination (extended form, uxtx)
        mov x3, sp
        mov x4, #0x40
        add sp, sp, x4
        sub sp, sp, #0x40
        mov x5, sp
        sub x5, x5, x3
        PR sp.delta, x5
        add x6, sp, #0x10
        sub x6, x6, x3
        PR sp.add, x6
        ldr x30, [sp], #16
        ret
