# Self-modifying code: instructions rewritten in place and executed after FENCE.I, a code buffer
# reused for different instructions (a decoded-instruction cache must notice), a write to one half
# of a 32-bit instruction, and code generated into a fresh page.
        .include "common.inc"
        .data
        .align 12
buf:    .space 64
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la s0, buf
        li s1, 0x00008067       # ret
        # round 1: addi a0, zero, 1 ; ret
        li t0, 0x00100513
        sw t0, 0(s0)
        sw s1, 4(s0)
        fence.i
        jalr ra, 0(s0)
        PR round1, a0
        # round 2: the same slot now holds addi a0, zero, 2
        li t0, 0x00200513
        sw t0, 0(s0)
        fence.i
        jalr ra, 0(s0)
        PR round2, a0
        # loop: run the buffer repeatedly, patching the immediate each time
        li s2, 0
        li s3, 0
1:      slli t0, s2, 20
        li t1, 0x00050513       # addi a0, a0, imm
        or t0, t0, t1
        sw t0, 0(s0)
        fence.i
        li a0, 100
        jalr ra, 0(s0)
        add s3, s3, a0
        addi s2, s2, 1
        li t0, 40
        blt s2, t0, 1b
        PR loop_sum, s3
        # rewrite only the upper half (immediate bits) of an instruction
        li t0, 0x00300513       # addi a0, zero, 3
        sw t0, 0(s0)
        fence.i
        li t0, 0x7ff0
        sh t0, 2(s0)            # -> addi a0, zero, 0x7ff
        fence.i
        jalr ra, 0(s0)
        PR halfpatch, a0
        # compressed code: c.li a0, 5 ; c.jr ra
        li t0, 0x80824515
        sw t0, 0(s0)
        fence.i
        jalr ra, 0(s0)
        PR compressed, a0
        # the code under execution overwrites its own next instruction
        la t1, 2f
        li t0, 0x02a00593       # addi a1, zero, 42
        li a1, 0
        sw t0, 0(t1)
        fence.i
        .option push
        .option norvc
2:      addi a1, zero, 7
        .option pop
        PR selfpatch, a1
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
