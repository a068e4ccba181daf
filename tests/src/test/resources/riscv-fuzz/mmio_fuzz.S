# Bare-metal RV64 register fuzzer (issue 14): ACCESSES pseudo-random loads and stores of 1, 2, 4 and 8 bytes
# over the board's device windows, with values biased to boundaries. The windows come from the board's
# memory map: windows.inc is generated at test time (GuestFuzzTest) from the same table the in-process
# fuzzer uses, so the program follows the board. Access faults are skipped by the trap handler. Every
# HEARTBEAT accesses it re-initialises the UART (the random stores may have set DLAB or loopback) and prints
# "[hb NNNN]"; at the end "[faults N]" (accesses the handler skipped) and "[end]", then it powers off through the SiFive test device.
# Build: riscv64-unknown-elf-as -march=rv64gc --defsym SEED=n -I <dir of windows.inc>; ld -T link.ld.
        .include "windows.inc"      # NWIN, windows (base, size), UART, TEST, GUARD_LO, GUARD_SIZE
        .option norvc               # every instruction 4 bytes: the handler skips a fault with mepc + 4

        .section .text.init
        .globl _start
_start:
        la t0, trap
        csrw mtvec, t0
        li s0, SEED                 # xorshift64 state (SEED != 0)
        li s1, ACCESSES
        li s2, HEARTBEAT
        li s3, 0                    # heartbeats printed
        la s4, windows
        li s5, NWIN
        li s6, 0                    # faults skipped (gp counts them in the handler)
        li gp, 0
loop:
        call rand
        mv a2, a0                   # r
        # window = windows[r % NWIN]
        remu t0, a2, s5
        slli t0, t0, 4
        add t0, t0, s4
        ld a3, 0(t0)                # base
        ld a4, 8(t0)                # size
        # size code (r >> 8) & 3, offset mode (r >> 10) & 7, write (r >> 13) & 1
        srli t1, a2, 8
        andi t1, t1, 3
        li t2, 1
        sll t2, t2, t1              # access size
        srli t3, a2, 10
        andi t3, t3, 7
        srli a5, a2, 16
        li t4, 5
        blt t3, t4, low_regs
        beq t3, t4, anywhere
        li t4, 6
        beq t3, t4, at_end
        andi a5, a5, 0x1ff          # misaligned low offset
        remu a5, a5, a4
        j have_off
low_regs:
        andi a5, a5, 0x1ff
        remu a5, a5, a4
        neg t4, t2
        and a5, a5, t4
        j have_off
anywhere:
        remu a5, a5, a4
        neg t4, t2
        and a5, a5, t4
        j have_off
at_end:                             # the last 8 bytes: some accesses cross the end
        andi a5, a5, 7
        addi a5, a5, 1
        sub a5, a4, a5
have_off:
        add a0, a3, a5              # address
        # value: (r >> 56) & 7 picks 0, ~0, 2^31, 2^32-1, 2^63, small, a power of two, random
        srli t4, a2, 56
        andi t4, t4, 7
        srli t5, a2, 40
        li a1, 0
        beqz t4, have_val
        li a1, -1
        li t6, 1
        beq t4, t6, have_val
        li a1, 0x80000000
        li t6, 2
        beq t4, t6, have_val
        li a1, 0xffffffff
        li t6, 3
        beq t4, t6, have_val
        li a1, 1
        slli a1, a1, 63
        li t6, 4
        beq t4, t6, have_val
        andi a1, t5, 0x1ff
        li t6, 5
        beq t4, t6, have_val
        andi t5, t5, 63
        li a1, 1
        sll a1, a1, t5
        li t6, 6
        beq t4, t6, have_val
        mv s7, a0
        call rand
        mv a1, a0
        mv a0, s7
have_val:
        # never point a device at this program (its low 32 bits inside the guard): DMA could overwrite it
        li t4, 0xffffffff
        and t4, a1, t4
        li t5, GUARD_LO
        sub t4, t4, t5
        li t5, GUARD_SIZE
        bgeu t4, t5, 1f
        li t5, 0x100000
        xor a1, a1, t5
1:
        # and never command the test device to end or reset the run
        li t4, TEST
        sub t4, a0, t4
        li t5, 8
        bgeu t4, t5, 2f
        li a1, 0
2:
        # dispatch: (write * 4 + size code) * 8 into the table below
        srli t4, a2, 13
        andi t4, t4, 1
        slli t4, t4, 2
        add t4, t4, t1
        slli t4, t4, 3
        la t5, accesses
        add t5, t5, t4
        jr t5
accesses:
        lb t6, 0(a0)
        j done
        lh t6, 0(a0)
        j done
        lw t6, 0(a0)
        j done
        ld t6, 0(a0)
        j done
        sb a1, 0(a0)
        j done
        sh a1, 0(a0)
        j done
        sw a1, 0(a0)
        j done
        sd a1, 0(a0)
        j done
done:
        addi s2, s2, -1
        bnez s2, 3f
        li s2, HEARTBEAT
        addi s3, s3, 1
        call heartbeat
3:
        addi s1, s1, -1
        bnez s1, loop
        call uart_init
        la a0, faults_msg
        call puts
        mv s3, gp
        li s9, 28
        call hex_digits
        la a0, end_msg
        call puts
        li t0, TEST
        li t1, 0x5555
        sw t1, 0(t0)
4:      j 4b

# a0 = next xorshift64 value of s0
rand:
        slli t6, s0, 13
        xor s0, s0, t6
        srli t6, s0, 7
        xor s0, s0, t6
        slli t6, s0, 17
        xor s0, s0, t6
        mv a0, s0
        ret

# the UART back to 8N1, no DLAB, no loopback, no FIFO, no interrupts
uart_init:
        li t0, UART
        li t1, 3
        sb t1, 3(t0)
        sb zero, 4(t0)
        sb zero, 1(t0)
        sb zero, 2(t0)
        ret

# prints "[hb NNNN]\n" with s3 in hex
heartbeat:
        mv s8, ra
        call uart_init
        la a0, hb_msg
        call puts
        li s9, 12
        call hex_digits
        mv ra, s8
        ret

# prints s3 in hex from bit s9 down, then "]\n"
hex_digits:
        mv s7, ra
5:      srl t0, s3, s9
        andi t0, t0, 15
        la t1, hex
        add t1, t1, t0
        lbu a0, 0(t1)
        call putc
        addi s9, s9, -4
        bgez s9, 5b
        li a0, ']'
        call putc
        li a0, '\n'
        call putc
        mv ra, s7
        ret

puts:
        mv s10, ra
        mv s11, a0
6:      lbu a0, 0(s11)
        beqz a0, 7f
        call putc
        addi s11, s11, 1
        j 6b
7:      mv ra, s10
        ret

putc:
        li t0, UART
8:      lbu t1, 5(t0)               # wait for THR empty
        andi t1, t1, 0x20
        beqz t1, 8b
        sb a0, 0(t0)
        ret

# M-mode trap handler: skip the faulting access (all instructions are 4 bytes); gp counts the faults
        .balign 4
trap:
        csrw mscratch, t0
        csrr t0, mepc
        addi t0, t0, 4
        csrw mepc, t0
        csrr t0, mscratch
        addi gp, gp, 1
        mret

        .section .rodata
hb_msg: .asciz "[hb "
faults_msg: .asciz "[faults "
end_msg: .asciz "[end]\n"
hex:    .ascii "0123456789abcdef"
