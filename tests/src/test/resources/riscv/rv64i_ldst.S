# RV64I loads and stores of every width: sign/zero extension, negative and large offsets,
# partial overwrites, byte order; also FENCE and FENCE.I as no-ops here.
        .include "common.inc"
        .data
        .align 4
buf:    .dword 0x8877665544332211, 0xf0e0d0c0b0a09080, 0x7f6f5f4f3f2f1f0f, 0
        .space 2048
bufend: .dword 0xdeadbeefcafebabe
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la s0, buf
        # every load width at every offset of the first 16 bytes
        li s1, 0
1:      add t0, s0, s1
        lb a0, 0(t0)
        lbu a1, 0(t0)
        PR lb, a0
        PR lbu, a1
        andi t1, s1, 1
        bnez t1, 2f
        lh a0, 0(t0)
        lhu a1, 0(t0)
        PR lh, a0
        PR lhu, a1
        andi t1, s1, 3
        bnez t1, 2f
        lw a0, 0(t0)
        lwu a1, 0(t0)
        PR lw, a0
        PR lwu, a1
        andi t1, s1, 7
        bnez t1, 2f
        ld a0, 0(t0)
        PR ld, a0
2:      addi s1, s1, 1
        li t1, 24
        blt s1, t1, 1b
        # stores of each width into a zeroed dword
        li a0, 0x0123456789abcdef
        sb a0, 24(s0)
        ld a1, 24(s0)
        PR sb, a1
        sh a0, 26(s0)
        ld a1, 24(s0)
        PR sh, a1
        sw a0, 28(s0)
        ld a1, 24(s0)
        PR sw, a1
        sd a0, 32(s0)
        ld a1, 32(s0)
        PR sd, a1
        li a0, -1
        sb a0, 33(s0)
        sh a0, 36(s0)
        ld a1, 32(s0)
        PR sbsh, a1
        # extreme offsets
        la s1, bufend
        addi s2, s1, -2047
        ld a0, 2047(s2)
        PR off2047, a0
        addi s2, s0, 2047
        addi s2, s2, 1
        ld a0, -2048(s2)
        PR offm2048, a0
        sd s0, -2048(s2)
        ld a0, 0(s0)
        sub a0, a0, s0
        PR sdm2048, a0
        # load into x0 does nothing, but a load to rd == rs1 works
        ld x0, 8(s0)
        addi t0, s0, 8
        ld t0, 0(t0)
        PR ldrdrs1, t0
        fence
        fence rw, rw
        fence.i
        PRM buf, s0, 64
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
