// Bare-metal A64 register fuzzer, the aarch64 twin of riscv-fuzz/mmio_fuzz.S: ACCESSES pseudo-random loads
// and stores of 1, 2, 4 and 8 bytes over the aarch64 virt board's device windows, with values biased to
// boundaries. windows.inc is generated at test time (GuestFuzzArm64Test) from the same address space the
// in-process fuzzer walks. It runs at EL1 with the MMU off (every access is Device memory, so a misaligned
// one is an alignment fault) and DAIF masked; the synchronous exception handler skips the faulting access
// (ELR + 4) and counts it in x28. Every HEARTBEAT accesses it re-initialises the PL011 (the random stores may
// have disabled it) and prints "[hb NNNN]"; at the end "[faults N]" and "[end]", then PSCI SYSTEM_OFF (HVC).
// Build: aarch64-linux-gnu-as --defsym SEED=n -I <dir of windows.inc>; ld -T aarch64/link.ld.
        .include "windows.inc"      // NWIN, ACCESSES, HEARTBEAT, UART, GUARD_LO, GUARD_SIZE, windows

        .section .text.init
        .globl _start
_start:
        adr x0, vectors
        msr vbar_el1, x0
        isb
        ldr x19, =SEED              // xorshift64 state (SEED != 0)
        ldr x20, =ACCESSES
        ldr x21, =HEARTBEAT
        mov x22, #0                 // heartbeats printed
        ldr x23, =windows
        mov x24, #NWIN
        mov x28, #0                 // faults skipped (the handler counts them)
loop:
        bl rand
        mov x2, x0                  // r
        // window = windows[r % NWIN]
        udiv x3, x2, x24
        msub x3, x3, x24, x2
        add x3, x23, x3, lsl #4
        ldp x4, x5, [x3]            // base, size
        // size code (r >> 8) & 3, offset mode (r >> 10) & 7, write (r >> 13) & 1
        ubfx x6, x2, #8, #2
        mov x7, #1
        lsl x7, x7, x6              // access size
        ubfx x8, x2, #10, #3
        lsr x9, x2, #16
        neg x10, x7                 // alignment mask
        cmp x8, #5
        b.lo low_regs
        b.eq anywhere
        cmp x8, #6
        b.eq at_end
        and x9, x9, #0x1ff          // misaligned low offset
        udiv x11, x9, x5
        msub x9, x11, x5, x9
        b have_off
low_regs:
        and x9, x9, #0x1ff
        udiv x11, x9, x5
        msub x9, x11, x5, x9
        and x9, x9, x10
        b have_off
anywhere:
        udiv x11, x9, x5
        msub x9, x11, x5, x9
        and x9, x9, x10
        b have_off
at_end:                             // the last 8 bytes: some accesses cross the end
        and x9, x9, #7
        add x9, x9, #1
        sub x9, x5, x9
have_off:
        add x0, x4, x9              // address
        // value: (r >> 56) & 7 picks 0, ~0, 2^31, 2^32-1, 2^63, small, a power of two, random
        ubfx x10, x2, #56, #3
        lsr x11, x2, #40
        mov x1, #0
        cbz x10, have_val
        mov x1, #-1
        cmp x10, #1
        b.eq have_val
        mov x1, #0x80000000
        cmp x10, #2
        b.eq have_val
        mov x1, #0xffffffff
        cmp x10, #3
        b.eq have_val
        mov x1, #0x8000000000000000
        cmp x10, #4
        b.eq have_val
        and x1, x11, #0x1ff
        cmp x10, #5
        b.eq have_val
        and x11, x11, #63
        mov x1, #1
        lsl x1, x1, x11
        cmp x10, #6
        b.eq have_val
        mov x12, x0
        bl rand
        mov x1, x0
        mov x0, x12
have_val:
        // never point a device at this program (its low 32 bits inside the guard): DMA could overwrite it
        mov w10, w1
        ldr x11, =GUARD_LO
        sub x10, x10, x11
        ldr x11, =GUARD_SIZE
        cmp x10, x11
        b.hs 1f
        eor x1, x1, #0x100000
1:
        // dispatch: (write * 4 + size code) * 8 into the table below
        ubfx x10, x2, #13, #1
        add x10, x6, x10, lsl #2
        adr x11, accesses
        add x11, x11, x10, lsl #3
        br x11
accesses:
        ldrb w12, [x0]
        b done
        ldrh w12, [x0]
        b done
        ldr w12, [x0]
        b done
        ldr x12, [x0]
        b done
        strb w1, [x0]
        b done
        strh w1, [x0]
        b done
        str w1, [x0]
        b done
        str x1, [x0]
        b done
done:
        subs x21, x21, #1
        b.ne 3f
        ldr x21, =HEARTBEAT
        add x22, x22, #1
        bl heartbeat
3:
        subs x20, x20, #1
        b.ne loop
        bl uart_init
        ldr x0, =faults_msg
        bl puts
        mov x22, x28
        mov x25, #28
        bl hex_digits
        ldr x0, =end_msg
        bl puts
        ldr x0, =0x84000008         // PSCI SYSTEM_OFF
        hvc #0
4:      b 4b

// x0 = next xorshift64 value of x19
rand:
        eor x19, x19, x19, lsl #13
        eor x19, x19, x19, lsr #7
        eor x19, x19, x19, lsl #17
        mov x0, x19
        ret

// the PL011 back to enabled, transmitting, no loopback, no interrupts
uart_init:
        ldr x13, =UART
        mov w14, #0x70              // UARTLCR_H: 8 bits, FIFOs on
        str w14, [x13, #0x2c]
        mov w14, #0x301             // UARTCR: UARTEN, TXE, RXE
        str w14, [x13, #0x30]
        str wzr, [x13, #0x38]       // UARTIMSC
        ret

// prints "[hb NNNN]\n" with x22 in hex
heartbeat:
        mov x16, x30
        bl uart_init
        ldr x0, =hb_msg
        bl puts
        mov x25, #12
        bl hex_digits
        mov x30, x16
        ret

// prints x22 in hex from bit x25 down, then "]\n"
hex_digits:
        mov x18, x30
5:      lsr x0, x22, x25
        and x0, x0, #15
        ldr x1, =hex
        ldrb w0, [x1, x0]
        bl putc
        subs x25, x25, #4
        b.ge 5b
        mov x0, #']'
        bl putc
        mov x0, #'\n'
        bl putc
        mov x30, x18
        ret

puts:
        mov x17, x30
        mov x26, x0
6:      ldrb w0, [x26], #1
        cbz w0, 7f
        bl putc
        b 6b
7:      mov x30, x17
        ret

putc:
        ldr x13, =UART
8:      ldr w14, [x13, #0x18]       // UARTFR: wait while TXFF
        tbnz w14, #5, 8b
        str w0, [x13]
        ret
        .ltorg

// EL1 vectors: a synchronous exception from EL1 (a data abort on a device window) skips the access; anything
// else stops the program where it is (the run then times out and says so)
        .balign 0x800
vectors:
        .rept 16
        .balign 0x80
        b vector
        .endr
vector:
        mrs x27, esr_el1
        lsr x27, x27, #26
        cmp x27, #0x25              // data abort from the same EL
        b.ne .
        mrs x27, elr_el1
        add x27, x27, #4
        msr elr_el1, x27
        add x28, x28, #1
        eret

        .section .rodata
hb_msg: .asciz "[hb "
faults_msg: .asciz "[faults "
end_msg: .asciz "[end]\n"
hex:    .ascii "0123456789abcdef"
