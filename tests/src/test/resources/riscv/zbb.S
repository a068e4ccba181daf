# Zbb: andn orn xnor clz[w] ctz[w] cpop[w] max[u] min[u] sext.b sext.h zext.h rol[w] ror[i][w] orc.b rev8.
        .include "common.inc"
        .section .rodata
        .align 3
values: .dword 0, 1, -1, 0x8000000000000000, 0x7fffffffffffffff, 0x80000000, 0x00000000ffff8080
        .dword 0x0100ff007f008001, 0x123456789abcdef0, 63, 33
        .equ NVALUES, 11
        # ctzw without 0x8000000000000000: QEMU 7.2 returns 63 for it (ctz of all 64 bits when the
        # low word is zero and the high word is not); the spec says 32
ctzwvals: .dword 0, 1, -1, 0x7fffffffffffffff, 0x80000000, 0x00000000ffff8080, 0x0100ff007f008001
        .dword 0x123456789abcdef0, 63, 33
        .equ NCTZW, 10
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        R andn
        R orn
        R xnor
        R max
        R maxu
        R min
        R minu
        R rol
        R ror
        R rolw
        R rorw
        U1 clz
        U1 clzw
        U1 ctz
        OPT ctzwvals, NCTZW, 1, 0, "ctzw", "ctzw a0, a1"
        U1 cpop
        U1 cpopw
        U1 sext.b
        U1 sext.h
        U1 zext.h
        U1 orc.b
        U1 rev8
        .irp sh, 0, 1, 31, 32, 63
        I rori, \sh
        .endr
        .irp sh, 0, 1, 31
        I roriw, \sh
        .endr
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
