// Synchronous exceptions through VBAR_EL1: SVC/HVC/BRK, undefined instructions (UDF, LSE and EL2 registers
// on cortex-a57, HVC that is not PSCI), external data aborts (unbacked physical addresses, read and write),
// PC alignment faults; ESR/FAR/ELR/SPSR as printed by the runtime, SPSel and DAIF, NZCV kept
// across an exception; at EL0: SVC, system register and DAIF accesses that trap or are undefined.
// PSCI over HVC: PSCI_VERSION and PSCI_FEATURES.
        .include "common.inc"
        .text
        .global main
main:
        str x30, [sp, #-16]!
        mrs x0, CurrentEL
        PR currentel, x0
        mrs x0, spsel
        PR spsel, x0
        PRS daif.entry, daif
        PRS sctlr.entry, sctlr_el1
        PRS cntkctl.entry, cntkctl_el1
        // EL1: supervisor and breakpoint calls
        mov x0, #0x30000000
        msr nzcv, x0
        svc #0x123
        PRF nzcv.after.svc
        brk #0x42
        udf #7
        .inst 0xc8a07c41                // cas x0, x1, [x2]: LSE is ARMv8.1
        .inst 0xd53c1000                // mrs x0, sctlr_el2: no EL2
        .inst 0xd51c1000                // msr sctlr_el2, x0
        mov x0, #0
        hvc #0                          // not a PSCI function: no EL2 to take it
        // PSCI
        movz x0, #0x0000
        movk x0, #0x8400, lsl #16
        hvc #0
        PR psci.version, x0
        movz x0, #0x000a
        movk x0, #0x8400, lsl #16
        movz x1, #0x0008
        movk x1, #0x8400, lsl #16
        hvc #0
        PR psci.features.off, x0
        movz x0, #0x000a
        movk x0, #0x8400, lsl #16
        mov x1, #0x1234
        hvc #0
        PR psci.features.bad, x0
        // external aborts: beyond the end of RAM (128 MiB) nothing answers
        mov x3, #0x50000000
        ldr x1, [x3, #8]
        mov w1, #1
        strb w1, [x3, #3]
        ldr w1, [x3], #4                // writeback is not done on an abort
        PR abort.base, x3
        // PC alignment: a branch to an address with bit 1 set
        adr x4, 1f
        orr x4, x4, #2
        blr x4
1:      PUTS "after.pc.align\n"
        // SPSel: SP_EL0 as the stack pointer at EL1 and back (no SP alignment fault: QEMU 7.2 does not check it)
        mrs x5, sp_el0
        mov x6, #0x4440
        msr sp_el0, x6
        msr spsel, #0
        mov x7, sp
        msr spsel, #1
        msr sp_el0, x5
        PR sp.el0.as.sp, x7
        mrs x0, spsel
        PR spsel.back, x0
        // DAIF
        msr daifclr, #0xf
        PRS daif.clear, daif
        msr daifset, #0x5
        PRS daif.set5, daif
        mov x0, #0x3c0
        msr daif, x0
        PRS daif.all, daif
        // ELR/SPSR are plain registers at EL1
        mov x0, #0x3c5
        msr spsr_el1, x0
        PRS spsr.rw, spsr_el1
        // EL0
        adr x0, el0_code
        bl run_el0
        PUTS "back.at.el1\n"
        mrs x0, CurrentEL
        PR currentel.back, x0
        ldr x30, [sp], #16
        ret

el0_code:
        svc #0x77
        PUTS "el0.svc.done\n"
        .inst 0xd5384240                // mrs x0, CurrentEL: undefined at EL0
        mrs x0, sctlr_el1
        mrs x0, daif                    // SCTLR_EL1.UMA = 0: trapped (not MSR DAIFSet: QEMU 7.2 swaps its Op1/Op2 in ESR)
        msr daif, xzr                   // trapped
        mrs x0, cntvct_el0              // CNTKCTL_EL1.EL0VCTEN = 0: trapped
        mov x0, #0
        mrs x0, cntfrq_el0              // trapped too (EL0PCTEN and EL0VCTEN both 0)
        PR el0.cntfrq, x0
        mrs x0, nzcv
        PR el0.nzcv, x0
        mrs x0, tpidr_el0
        mov x1, #0x5a5a
        msr tpidr_el0, x1
        mrs x0, tpidr_el0
        PR el0.tpidr, x0
        mov x1, #0x5000
        mrs x0, tpidrro_el0
        PR el0.tpidrro, x0
        msr tpidrro_el0, x1             // read-only at EL0
        brk #1
        svc #SVC_RETURN
