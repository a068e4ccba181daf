// System registers and system instructions at EL1: the ID registers cortex-a57 reports (what Linux and glibc
// read to pick code paths), MPIDR/MIDR/REVIDR, CTR/DCZID/CLIDR, read/write registers (TPIDR, CONTEXTIDR,
// SP_EL0, ELR), hints (NOP, YIELD, SEVL+WFE), cache and TLB maintenance as no-ops (DC ZVA is in mmu.S: on
// Device memory, as with the MMU off, it is an alignment fault that QEMU 7.2 does not raise).
        .include "common.inc"
        .text
        .global main
main:
        str x30, [sp, #-16]!
        PRS midr, midr_el1
        PRS mpidr, mpidr_el1
        PRS revidr, revidr_el1
        PRS id_aa64pfr0, id_aa64pfr0_el1
        PRS id_aa64pfr1, id_aa64pfr1_el1
        PRS id_aa64dfr0, id_aa64dfr0_el1
        PRS id_aa64isar0, id_aa64isar0_el1
        PRS id_aa64isar1, id_aa64isar1_el1
        PRS id_aa64mmfr0, id_aa64mmfr0_el1
        PRS id_aa64mmfr1, id_aa64mmfr1_el1
        PRS id_aa64mmfr2, s3_0_c0_c7_2
        PRS id_aa64zfr0, s3_0_c0_c4_4
        PRS id_pfr0, id_pfr0_el1
        PRS id_isar0, id_isar0_el1
        PRS mvfr0, mvfr0_el1
        PRS mvfr1, mvfr1_el1
        PRS ctr, ctr_el0
        PRS dczid, dczid_el0
        PRS clidr, clidr_el1
        PRS aidr, aidr_el1
        PRS cpacr, cpacr_el1
        // read/write registers
        mov x0, #0x1234
        msr tpidr_el1, x0
        PRS tpidr_el1, tpidr_el1
        msr contextidr_el1, x0
        PRS contextidr, contextidr_el1
        movn x0, #0
        msr elr_el1, x0
        PRS elr.ones, elr_el1
        mov x0, #0x8000
        msr sp_el0, x0
        PRS sp_el0, sp_el0
        msr afsr0_el1, xzr
        msr amair_el1, xzr
        // hints and barriers
        nop
        yield
        sevl
        wfe                             // the local event set by SEVL: returns at once
        hint #0x1f                      // an unallocated hint is a NOP
        esb
        csdb
        PUTS "hints.ok\n"
        // cache and TLB maintenance
        mov x0, sp
        dc civac, x0
        dc cvac, x0
        dc cvau, x0
        dc ivac, x0
        ic iallu
        ic ivau, x0
        ic ialluis
        dc isw, xzr
        tlbi vmalle1is
        tlbi vae1, x0
        tlbi aside1, xzr
        dsb sy
        isb
        PUTS "maintenance.ok\n"
        ldr x30, [sp], #16
        ret
