// Multiply (MADD/MSUB/SMADDL/UMADDL/SMSUBL/UMSUBL/SMULH/UMULH), division by zero and overflow, CRC32/CRC32C.
        .arch armv8-a+crc
        .include "common.inc"
        .section .rodata
        .balign 8
values: .dword 0, 1, -1, 2, -2, 7, 0x7fffffffffffffff, 0x8000000000000000, 0x80000000, 0x7fffffff
        .dword 0x123456789abcdef0, 0xffffffff
        .equ N, 12
        .text
        .global main
main:
        str x30, [sp, #-16]!
        I2 mul, values, N, 0, mul x2, x0, x1
        I2 mulw, values, N, 0, mul w2, w0, w1
        I2 madd, values, N, 0, madd x2, x0, x1, x0
        I2 msubw, values, N, 0, msub w2, w0, w1, w1
        I2 mneg, values, N, 0, mneg x2, x0, x1
        I2 smull, values, N, 0, smull x2, w0, w1
        I2 umull, values, N, 0, umull x2, w0, w1
        I2 smaddl, values, N, 0, smaddl x2, w0, w1, x1
        I2 umsubl, values, N, 0, umsubl x2, w0, w1, x0
        I2 smulh, values, N, 0, smulh x2, x0, x1
        I2 umulh, values, N, 0, umulh x2, x0, x1
        I2 sdiv, values, N, 0, sdiv x2, x0, x1
        I2 udiv, values, N, 0, udiv x2, x0, x1
        I2 sdivw, values, N, 0, sdiv w2, w0, w1
        I2 udivw, values, N, 0, udiv w2, w0, w1
        I2 crc32b, values, N, 0, crc32b w2, w0, w1
        I2 crc32h, values, N, 0, crc32h w2, w0, w1
        I2 crc32w, values, N, 0, crc32w w2, w0, w1
        I2 crc32x, values, N, 0, crc32x w2, w0, x1
        I2 crc32cb, values, N, 0, crc32cb w2, w0, w1
        I2 crc32ch, values, N, 0, crc32ch w2, w0, w1
        I2 crc32cw, values, N, 0, crc32cw w2, w0, w1
        I2 crc32cx, values, N, 0, crc32cx w2, w0, x1
        ldr x30, [sp], #16
        ret
