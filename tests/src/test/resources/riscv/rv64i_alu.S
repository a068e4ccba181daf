# RV64I register-register and register-immediate ALU operations, LUI and AUIPC, x0 as destination.
        .include "common.inc"
        .section .rodata
        .align 3
values: .dword 0, 1, -1, 2, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffff, 0xffffffff80000000
        .dword 0x00000000ffffffff, 0x123456789abcdef0, 63, 65
        .equ NVALUES, 12
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        R add
        R sub
        R and
        R or
        R xor
        R slt
        R sltu
        R sll
        R srl
        R sra
        .irp imm, 0, 1, -1, 2047, -2048, 0x555
        I addi, \imm
        I slti, \imm
        I sltiu, \imm
        I xori, \imm
        I ori, \imm
        I andi, \imm
        .endr
        .irp sh, 0, 1, 31, 32, 33, 63
        I slli, \sh
        I srli, \sh
        I srai, \sh
        .endr
        # LUI: sign-extension of bit 31, AUIPC relative to its own address
        lui a0, 0x80000
        PR lui80000, a0
        lui a0, 0x7ffff
        PR lui7ffff, a0
        lui a0, 0xfffff
        PR luifffff, a0
        lui a0, 0
        PR lui0, a0
1:      auipc a0, 0
        la a1, 1b
        sub a0, a0, a1
        PR auipc0, a0
2:      auipc a0, 0x80000
        la a1, 2b
        sub a0, a0, a1
        PR auipc80000, a0
3:      auipc a0, 0x7ffff
        la a1, 3b
        sub a0, a0, a1
        PR auipc7ffff, a0
        # writes to x0 are discarded
        li a1, 5
        add x0, a1, a1
        addi x0, x0, 7
        lui x0, 0x12345
        mv a0, x0
        PR x0, a0
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
