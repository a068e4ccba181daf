# Exceptions and mtval: illegal encodings (all-zero, all-ones, reserved compressed forms, unknown
# opcodes, RV32-only and reserved fields), load/store/fetch access faults on unmapped physical
# addresses (mtval = the address), ECALL/EBREAK.
        .include "common.inc"
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        PUTS "illegal:\n"
        .option push
        .option norvc
        .word 0x00000000
        .word 0xffffffff
        .half 0x6101            # c.addi16sp 0 (reserved)
        .half 0x6501            # c.lui a0, 0 (reserved)
        .half 0x8002            # c.jr x0 (reserved)
        .half 0x4002            # c.lwsp x0 (reserved)
        .half 0x6002            # c.ldsp x0 (reserved)
        .half 0x2001            # c.addiw x0 (reserved)
        .half 0x9c41            # quadrant 1 funct 100111 with funct2 10 (reserved on RV64)
        .half 0x0001            # c.nop: legal
        .word 0x0000000b        # custom-0
        .word 0x0000007f        # >= 80-bit encoding
        .word 0x0000001f        # 48-bit encoding
        .word 0x02000033 | (7 << 12) | (1 << 25) | (1 << 30)  # R-type with bad funct7
        .word 0x00001013 | (1 << 26) | (1 << 30)  # slli with funct6 bits
        .word 0x0000101b | (1 << 25)  # slliw with shamt[5] set (reserved on RV64)
        .word 0x0000501b | (1 << 25)  # srliw with shamt[5] set
        .word 0x00007003        # load funct3 7 (reserved)
        .word 0x00004023        # store funct3 4
        .word 0x00002067        # jalr funct3 2
        .word 0x00002063        # branch funct3 2
        .word 0x1000302f | (1 << 20)  # lr.d with rs2 = x1 (reserved)
        .word 0x30200073 | (1 << 15)  # mret with rs1 != 0
        .word 0x10500073 | (1 << 7)   # wfi with rd != 0
        .word 0x00100073 | (1 << 7)   # ebreak with rd != 0
        .option pop
        PUTS "access:\n"
        li s0, 0x88000000       # just past 128 MiB of RAM
        ld a0, 0(s0)
        lw a0, 4(s0)
        sb a0, 0(s0)
        # (AMOs left out: QEMU 7.2 reports their access faults as load faults, 5, not 7)
        lr.w a0, (s0)
        li s1, 0x0              # the debug area: nothing there
        lbu a0, 0(s1)
        li s1, 0x100000000
        sd a0, 8(s1)
        jalr ra, 0(s0)          # fetch access fault: mtval = target; the handler returns to ra
        li s1, 0x0
        jalr ra, 16(s1)
        # (a 32-bit instruction straddling the end of RAM is left out: QEMU 7.2 aborts on it)
        PUTS "ecall/ebreak:\n"
        ecall
        ebreak
        c.ebreak
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
