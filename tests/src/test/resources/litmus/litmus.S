# Litmus tests for SMP riscv64 virt (bare metal, -bios none -kernel litmus.elf -smp NHARTS).
#
# Every hart enters _start with a0 = mhartid (as on QEMU's virt). Harts 0..NHARTS-1 take part, any other
# parks in WFI. Built with --defsym NHARTS=n (even), ITER=litmus iterations, ITER_C=counter iterations per
# hart, SEED=stagger seed. Hart 0 prints one line per test on the UART, then powers off through the test
# device (0x5555; a trap: 0x3333 | cause << 16). The harness (LitmusTest) decides what is forbidden.
#
# Two-hart tests run on pairs (harts 2p and 2p+1, role = hartid & 1), each pair on its own variables; every
# iteration: role 0 resets the variables, pair barrier, a seeded random delay on each side, the test's code,
# pair barrier, role 0 tallies the outcome (r0, r1 in 0..2) into the pair's 3x3 histogram.
# Printed: "LITMUS <name> <r0r1>=<count> ... total=<n>" (non-zero cells only, summed over the pairs) and
# "COUNT <name> <decimal value>" for the counters every hart updated, "SCFAIL <n>" (LR/SC retries, informational).

        .equ UART, 0x10000000
        .equ TESTDEV, 0x100000
        .equ PAIR_SIZE, 1024          # per pair: variables, barrier, result slots (each on its own 64-byte line)
        .equ P_X, 0
        .equ P_Y, 64
        .equ P_Z, 128
        .equ P_R0, 192
        .equ P_R1, 256
        .equ P_BCOUNT, 320
        .equ P_BSENSE, 384
        .equ HIST_TEST, 72            # 9 cells of 8 bytes per test
        .equ HIST_PAIR, 1152          # 16 tests per pair
        .equ STACK, 4096

        .section .text.init, "ax"
        .globl _start
_start:
        csrr s0, mhartid
        la t0, trap
        csrw mtvec, t0
        li t0, NHARTS
        bgeu s0, t0, park
        la sp, stacks
        addi t0, s0, 1
        li t1, STACK
        mul t0, t0, t1
        add sp, sp, t0
        # s1 = pair variables, s2 = role, s3 = random state, s5/s6 = pair/global barrier sense, s9 = pair histograms
        srli t0, s0, 1
        li t1, PAIR_SIZE
        mul t1, t0, t1
        la s1, pairs
        add s1, s1, t1
        li t1, HIST_PAIR
        mul t1, t0, t1
        la s9, hists
        add s9, s9, t1
        andi s2, s0, 1
        li s3, SEED
        li t0, 0x9e3779b97f4a7c15
        addi t1, s0, 1
        mul t0, t0, t1
        xor s3, s3, t0
        li s5, 0
        li s6, 0
        call global_barrier

        # ---- two-hart tests: a0 = role 0 code, a1 = role 1 code, a2 = test index, a3 = 1: outcome is final (x, y)
        la a0, mp_w
        la a1, mp_r
        li a2, 0
        li a3, 0
        call pair_test
        la a0, mp_w_fence
        la a1, mp_r_fence
        li a2, 1
        li a3, 0
        call pair_test
        la a0, sb_0
        la a1, sb_1
        li a2, 2
        li a3, 0
        call pair_test
        la a0, sb_0_fence
        la a1, sb_1_fence
        li a2, 3
        li a3, 0
        call pair_test
        la a0, corr_w
        la a1, corr_r
        li a2, 4
        li a3, 0
        call pair_test
        la a0, w22_0
        la a1, w22_1
        li a2, 5
        li a3, 1
        call pair_test
        la a0, w22_0_fence
        la a1, w22_1_fence
        li a2, 6
        li a3, 1
        call pair_test
        la a0, lrsc_holder
        la a1, lrsc_breaker
        li a2, 7
        li a3, 0
        call pair_test

        # ---- counters every hart updates
        call global_barrier
        call counters
        call global_barrier
        bnez s0, park

        la a0, n_mp
        li a1, 0
        call print_hist
        la a0, n_mp_fence
        li a1, 1
        call print_hist
        la a0, n_sb
        li a1, 2
        call print_hist
        la a0, n_sb_fence
        li a1, 3
        call print_hist
        la a0, n_corr
        li a1, 4
        call print_hist
        la a0, n_22w
        li a1, 5
        call print_hist
        la a0, n_22w_fence
        li a1, 6
        call print_hist
        la a0, n_lrsc_break
        li a1, 7
        call print_hist

        la a0, n_lrsc_d
        la t0, c_lrsc_d
        ld a1, 0(t0)
        call print_count
        la a0, n_lrsc_w
        la t0, c_lrsc_w
        lw a1, 0(t0)
        call print_count
        la a0, n_add_w
        la t0, c_add_w
        lw a1, 0(t0)
        call print_count
        la a0, n_add_d
        la t0, c_add_d
        ld a1, 0(t0)
        call print_count
        la a0, n_or_d
        la t0, c_or_d
        ld a1, 0(t0)
        call print_count
        la a0, n_max_d
        la t0, c_max_d
        ld a1, 0(t0)
        call print_count
        la a0, n_min_w
        la t0, c_min_w
        lw a1, 0(t0)
        call print_count
        la a0, n_scfail
        la t0, c_scfail
        ld a1, 0(t0)
        call print_count
        la a0, n_end
        call puts
        li t0, TESTDEV
        li t1, 0x5555
        sw t1, 0(t0)
park:
        wfi
        j park

trap:
        csrr t0, mcause
        slli t0, t0, 16
        li t1, 0x3333
        or t0, t0, t1
        li t1, TESTDEV
        sw t0, 0(t1)
        j park

# ---- barriers ---------------------------------------------------------------------------------------------
# Sense-reversing: the last to arrive resets the count and flips the shared sense; the others spin on it.
pair_barrier:
        xori s5, s5, 1
        addi t0, s1, P_BCOUNT
        li t1, 1
        amoadd.w.aqrl t2, t1, (t0)
        beqz t2, 2f
        sw zero, 0(t0)
        fence rw, rw
        sw s5, P_BSENSE(s1)
        ret
2:      lw t2, P_BSENSE(s1)
        bne t2, s5, 2b
        fence rw, rw
        ret

global_barrier:
        xori s6, s6, 1
        la t0, g_count
        li t1, 1
        amoadd.w.aqrl t2, t1, (t0)
        li t3, NHARTS - 1
        bne t2, t3, 2f
        sw zero, 0(t0)
        fence rw, rw
        la t0, g_sense
        sw s6, 0(t0)
        ret
2:      la t0, g_sense
3:      lw t2, 0(t0)
        bne t2, s6, 3b
        fence rw, rw
        ret

# a random delay of 0..127 loop turns from the hart's xorshift state
stagger:
        slli t0, s3, 13
        xor s3, s3, t0
        srli t0, s3, 7
        xor s3, s3, t0
        slli t0, s3, 17
        xor s3, s3, t0
        srli t0, s3, 57
1:      addi t0, t0, -1
        bgez t0, 1b
        ret

# ---- the pair driver ----------------------------------------------------------------------------------------
pair_test:
        addi sp, sp, -48
        sd ra, 0(sp)
        sd s4, 8(sp)
        sd s7, 16(sp)
        sd s8, 24(sp)
        sd s10, 32(sp)
        mv s7, a0
        beqz s2, 1f
        mv s7, a1
1:      li t0, HIST_TEST
        mul t0, t0, a2
        add s8, s9, t0
        mv s10, a3
        li s4, ITER
.Lpt_loop:
        bnez s2, 2f
        sd zero, P_X(s1)
        sd zero, P_Y(s1)
        sd zero, P_Z(s1)
        sd zero, P_R0(s1)
        sd zero, P_R1(s1)
2:      call pair_barrier
        call stagger
        jalr s7
        call pair_barrier
        bnez s2, 4f
        ld t0, P_R0(s1)
        ld t1, P_R1(s1)
        beqz s10, 3f
        ld t0, P_X(s1)
        ld t1, P_Y(s1)
3:      li t2, 3
        mul t0, t0, t2
        add t0, t0, t1
        slli t0, t0, 3
        add t0, t0, s8
        ld t1, 0(t0)
        addi t1, t1, 1
        sd t1, 0(t0)
4:      addi s4, s4, -1
        bnez s4, .Lpt_loop
        call global_barrier
        ld ra, 0(sp)
        ld s4, 8(sp)
        ld s7, 16(sp)
        ld s8, 24(sp)
        ld s10, 32(sp)
        addi sp, sp, 48
        ret

# ---- the tests' code (s1 = pair variables; t registers free; results in P_R0/P_R1) ------------------------
# MP: role 0 writes data x then flag y; role 1 reads flag y (r0) then data x (r1). Forbidden with the fences: 10.
mp_w:
        li t0, 1
        sd t0, P_X(s1)
        sd t0, P_Y(s1)
        ret
mp_r:
        ld t0, P_Y(s1)
        ld t1, P_X(s1)
        sd t0, P_R0(s1)
        sd t1, P_R1(s1)
        ret
mp_w_fence:
        li t0, 1
        sd t0, P_X(s1)
        fence w, w
        sd t0, P_Y(s1)
        ret
mp_r_fence:
        ld t0, P_Y(s1)
        fence r, r
        ld t1, P_X(s1)
        sd t0, P_R0(s1)
        sd t1, P_R1(s1)
        ret
# SB: each writes its variable, then reads the other's. Forbidden with the fences: 00.
sb_0:
        li t0, 1
        sd t0, P_X(s1)
        ld t1, P_Y(s1)
        sd t1, P_R0(s1)
        ret
sb_1:
        li t0, 1
        sd t0, P_Y(s1)
        ld t1, P_X(s1)
        sd t1, P_R1(s1)
        ret
sb_0_fence:
        li t0, 1
        sd t0, P_X(s1)
        fence rw, rw
        ld t1, P_Y(s1)
        sd t1, P_R0(s1)
        ret
sb_1_fence:
        li t0, 1
        sd t0, P_Y(s1)
        fence rw, rw
        ld t1, P_X(s1)
        sd t1, P_R1(s1)
        ret
# CoRR: role 0 writes x = 1 then x = 2; role 1 reads x twice. Forbidden (coherence): the second read older
# than the first: 10, 20, 21.
corr_w:
        li t0, 1
        sd t0, P_X(s1)
        li t0, 2
        sd t0, P_X(s1)
        ret
corr_r:
        ld t0, P_X(s1)
        ld t1, P_X(s1)
        sd t0, P_R0(s1)
        sd t1, P_R1(s1)
        ret
# 2+2W: role 0 writes x = 1, y = 2; role 1 writes y = 1, x = 2; outcome: final (x, y). Forbidden with the
# fences: 11 (each hart's first store last in coherence order).
w22_0:
        li t0, 1
        sd t0, P_X(s1)
        li t0, 2
        sd t0, P_Y(s1)
        ret
w22_1:
        li t0, 1
        sd t0, P_Y(s1)
        li t0, 2
        sd t0, P_X(s1)
        ret
w22_0_fence:
        li t0, 1
        sd t0, P_X(s1)
        fence w, w
        li t0, 2
        sd t0, P_Y(s1)
        ret
w22_1_fence:
        li t0, 1
        sd t0, P_Y(s1)
        fence w, w
        li t0, 2
        sd t0, P_X(s1)
        ret
# LR/SC broken by another hart: role 0 takes a reservation on x (0), tells role 1 through y, waits until
# role 1 has stored x = 2 (flag z), then tries sc x = 1. r0 = 1 if the SC succeeded, r1 = final x.
# Allowed: 02 only (the SC must fail; x keeps role 1's value).
lrsc_holder:
        addi t2, s1, P_X
        lr.d t0, (t2)
        li t1, 1
        sd t1, P_Y(s1)
1:      ld t1, P_Z(s1)
        beqz t1, 1b
        li t1, 1
        sc.d t0, t1, (t2)
        seqz t0, t0
        sd t0, P_R0(s1)
        ld t1, P_X(s1)
        sd t1, P_R1(s1)
        ret
lrsc_breaker:
1:      ld t0, P_Y(s1)
        beqz t0, 1b
        li t0, 2
        sd t0, P_X(s1)
        fence w, w
        li t0, 1
        sd t0, P_Z(s1)
        ret

# ---- counters: every hart, ITER_C times each --------------------------------------------------------------
# lr.d/sc.d and lr.w/sc.w increments by 1; amoadd.w by hartid+1; amoadd.d by 0x100000001 (from 0xfffffff0:
# carries into the high word); amoor.d sets bit 16*hartid + (i & 15); amomax.d of i*NHARTS + hartid - 2^40;
# amomin.w of -(i*NHARTS + hartid). c_scfail counts SC failures (retries).
counters:
        li s4, 0
        li s7, 0
1:      la t0, c_lrsc_d
2:      lr.d t1, (t0)
        addi t1, t1, 1
        sc.d t2, t1, (t0)
        beqz t2, 3f
        addi s7, s7, 1
        j 2b
3:      la t0, c_lrsc_w
4:      lr.w t1, (t0)
        addiw t1, t1, 1
        sc.w t2, t1, (t0)
        beqz t2, 5f
        addi s7, s7, 1
        j 4b
5:      la t0, c_add_w
        addi t1, s0, 1
        amoadd.w zero, t1, (t0)
        la t0, c_add_d
        li t1, 0x100000001
        amoadd.d zero, t1, (t0)
        la t0, c_or_d
        andi t1, s4, 15
        slli t2, s0, 4
        add t1, t1, t2
        li t2, 1
        sll t1, t2, t1
        amoor.d zero, t1, (t0)
        li t1, NHARTS
        mul t1, t1, s4
        add t1, t1, s0
        li t2, 1 << 40
        sub t2, t1, t2
        la t0, c_max_d
        amomax.d zero, t2, (t0)
        neg t1, t1
        la t0, c_min_w
        amomin.w zero, t1, (t0)
        addi s4, s4, 1
        li t0, ITER_C
        blt s4, t0, 1b
        la t0, c_scfail
        amoadd.d zero, s7, (t0)
        ret

# ---- printing (hart 0 only) ---------------------------------------------------------------------------------
putc:
        li t0, UART
1:      lbu t1, 5(t0)
        andi t1, t1, 0x20
        beqz t1, 1b
        sb a0, 0(t0)
        ret
puts:                                   # a0 = string
        addi sp, sp, -16
        sd ra, 0(sp)
        sd s4, 8(sp)
        mv s4, a0
1:      lbu a0, 0(s4)
        beqz a0, 2f
        call putc
        addi s4, s4, 1
        j 1b
2:      ld ra, 0(sp)
        ld s4, 8(sp)
        addi sp, sp, 16
        ret
print_dec:                              # a0 = unsigned value
        addi sp, sp, -48
        sd ra, 0(sp)
        mv t3, sp
        addi t3, t3, 40
        sb zero, 0(t3)
        li t4, 10
1:      remu t5, a0, t4
        divu a0, a0, t4
        addi t5, t5, '0'
        addi t3, t3, -1
        sb t5, 0(t3)
        bnez a0, 1b
        mv a0, t3
        call puts
        ld ra, 0(sp)
        addi sp, sp, 48
        ret
print_count:                            # a0 = name, a1 = value: "COUNT name value\n"
        addi sp, sp, -16
        sd ra, 0(sp)
        sd a1, 8(sp)
        mv t6, a0
        la a0, n_count
        call puts                       # leaves t6 alone
        mv a0, t6
        call puts
        li a0, ' '
        call putc
        ld a0, 8(sp)
        call print_dec
        li a0, '\n'
        call putc
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
print_hist:                             # a0 = name, a1 = test index: sums the pairs' cells
        addi sp, sp, -64
        sd ra, 0(sp)
        sd s4, 8(sp)
        sd s7, 16(sp)
        sd s8, 24(sp)
        sd s10, 32(sp)
        sd s11, 40(sp)
        mv s7, a0
        li t0, HIST_TEST
        mul s8, a1, t0
        la t0, hists
        add s8, s8, t0                 # pair 0's cells of this test
        la a0, n_litmus
        call puts
        mv a0, s7
        call puts
        li s4, 0                       # cell
        li s11, 0                      # total
1:      li s10, 0
        li t2, 0                       # pair
        slli t3, s4, 3
        add t3, t3, s8
2:      ld t4, 0(t3)
        add s10, s10, t4
        addi t3, t3, HIST_PAIR
        addi t2, t2, 1
        li t4, NHARTS / 2
        blt t2, t4, 2b
        add s11, s11, s10
        beqz s10, 3f
        li a0, ' '
        call putc
        li t0, 3
        divu a0, s4, t0
        addi a0, a0, '0'
        call putc
        li t0, 3
        remu a0, s4, t0
        addi a0, a0, '0'
        call putc
        li a0, '='
        call putc
        mv a0, s10
        call print_dec
3:      addi s4, s4, 1
        li t0, 9
        blt s4, t0, 1b
        la a0, n_total
        call puts
        mv a0, s11
        call print_dec
        li a0, '\n'
        call putc
        ld ra, 0(sp)
        ld s4, 8(sp)
        ld s7, 16(sp)
        ld s8, 24(sp)
        ld s10, 32(sp)
        ld s11, 40(sp)
        addi sp, sp, 64
        ret

        .section .rodata
n_litmus:       .asciz "LITMUS "
n_total:        .asciz " total="
n_count:        .asciz "COUNT "
n_end:          .asciz "END\n"
n_mp:           .asciz "MP"
n_mp_fence:     .asciz "MP+fence.w.w+fence.r.r"
n_sb:           .asciz "SB"
n_sb_fence:     .asciz "SB+fence.rw.rw"
n_corr:         .asciz "CoRR"
n_22w:          .asciz "2+2W"
n_22w_fence:    .asciz "2+2W+fence.w.w"
n_lrsc_break:   .asciz "LR/SC-broken-by-store"
n_lrsc_d:       .asciz "lrsc.d"
n_lrsc_w:       .asciz "lrsc.w"
n_add_w:        .asciz "amoadd.w"
n_add_d:        .asciz "amoadd.d"
n_or_d:         .asciz "amoor.d"
n_max_d:        .asciz "amomax.d"
n_min_w:        .asciz "amomin.w"
n_scfail:       .asciz "sc-retries"

        .data
        .balign 64
g_count:        .word 0
        .balign 64
g_sense:        .word 0
        .balign 64
c_lrsc_d:       .dword 0
        .balign 64
c_lrsc_w:       .word 0
        .balign 64
c_add_w:        .word 0
        .balign 64
c_add_d:        .dword 0xfffffff0
        .balign 64
c_or_d:         .dword 0
        .balign 64
c_max_d:        .dword 0xc000000000000000
        .balign 64
c_min_w:        .word 0x7fffffff
        .balign 64
c_scfail:       .dword 0

        .bss
        .balign 4096
pairs:          .space PAIR_SIZE * 8
hists:          .space HIST_PAIR * 8
stacks:         .space STACK * 9
