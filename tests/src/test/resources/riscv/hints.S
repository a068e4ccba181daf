# HINT encodings execute as no-ops (compressed ones with rd = x0 or a zero immediate, FENCE
# variants, PAUSE, FENCE.TSO, base-ISA writes to x0); cache-block operations (Zicbom/Zicboz) are
# not part of QEMU 7.2's default rv64 and must be illegal; registers stay as they were.
        .include "common.inc"
        .data
        .align 6
buf:    .dword -1, -1, -1, -1, -1, -1, -1, -1
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        li a0, 0x1234
        mv a1, ra
        .option push
        .option norvc
        .half 0x0005            # c.nop with nzimm
        .half 0x4001            # c.li x0, 0
        .half 0x407d            # c.li x0, 31
        .half 0x8006            # c.mv x0, ra
        .half 0x9006            # c.add x0, ra
        .half 0x0002            # c.slli x0, 0
        .half 0x0506            # c.slli a0, 1 (a real shift: a0 = 0x2468)
        .half 0x6005            # c.lui x0, 1
        .half 0x0001            # c.nop
        .word 0x0100000f        # pause (fence w, 0)
        .word 0x8330000f        # fence.tso
        .word 0x0ff0000f        # fence iorw, iorw
        .word 0x0000000f        # fence 0, 0
        .word 0x00000013        # addi x0, x0, 0 (nop)
        .word 0x00a00033        # add x0, x0, a0
        .word 0x12300013        # addi x0, x0, 0x123
        .word 0x00001037        # lui x0, 1
        .word 0x00000017        # auipc x0, 0
        .word 0x0000100f        # fence.i
        .option pop
        PR a0_after, a0
        sub a1, a1, ra
        PR ra_unchanged, a1
        mv a2, zero
        PR x0, a2
        PUTS "cbo:\n"
        la a0, buf
        .insn i 0x0f, 2, x0, a0, 4      # cbo.zero
        .insn i 0x0f, 2, x0, a0, 0      # cbo.inval
        .insn i 0x0f, 2, x0, a0, 1      # cbo.clean
        .insn i 0x0f, 2, x0, a0, 2      # cbo.flush
        ld a1, 0(a0)
        PR buf_untouched, a1
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
