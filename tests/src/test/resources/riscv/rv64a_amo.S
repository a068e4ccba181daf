# A extension AMOs, .W and .D, with and without aq/rl: old value returned (sign-extended for .W)
# and the memory result (the upper word next to a .W cell must stay untouched).
        .include "common.inc"
        .section .rodata
        .align 3
values: .dword 0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000, 0x80000000, 0x7fffffff
        .dword 0x123456789abcdef0
        .equ NVALUES, 8
        .data
        .align 3
cell:   .dword 0
        .text
        .macro AMO op:req
        OPS 2, 0, "\op", "la t0, cell", "sd a1, 0(t0)", "\op a0, a2, (t0)"
        OPS 2, 0, "\op m", "la t0, cell", "sd a1, 0(t0)", "\op a0, a2, (t0)", "ld a0, 0(t0)"
        .endm
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        AMO amoswap.w
        AMO amoadd.w.aq
        AMO amoxor.w.rl
        AMO amoand.w.aqrl
        AMO amoor.w
        AMO amomin.w.aq
        AMO amomax.w.rl
        AMO amominu.w.aqrl
        AMO amomaxu.w
        AMO amoswap.d.aqrl
        AMO amoadd.d
        AMO amoxor.d.aq
        AMO amoand.d.rl
        AMO amoor.d.aqrl
        AMO amomin.d
        AMO amomax.d.aq
        AMO amominu.d.rl
        AMO amomaxu.d.aqrl
        # rd = x0 still performs the write; rd == rs2
        la t0, cell
        li a1, 40
        sd a1, 0(t0)
        li a2, 2
        amoadd.d x0, a2, (t0)
        amoadd.d a2, a2, (t0)
        ld a1, 0(t0)
        PR rdx0, a1
        PR rdrs2, a2
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
