# Bare-metal guest for the gdb stub tests (M-mode, -bios none, loaded at 0x80000000, symbols kept).
# It calls `work` ROUNDS times; each call adds its argument to `counter` and keeps a running sum in
# `total`; then `finish` prints "DONE <counter as one letter>" on the UART and powers off through the
# SiFive test device. The values are fixed, so jemu and QEMU must show the same registers and memory.
        .equ UART, 0x10000000
        .equ TEST, 0x100000
        .equ ROUNDS, 5

        .option norelax         # no gp-relative addressing: nothing sets gp
        .section .text
        .globl _start
_start:
        la sp, stack_top
        li t0, 0x2000           # mstatus.FS = initial: the F/D registers are usable
        csrs mstatus, t0
        li s0, 0                # round
        li s1, ROUNDS
        li a1, 0x1234
        li a2, 0x5678
        fcvt.d.l fa0, s1
loop:
        addi a0, s0, 3
        call work
        addi s0, s0, 1
        blt s0, s1, loop
        call finish
1:      j 1b

        .globl work
work:
        la t0, counter
        lw t1, 0(t0)
        add t1, t1, a0
        sw t1, 0(t0)
        la t2, total
        ld t3, 0(t2)
        add t3, t3, t1
        sd t3, 0(t2)
        ret

        .globl finish
finish:
        li t0, UART
        la t1, done
2:      lbu t2, 0(t1)
        beqz t2, 3f
        sb t2, 0(t0)
        addi t1, t1, 1
        j 2b
3:      la t1, counter
        lw t2, 0(t1)
        addi t2, t2, 'A'
        sb t2, 0(t0)
        li t2, '\n'
        sb t2, 0(t0)
        li t0, TEST
        li t1, 0x5555
        sw t1, 0(t0)
4:      j 4b

        .section .rodata
done:   .asciz "DONE "

        .section .data
        .balign 8
        .globl counter
counter: .word 0, 0xfeedf00d
        .globl total
total:  .dword 0
        .balign 16
stack:  .space 256
stack_top:
