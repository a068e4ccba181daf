# Zicsr: CSRRW/CSRRS/CSRRC and the immediate forms (old value returned, rd = x0, rs1 = x0 / uimm 0
# do not write), writes to read-only CSRs and accesses to missing CSRs -> illegal instruction
# (mtval = the instruction), privilege checks from S and U, counter enables for cycle/instret/time.
        .include "common.inc"
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        li a1, 0x123456789abcdef0
        csrw mscratch, a1
        li a2, 0xff
        csrrw a0, mscratch, a2
        PR csrrw_old, a0
        csrrs a0, mscratch, a1
        PR csrrs_old, a0
        PRC csrrs_new, mscratch
        li a2, 0x0f0f
        csrrc a0, mscratch, a2
        PR csrrc_old, a0
        PRC csrrc_new, mscratch
        csrrwi a0, mscratch, 31
        PR csrrwi_old, a0
        csrrsi a0, mscratch, 0x10 | 0x0
        csrrsi a0, mscratch, 0x0
        PR csrrsi_old, a0
        csrrci a0, mscratch, 1
        PR csrrci_old, a0
        PRC csrrci_new, mscratch
        csrrw x0, mscratch, a1
        PRC csrw_rd0, mscratch
        csrrs a0, mscratch, x0
        PR csrr, a0
        la t0, trap_stack_top   # the trap handler's stack lives in mscratch
        csrw mscratch, t0
        # sscratch is separate; rd == rs1
        li a0, 77
        csrw sscratch, a0
        csrrw a0, sscratch, a0
        PR sscratch_rdrs1, a0
        PRC sscratch, sscratch
        # read-only CSRs: reading is fine, any write is illegal (even of the same value)
        csrr a0, mhartid
        PR mhartid, a0
        csrrs a0, mhartid, x0
        csrrsi a0, mhartid, 0
        PUTS "ro writes:\n"
        csrw mhartid, zero
        csrrwi a0, mhartid, 0
        li a1, 1
        csrrs a0, mvendorid, a1
        csrrci a0, mimpid, 1
        csrw cycle, zero
        csrw time, zero
        csrw instret, zero
        PUTS "missing:\n"
        csrr a0, 0x3a1          # pmpcfg1 does not exist on RV64
        csrr a0, 0x0ff
        csrw 0x5ff, a0
        csrr a0, 0xc80          # cycleh is RV32-only
        # counters readable in M without counteren; the values are not printed
        rdcycle a0
        rdinstret a0
        rdtime a0
        # from S and U
        csrw mcounteren, zero
        csrw scounteren, zero
        la a0, s_part
        li a1, 1
        call run_in_mode
        la a0, u_part
        li a1, 0
        call run_in_mode
        li a0, 7
        csrw mcounteren, a0
        la a0, s_part2
        li a1, 1
        call run_in_mode
        la a0, u_part2
        li a1, 0
        call run_in_mode
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

s_part: PUTS "S:\n"
        csrr a0, mstatus        # M CSR from S: illegal
        csrr a0, mscratch
        csrw sscratch, zero     # S CSR: fine
        csrr a1, sscratch
        PR s_sscratch, a1
        rdcycle a0              # mcounteren.CY = 0: illegal
        rdtime a0
        rdinstret a0
        RET_M
u_part: PUTS "U:\n"
        csrr a0, sscratch       # S CSR from U: illegal
        csrr a0, mhartid
        rdcycle a0
        RET_M
s_part2: PUTS "S2:\n"
        rdcycle a0              # allowed now
        rdtime a0
        rdinstret a0
        csrr a0, scounteren
        PR scounteren, a0
        RET_M
u_part2: PUTS "U2:\n"
        rdcycle a0              # scounteren = 0: still illegal from U
        rdinstret a0
        RET_M
