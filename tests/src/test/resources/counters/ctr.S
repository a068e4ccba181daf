# ctr: a static riscv64 Linux program (no libc) reading a user-mode counter CSR twice around 10,000 loop
# turns. `ctr t|c|i` reads time, cycle or instret and prints "CTR <t|c|i> <first> <second>" (decimal).
# A counter that user mode may not read raises SIGILL (the shell reports status 132).
        .equ SYS_WRITE, 64
        .equ SYS_EXIT, 93
        .text
        .globl _start
_start:
        ld a1, 16(sp)                   # argv[1]
        lbu s0, 0(a1)
        li t0, 'c'
        beq s0, t0, cycle
        li t0, 'i'
        beq s0, t0, instret
time:   rdtime s1
        call spin
        rdtime s2
        j report
cycle:  rdcycle s1
        call spin
        rdcycle s2
        j report
instret:
        rdinstret s1
        call spin
        rdinstret s2
report: addi sp, sp, -128               # the line at sp, digits at sp + 80
        mv s3, sp
        li t0, 'C'
        sb t0, 0(s3)
        li t0, 'T'
        sb t0, 1(s3)
        li t0, 'R'
        sb t0, 2(s3)
        li t0, ' '
        sb t0, 3(s3)
        sb s0, 4(s3)
        addi s3, s3, 5
        mv a0, s1
        call dec
        mv a0, s2
        call dec
        li t0, '\n'
        sb t0, 0(s3)
        addi s3, s3, 1
        li a0, 1
        mv a1, sp
        sub a2, s3, a1
        li a7, SYS_WRITE
        ecall
        li a0, 0
        li a7, SYS_EXIT
        ecall
spin:   li t0, 10000
1:      addi t0, t0, -1
        bnez t0, 1b
        ret
dec:                                    # appends " <a0 in decimal>" at s3
        li t0, ' '
        sb t0, 0(s3)
        addi s3, s3, 1
        addi t1, sp, 104
        li t2, 10
1:      remu t3, a0, t2
        divu a0, a0, t2
        addi t3, t3, '0'
        addi t1, t1, -1
        sb t3, 0(t1)
        bnez a0, 1b
        addi t2, sp, 104
2:      lbu t3, 0(t1)
        sb t3, 0(s3)
        addi s3, s3, 1
        addi t1, t1, 1
        bne t1, t2, 2b
        ret
