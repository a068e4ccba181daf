# PMP: NAPOT, NA4 and TOR entries restricting S and U (load/store/fetch access faults with mtval),
# priority of the lowest-numbered match, M-mode unaffected by unlocked entries, pmpcfg/pmpaddr
# readback, a locked entry binding M-mode and ignoring further writes.
        .include "common.inc"
        .data
        .align 12
deny:   .dword 0x0d0d0d0d, 0, 0, 0
        .align 12
rowords: .dword 0x0e0e0e0e, 0x0f0f0f0f
        .align 12
torlo:  .dword 0x1010101010101010
        .align 4
        li a0, 0x99             # data here, never meant to run
        ret
        .align 12
torhi:  .dword 0
        .align 12
lockw:  .dword 0x1212
        .text
        # pmpaddr values: NAPOT 4 KiB = (base >> 2) | 0x1ff; NA4 = base >> 2; TOR = top >> 2
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la t0, deny
        srli t0, t0, 2
        ori t0, t0, 0x1ff
        csrw pmpaddr0, t0
        la t0, rowords
        srli t0, t0, 2
        csrw pmpaddr1, t0
        la t0, torlo
        srli t0, t0, 2
        csrw pmpaddr2, t0
        la t0, torhi
        srli t0, t0, 2
        csrw pmpaddr3, t0
        li t0, -1
        csrw pmpaddr7, t0
        # cfg: 0 NAPOT ---, 1 NA4 R--, 2 OFF (TOR base), 3 TOR RW-, 4-6 OFF, 7 NAPOT RWX
        li t0, (0x18 << 0) | (0x11 << 8) | (0x00 << 16) | (0x0b << 24) | (0x1f << 56)
        csrw pmpcfg0, t0
        PRC pmpcfg0, pmpcfg0
        csrr t0, pmpaddr0
        la t1, deny
        srli t1, t1, 2
        sub t0, t0, t1
        PR pmpaddr0_low, t0
        PUTS "M:\n"
        la s0, deny
        ld a0, 0(s0)
        PR m_deny, a0
        la s1, rowords
        sd a0, 8(s1)
        ld a0, 8(s1)
        PR m_rowords, a0
        PUTS "S:\n"
        la a0, s_main
        li a1, 1
        call run_in_mode
        PUTS "U:\n"
        la a0, u_main
        li a1, 0
        call run_in_mode
        PUTS "lock:\n"
        la t0, lockw
        srli t0, t0, 2
        csrw pmpaddr4, t0
        li t0, 0x91 << 32        # L, NA4, R
        csrs pmpcfg0, t0
        la s2, lockw
        lw a0, 0(s2)
        PR m_locked_read, a0
        sw a0, 0(s2)            # M store to a locked read-only word: fault
        csrw pmpaddr4, zero     # ignored
        li t0, 0xff << 32
        csrc pmpcfg0, t0        # ignored for the locked byte
        csrr t0, pmpaddr4
        la t1, lockw
        srli t1, t1, 2
        sub t0, t0, t1
        PR pmpaddr4_after, t0
        csrr t0, pmpcfg0
        srli t0, t0, 32
        andi t0, t0, 0xff
        PR pmpcfg4_after, t0
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

s_main: mv s11, ra
        la s0, deny
        ld a0, 0(s0)            # NAPOT no access
        sd a0, 8(s0)
        jalr ra, 0(s0)
        la s1, rowords
        lw a0, 0(s1)
        PR s_na4_read, a0
        ld a0, 0(s1)            # 8 bytes only partly inside the 4-byte region: fault
        sw a0, 0(s1)            # NA4 read-only
        ld a0, 8(s1)            # next word: falls to entry 7
        PR s_na4_next, a0
        la s2, torlo
        ld a0, 0(s2)
        PR s_tor_read, a0
        sd a0, 8(s2)
        addi t0, s2, 16
        jalr ra, 0(t0)          # TOR without X
        la s3, torhi
        ld a0, 0(s3)            # above the TOR range: entry 7
        PR s_torhi, a0
        addi t0, s2, -8
        ld a0, 0(t0)            # below the TOR range
        PR s_torlo_minus, a0
        mv ra, s11
        RET_M

u_main: mv s11, ra
        la s0, deny
        lw a0, 4(s0)
        la s1, rowords
        lw a0, 0(s1)
        UPR a0
        sw a0, 4(s1)
        mv ra, s11
        RET_M
