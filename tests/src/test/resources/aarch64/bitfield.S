// Bitfield moves (UBFM/SBFM/BFM and their aliases), EXTR, variable shifts with out-of-range amounts,
// CLZ/CLS/RBIT/REV*.
        .include "common.inc"
        .section .rodata
        .balign 8
values: .dword 0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000, 0x00000000ffffffff, 0x0000000080000000
        .dword 0x123456789abcdef0, 63, 64, 0xff
        .equ N, 11
        .text
        // instruction sequences run as one table case (a ';' would end the table macro's call)
        .macro BFI_T
        mov x2, #-1
        bfi x2, x0, #8, #16
        .endm
        .macro BFXIL_T
        mov x2, #0x5555
        bfxil x2, x0, #56, #8
        .endm
        .macro BFIW_T
        mov x2, #-1
        bfi w2, w0, #30, #2
        .endm
        .macro BFM_WRAP_T
        mov x2, #0
        bfm x2, x0, #60, #3
        .endm
        .global main
main:
        str x30, [sp, #-16]!
        I1 ubfx, values, N, 0, ubfx x2, x0, #28, #8
        I1 sbfx, values, N, 0, sbfx x2, x0, #31, #5
        I1 sbfxw, values, N, 0, sbfx w2, w0, #4, #28
        I1 ubfiz, values, N, 0, ubfiz x2, x0, #60, #4
        I1 sbfiz, values, N, 0, sbfiz x2, x0, #3, #32
        I1 bfi, values, N, 0, BFI_T
        I1 bfxil, values, N, 0, BFXIL_T
        I1 bfiw, values, N, 0, BFIW_T
        I1 bfm.wrap, values, N, 0, BFM_WRAP_T
        I1 lsl.imm, values, N, 0, lsl x2, x0, #63
        I1 lsr.imm, values, N, 0, lsr x2, x0, #1
        I1 asr.imm, values, N, 0, asr x2, x0, #62
        I1 asrw.imm, values, N, 0, asr w2, w0, #31
        I1 sxtb, values, N, 0, sxtb x2, w0
        I1 sxth, values, N, 0, sxth w2, w0
        I1 sxtw, values, N, 0, sxtw x2, w0
        I1 uxtb, values, N, 0, uxtb w2, w0
        I1 uxth, values, N, 0, uxth w2, w0
        I2 extr, values, N, 0, extr x2, x0, x1, #17
        I2 extrw, values, N, 0, extr w2, w0, w1, #31
        I2 lslv, values, N, 0, lsl x2, x0, x1
        I2 lsrvw, values, N, 0, lsr w2, w0, w1
        I2 asrv, values, N, 0, asr x2, x0, x1
        I2 rorv, values, N, 0, ror x2, x0, x1
        I2 rorvw, values, N, 0, ror w2, w0, w1
        I1 clz, values, N, 0, clz x2, x0
        I1 clzw, values, N, 0, clz w2, w0
        I1 cls, values, N, 0, cls x2, x0
        I1 clsw, values, N, 0, cls w2, w0
        I1 rbit, values, N, 0, rbit x2, x0
        I1 rbitw, values, N, 0, rbit w2, w0
        I1 rev, values, N, 0, rev x2, x0
        I1 revw, values, N, 0, rev w2, w0
        I1 rev16, values, N, 0, rev16 x2, x0
        I1 rev32, values, N, 0, rev32 x2, x0
        ldr x30, [sp], #16
        ret
