# LR/SC: success (rd = 0, memory written), SC without a reservation, SC to another address,
# a second SC after a successful one, .W sign extension, aq/rl forms, an LR/SC retry loop,
# and misaligned LR addresses (trap with mtval = the address).
        .include "common.inc"
        .data
        .align 4
cell:   .dword 0x00000000fedcba98, 0x1111111111111111
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la s0, cell
        lr.w a0, (s0)
        PR lrw, a0
        li a1, 0x1234
        sc.w a2, a1, (s0)
        PR scw_rc, a2
        ld a3, 0(s0)
        PR scw_mem, a3
        # second SC with no new reservation fails and does not write
        li a1, 0x5678
        sc.w a2, a1, (s0)
        snez a2, a2
        PR scw2_fail, a2
        ld a3, 0(s0)
        PR scw2_mem, a3
        # LR.D / SC.D with ordering bits
        lr.d.aq a0, (s0)
        PR lrd, a0
        li a1, -3
        sc.d.rl a2, a1, (s0)
        PR scd_rc, a2
        ld a3, 0(s0)
        PR scd_mem, a3
        lr.d.aqrl a0, (s0)
        sc.d.aqrl a2, a0, (s0)
        PR scd_aqrl_rc, a2
        # SC to a different address than the reservation fails
        lr.d a0, (s0)
        addi t0, s0, 8
        li a1, 0x77
        sc.d a2, a1, (t0)
        snez a2, a2
        PR sc_other, a2
        ld a3, 8(s0)
        PR sc_other_mem, a3
        # atomic increment loop
        li s1, 5
1:      lr.d a0, (s0)
        addi a0, a0, 10
        sc.d a1, a0, (s0)
        bnez a1, 1b
        addi s1, s1, -1
        bnez s1, 1b
        ld a0, 0(s0)
        PR loop, a0
        # misaligned LR -> load address misaligned (mcause 4, mtval = address). Misaligned SC/AMOs
        # are left out: QEMU 7.2 reports them as load-misaligned (4) where the spec says 6, and skips
        # the check for an SC without a reservation.
        addi t0, s0, 2
        lr.w a0, (t0)
        lr.d a0, (t0)
        addi t0, s0, 4
        lr.d a0, (t0)
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
