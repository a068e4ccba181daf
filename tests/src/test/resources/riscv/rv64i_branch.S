# Conditional branches over signed/unsigned edge pairs (taken or not, forward and backward),
# JAL/JALR link values, JALR clearing bit 0 of the target, JALR with rd == rs1, far jumps.
        .include "common.inc"
        .section .rodata
        .align 3
values: .dword 0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffff, 0x80000000, 2
        .equ NVALUES, 8
        .text
        # branch stubs: a0 = 1 if taken, 0 if not
        .macro BR op:req
        OPS 2, 0, "\op", "li a0, 1", "\op a1, a2, 9f", "li a0, 0", "9:"
        .endm
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        BR beq
        BR bne
        BR blt
        BR bge
        BR bltu
        BR bgeu
        # backward branch loop: count down 10..0
        li a0, 0
        li a1, 10
1:      addi a0, a0, 3
        addi a1, a1, -1
        bnez a1, 1b
        PR loop, a0
        # JAL link = address of the next instruction
        .option push
        .option norvc
2:      jal a0, 3f
3:      la a1, 2b
        sub a0, a0, a1
        PR jal_link, a0
        # JALR: target bit 0 cleared, link correct
        la a1, 4f
        addi a1, a1, 1
5:      jalr a0, 0(a1)
        li a2, 0xbad
        PR not_reached, a2
4:      la a1, 5b
        sub a0, a0, a1
        PR jalr_link, a0
        # JALR with an offset and rd == rs1: target from the old value
        la a0, 6f
        addi a0, a0, -12
7:      jalr a0, 12(a0)
        PR not_reached2, a0
6:      la a1, 7b
        sub a0, a0, a1
        PR jalr_rd_rs1, a0
        # JALR with an odd offset
        la a1, 8f
        addi a1, a1, -3
10:     jalr a2, 3(a1)
        PR not_reached3, a1
8:      la a1, 10b
        sub a2, a2, a1
        PR jalr_odd, a2
        # JAL with rd = x0 forward far (> 2 KiB) and back
        jal x0, far_fwd
far_back:
        PR far, a3
        .option pop
        # compare-with-zero pseudo branches
        li a0, -5
        li a1, 0
        bltz a0, 11f
        ori a1, a1, 1
11:     bgez a0, 12f
        ori a1, a1, 2
12:     blez a0, 13f
        ori a1, a1, 4
13:     bgtz a0, 14f
        ori a1, a1, 8
14:     PR bz, a1
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
        .space 4096
far_fwd:
        li a3, 0x4242
        j far_back
