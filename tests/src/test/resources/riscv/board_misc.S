# Other virt board devices as seen by a guest probing them: the 8 virtio-mmio slots with no device
# (MagicValue, Version, DeviceID, VendorID), the CLINT's msip (only bit 0 kept) and mtimecmp written
# as two 32-bit halves, mtime moving forward and the time CSR agreeing (only the facts are printed).
        .include "common.inc"
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        li s0, 0x10001000
        li s1, 0
1:      slli t0, s1, 12
        add t0, t0, s0
        lw a0, 0x000(t0)
        PR magic, a0
        lw a0, 0x004(t0)
        PR version, a0
        lw a0, 0x008(t0)
        PR device_id, a0
        lw a0, 0x00c(t0)
        PR vendor_id, a0
        addi s1, s1, 1
        li t0, 8
        blt s1, t0, 1b
        # CLINT
        li t0, CLINT_MSIP
        li t1, -1
        sw t1, 0(t0)
        lw a0, 0(t0)
        PR msip_ones, a0
        sw zero, 0(t0)
        li t0, CLINT_MTIMECMP
        li t1, 0x11223344
        sw t1, 0(t0)
        li t1, 0x55667788
        sw t1, 4(t0)
        ld a0, 0(t0)
        PR mtimecmp_halves, a0
        lw a0, 4(t0)
        PR mtimecmp_hi, a0
        li t1, -1
        sd t1, 0(t0)
        li t0, CLINT_MTIME
        ld t1, 0(t0)
        li t2, 20000
2:      addi t2, t2, -1
        bnez t2, 2b
        ld t2, 0(t0)
        sltu a0, t1, t2
        PR mtime_moves, a0
        rdtime t1
        sltu a0, t1, t2
        xori a0, a0, 1
        PR rdtime_not_before_mtime, a0
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
