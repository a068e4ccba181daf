# Misaligned loads and stores of every width at every offset, including across a page boundary
# (QEMU virt performs them in hardware, without a trap).
        .include "common.inc"
        .data
        .align 12
        .space 4096 - 16
edge:   .dword 0x0706050403020100, 0x0f0e0d0c0b0a0908
        .dword 0x1716151413121110, 0x1f1e1d1c1b1a1918
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la s0, edge
        li s1, 1
1:      add t0, s0, s1
        lh a0, 0(t0)
        lhu a1, 0(t0)
        lw a2, 0(t0)
        lwu a3, 0(t0)
        ld a4, 0(t0)
        PR lh, a0
        PR lhu, a1
        PR lw, a2
        PR lwu, a3
        PR ld, a4
        addi s1, s1, 1
        li t1, 16
        blt s1, t1, 1b
        # stores at odd offsets, straddling the page end at edge+16
        li a0, 0xa1a2a3a4a5a6a7a8
        sd a0, 11(s0)
        sw a0, 3(s0)
        sh a0, 29(s0)
        sh a0, 15(s0)
        PRM edge, s0, 32
        ld a1, 0(s0)
        PR w0, a1
        ld a1, 8(s0)
        PR w1, a1
        ld a1, 16(s0)
        PR w2, a1
        ld a1, 24(s0)
        PR w3, a1
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
