# Precise traps in hot code: a loop that has run thousands of times takes a load page fault, an
# illegal instruction and a misaligned-free but faulting store at a late iteration; the handler must
# see mepc at the faulting instruction and every earlier register write of that iteration done, none
# of the later ones. Then timer interrupts land in a hot loop that must still compute the exact sum.
        .include "common.inc"
        .equ N, 20000
        .data
        .align 3
buf:    .space 64
nirq:   .dword 0
        .text
        # recording handler for the fault part: keeps mcause, mepc offset and the loop registers
        .align 2
rec_trap:
        csrrw sp, mscratch, sp
        addi sp, sp, -32
        sd t0, 0(sp)
        sd t1, 8(sp)
        csrr t0, mcause
        la t1, seen
        sd t0, 0(t1)
        csrr t0, mepc
        sd t0, 8(t1)
        sd s1, 16(t1)
        sd s2, 24(t1)
        sd s3, 32(t1)
        sd s4, 40(t1)
        la t0, resume           # leave the loop
        csrw mepc, t0
        ld t0, 0(sp)
        ld t1, 8(sp)
        addi sp, sp, 32
        csrrw sp, mscratch, sp
        mret

        .macro SHOW tag:req, label:req
        la t1, seen
        ld a0, 0(t1)
        PR \tag\()_cause, a0
        ld a0, 8(t1)
        la t0, \label
        sub a0, a0, t0
        PR \tag\()_epc_off, a0
        ld a0, 16(t1)
        PR \tag\()_i, a0
        ld a0, 24(t1)
        PR \tag\()_before, a0
        ld a0, 32(t1)
        PR \tag\()_after, a0
        ld a0, 40(t1)
        PR \tag\()_acc, a0
        .endm

        # irq_hook: count, push mtimecmp away
irq:    la t0, nirq
        ld t1, 0(t0)
        addi t1, t1, 1
        sd t1, 0(t0)
        li t0, CLINT_MTIMECMP
        li t1, -1
        sd t1, 0(t0)
        ret
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la t0, rec_trap
        csrw mtvec, t0
        .option push
        .option norvc
        # 1. load access fault at iteration N-7: s2 written before, s3 after the load
        li s1, 0
        li s4, 0
        la s5, buf
        li s6, 0x88000000 - (N - 7) * 8
1:      addi s2, s1, 100        # before
        slli t0, s1, 3
        add t0, t0, s6
        li t1, N - 7
        beq s1, t1, 2f
        mv t0, s5               # harmless address except at the chosen iteration
2:
f1:     ld t2, 0(t0)
        addi s3, s1, 200        # after
        add s4, s4, s1
        addi s1, s1, 1
        li t1, N
        blt s1, t1, 1b
        j resume
resume_1:
        .option pop
        SHOW load, f1
        # 2. illegal instruction at iteration N-3 (a CSR that does not exist, read only then)
        li s1, 0
        li s4, 0
        .option push
        .option norvc
3:      addi s2, s1, 100
        li t1, N - 3
        bne s1, t1, 4f
f2:     csrr t2, 0x0ff
4:      addi s3, s1, 200
        add s4, s4, s1
        addi s1, s1, 1
        li t1, N
        blt s1, t1, 3b
        .option pop
        j resume
irq_part:
        # 3. timer interrupts in a hot loop: the sum must be exact
        la t0, trap_m
        csrw mtvec, t0
        la t0, irq
        la t1, irq_hook
        sd t0, 0(t1)
        li t0, 1 << 7
        csrw mie, t0
        csrsi mstatus, MSTATUS_MIE
        li s7, 0                # loop of loops: re-arm the timer every outer round
        li s4, 0
5:      li t0, CLINT_MTIME
        ld t1, 0(t0)
        addi t1, t1, 300
        li t0, CLINT_MTIMECMP
        sd t1, 0(t0)
        li s1, 0
6:      add s4, s4, s1
        xor s4, s4, s7
        addi s1, s1, 1
        li t1, N
        blt s1, t1, 6b
        addi s7, s7, 1
        li t1, 20
        blt s7, t1, 5b
        csrci mstatus, MSTATUS_MIE
        csrw mie, zero
        PR irq_loop_sum, s4
        la t0, nirq
        ld t0, 0(t0)
        snez t0, t0
        PR irq_taken, t0
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

        # the handler resumes here; the first time it shows the load case, then the illegal one
resume: la t0, phase
        ld t1, 0(t0)
        addi t1, t1, 1
        sd t1, 0(t0)
        li t2, 1
        beq t1, t2, resume_1
        SHOW illegal, f2
        j irq_part

        .data
        .align 3
seen:   .dword 0, 0, 0, 0, 0, 0
phase:  .dword 0
