# CSR identity and WARL behaviour as QEMU 7.2's rv64 shows it: misa and the ID registers, then
# all-ones and all-zeros written to each writable M/S CSR and read back. A jemu mismatch here is a
# conformance choice to review, not necessarily a bug (kept apart from the functional programs).
        .include "common.inc"
        .macro WARL csr:req
        li t0, -1
        csrrw s0, \csr, t0
        csrr t1, \csr
        PR \csr\()_ones, t1
        csrw \csr, zero
        csrr t1, \csr
        PR \csr\()_zero, t1
        csrw \csr, s0
        .endm
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        PRC misa, misa
        PRC mvendorid, mvendorid
        PRC marchid, marchid
        PRC mimpid, mimpid
        PRC mhartid, mhartid
        csrw mie, zero
        # mtval of a breakpoint: 0 (QEMU) or the pc are both allowed
        ebreak
        PRC ebreak_mtval, mtval
        # MTIP straight after reset: QEMU's mtimecmp resets to 0, so the timer is pending
        PRC mip_reset, mip
        WARL medeleg
        WARL mideleg
        WARL mie
        WARL mcounteren
        WARL scounteren
        WARL mcause
        WARL scause
        WARL mtval
        WARL stval
        WARL sscratch
        WARL menvcfg
        WARL senvcfg
        WARL mcountinhibit
        WARL sie
        # mip: only the S bits are writable by software
        li t0, -1
        csrs mip, t0
        PRC mip_ones, mip
        PRC sip_ones, sip
        csrc mip, t0
        PRC mip_zero, mip
        # mtvec/stvec: modes 0 and 1 only; base alignment
        la s1, trap_m
        li t0, 0x80000102
        csrw mtvec, t0
        PRC mtvec_mode2, mtvec
        li t0, 0x80000103
        csrw mtvec, t0
        PRC mtvec_mode3, mtvec
        li t0, 0x80000105
        csrw mtvec, t0
        PRC mtvec_vec_unaligned, mtvec
        csrw mtvec, s1
        li t0, 0x80000102
        csrw stvec, t0
        PRC stvec_mode2, stvec
        li t0, -1
        csrw stvec, t0
        PRC stvec_ones, stvec
        # satp: an unsupported mode leaves it unchanged
        csrw satp, zero
        li t0, (1 << 60) | 0x1234
        csrw satp, t0
        PRC satp_mode1, satp
        li t0, (15 << 60) | 0x1234
        csrw satp, t0
        PRC satp_mode15, satp
        csrw satp, zero
        # mstatus and sstatus (interrupts stay off: mie = 0)
        csrr s0, mstatus
        li t0, -1
        li t1, ~(MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TSR | MSTATUS_TW)
        and t0, t0, t1
        csrw mstatus, t0
        csrr t1, mstatus
        csrw mstatus, s0
        PR mstatus_ones, t1
        li t0, -1
        csrw sstatus, t0
        csrr t1, sstatus
        csrr t2, mstatus
        csrw mstatus, s0
        PR sstatus_ones, t1
        PR mstatus_via_sstatus, t2
        li t0, MSTATUS_MPP
        csrc mstatus, t0
        li t0, 2 << 11          # MPP = 2 (reserved) is WARL
        csrs mstatus, t0
        csrr t1, mstatus
        csrw mstatus, s0
        srli t1, t1, 11
        andi t1, t1, 3
        PR mpp_2, t1
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
