# Heartbeat guest for the monitor tests (bare metal, M-mode, -bios none, loaded at 0x80000000).
# Every 50 ms of guest time (CLINT mtime, 10 MHz) it increments `beats` and prints "beat <16 hex digits>\n"
# on the 16550 UART; between beats it spins on mtime, so the hart never halts: a paused machine is the only
# reason the beats stop. `magic` holds a known pattern for the monitors' memory dump (x/xp).
        .equ UART, 0x10000000
        .equ MTIME, 0x200bff8
        .equ PERIOD, 500000

        .option norelax         # no gp-relative addressing: nothing sets gp
        .section .text
        .globl _start
_start:
        li s0, UART
        li s1, MTIME
        la s2, beats
        ld s3, 0(s1)
next:
        li t0, PERIOD
        add s3, s3, t0
wait:
        ld t0, 0(s1)
        bltu t0, s3, wait
        ld s4, 0(s2)
        addi s4, s4, 1
        sd s4, 0(s2)
        la a0, prefix
        call puts
        li t1, 60
digit:
        srl t2, s4, t1
        andi t2, t2, 15
        la t3, hexdigits
        add t3, t3, t2
        lbu a0, 0(t3)
        call putc
        addi t1, t1, -4
        bgez t1, digit
        li a0, '\n'
        call putc
        j next

puts:
        mv t4, ra
        mv t5, a0
1:      lbu a0, 0(t5)
        beqz a0, 2f
        call putc
        addi t5, t5, 1
        j 1b
2:      mv ra, t4
        ret

putc:
1:      lbu t6, 5(s0)           # LSR: wait for THR empty
        andi t6, t6, 0x20
        beqz t6, 1b
        sb a0, 0(s0)
        ret

        .section .rodata
prefix: .asciz "beat "
hexdigits: .ascii "0123456789abcdef"

        .section .data
        .balign 16
        .globl magic
magic:  .quad 0x1122334455667788, 0x99aabbccddeeff00, 0x0123456789abcdef, 0xfedcba9876543210
beats:  .quad 0
