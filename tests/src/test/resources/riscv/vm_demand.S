# Demand paging as a kernel does it: U code touches pages that are not mapped yet; the load/store
# page faults are delegated to an S handler that maps a fresh page, SFENCE.VMAs it and returns to
# retry the instruction. Also a store to a read-only page upgraded by the handler, and U returning
# its result through a (delegated) ECALL that the S handler turns into the end of the test.
        .include "common.inc"
        .include "vm.inc"
        .equ UVA, 0x100000000
        .equ UALIAS, 0x180000000
        .equ UOFF, UALIAS - 0x80000000
        .bss
        .align 12
root:   .space 4096
l1:     .space 4096
l0:     .space 4096
frames: .space 8 * 4096
        .data
        .align 3
nextframe: .dword 0
nfaults: .dword 0
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        SETPTEI root, 0, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        SETPTEI root, 2, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
        SETPTEI root, 6, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
        SETPTE root, 4, l1, PTE_V
        SETPTE l1, 0, l0, PTE_V
        SV39_ON root
        la t0, s_handler
        csrw stvec, t0
        li t0, (1 << 8) | (1 << 13) | (1 << 15)     # U ecall, load and store page faults
        csrw medeleg, t0
        la a0, u_main
        li t0, UOFF
        add a0, a0, t0
        li a1, 0
        call run_in_mode
        FAIL 3

        # U: sum of 6 pages (each first written, then read back), a write to page 7 (read-only)
u_main: li t0, UOFF
        add sp, sp, t0
        li s0, UVA
        li s1, 0
        li s2, 0
1:      slli t0, s1, 12
        add t0, t0, s0
        addi t1, s1, 100
        sd t1, 16(t0)           # store fault on a new page
        ld t2, 16(t0)
        add s2, s2, t2
        addi s1, s1, 1
        li t0, 6
        blt s1, t0, 1b
        li t0, 7 << 12
        add t0, t0, s0
        ld t1, 0(t0)            # load fault: mapped read-only
        sd s2, 0(t0)            # store fault on a read-only page: upgraded
        ld a0, 0(t0)
        li a7, 1
        ecall                   # to S: print a0 and finish

        .align 2
s_handler:
        csrrw sp, sscratch, sp
        addi sp, sp, -64
        sd ra, 0(sp)
        sd a0, 8(sp)
        sd a1, 16(sp)
        sd a2, 24(sp)
        sd a3, 32(sp)
        sd t0, 40(sp)
        csrr t0, scause
        li a0, 8
        beq t0, a0, .Lecall
        PUTS "fault c="
        csrr a0, scause
        call print_hex
        PUTS " v="
        csrr a0, stval
        call print_hex
        li a0, '\n'
        call putc
        la t0, nfaults
        ld a0, 0(t0)
        addi a0, a0, 1
        sd a0, 0(t0)
        # page index in l0
        csrr a1, stval
        srli a1, a1, 12
        andi a1, a1, 511
        slli t0, a1, 3
        la a0, l0
        add t0, t0, a0
        ld a3, 0(t0)
        andi a2, a3, PTE_V
        beqz a2, 2f
        # present but read-only: add W (and D)
        ori a3, a3, PTE_W | PTE_D
        sd a3, 0(t0)
        j 3f
2:      la t0, nextframe        # a fresh frame; page 7 starts read-only
        ld a2, 0(t0)
        addi a3, a2, 1
        sd a3, 0(t0)
        slli a2, a2, 12
        la a3, frames
        add a2, a2, a3
        li a3, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
        li t0, 7
        bne a1, t0, 4f
        li a3, PTE_V | PTE_R | PTE_U | PTE_A
4:      call set_pte
3:      csrr a0, stval
        sfence.vma a0, zero
        ld ra, 0(sp)
        ld a0, 8(sp)
        ld a1, 16(sp)
        ld a2, 24(sp)
        ld a3, 32(sp)
        ld t0, 40(sp)
        addi sp, sp, 64
        csrrw sp, sscratch, sp
        sret
.Lecall:
        ld a0, 8(sp)
        PR u_result, a0
        la t0, nfaults
        ld a0, 0(t0)
        PR faults, a0
        la t0, frames + 7 * 4096 - 7 * 4096 + 6 * 4096
        ld a0, 0(t0)
        PR frame6_word0, a0
        PUTS "END\n"
        li a0, 0
        j exit
