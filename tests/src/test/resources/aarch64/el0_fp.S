// FP/SIMD and CPACR_EL1.FPEN at EL1 and EL0 (ERET to EL0 and SVC back through run_el0): FPEN 0 and 2 trap
// both levels (EC 0x07), FPEN 1 traps EL0 only, FPEN 3 traps neither; each trap leaves the register file as
// it was; FP arithmetic, FPCR/FPSR and SIMD loads and stores at EL0 once enabled, the EL0 result back at EL1.
        .include "common.inc"
        .data
        .balign 16
vec:    .dword 0x1111111111111111, 0x2222222222222222
out:    .dword 0, 0
        .text
        .global main
main:
        str x30, [sp, #-16]!
        fmov d7, #1.5
        // FPEN = 0 and 2: EL1 traps
        msr cpacr_el1, xzr
        isb
        PRS cpacr.0, cpacr_el1
        bl el1_fp
        mov x0, #(2 << 20)
        msr cpacr_el1, x0
        isb
        bl el1_fp
        // FPEN = 1: EL1 works, EL0 traps
        mov x0, #(1 << 20)
        msr cpacr_el1, x0
        isb
        bl el1_fp
        adr x0, el0_fp
        bl run_el0
        PR el0.fpen1.x0, x0
        // FPEN = 3: nothing traps
        mov x0, #(3 << 20)
        msr cpacr_el1, x0
        isb
        adr x0, el0_fp
        bl run_el0
        PR el0.fpen3.x0, x0
        PRV el0.fpen3.v2, 2
        PRV el0.fpen3.v3, 3
        PRFPSR el0.fpen3.fpsr
        mrs x0, fpcr
        PR el0.fpen3.fpcr, x0
        msr fpcr, xzr
        adrp x0, out
        add x0, x0, :lo12:out
        ldp x1, x2, [x0]
        PR el0.stored.lo, x1
        PR el0.stored.hi, x2
        fmov x0, d7
        PR d7.kept, x0
        ldr x30, [sp], #16
        ret

        // EL1: FP instructions and registers; prints what ran
el1_fp:
        str x30, [sp, #-16]!
        mov x0, #0
        fmov d1, #2.0                   // traps when disabled: the rest of the lines show what ran
        fadd d2, d7, d1
        fmov x0, d2
        PR el1.fadd, x0
        mrs x0, fpsr
        PR el1.fpsr, x0
        ldr x30, [sp], #16
        ret

        // EL0: FP arithmetic, FPCR/FPSR, SIMD load and store; x0 = the sum's bits
el0_fp:
        mov x0, #0
        fmov d1, #3.0
        fadd d2, d7, d1
        fmov x0, d2
        mov x1, #(1 << 22)              // FPCR.RMode = RP
        msr fpcr, x1
        fmov s4, #1.0
        fmov s5, #3.0
        fdiv s3, s4, s5                 // inexact, rounded up
        adrp x1, vec
        add x1, x1, :lo12:vec
        ld1 {v2.2d}, [x1]
        add v2.2d, v2.2d, v2.2d
        adrp x1, out
        add x1, x1, :lo12:out
        st1 {v2.2d}, [x1]
        mrs x1, fpsr
        svc #SVC_RETURN
