# SSE/SSE2 corner cases: MXCSR exception flags (IE ZE OE UE PE DE) for divide by zero, invalid operations,
# overflow and underflow, the default NaN (negative QNaN), NaN operand selection, MIN/MAX with NaNs,
# conversions out of range (integer indefinite), rounding modes, DAZ/FTZ, UCOMISD/COMISD flags.
        .include "common.inc"

        # OP2 name, insn, a, b, mxcsr: xmm0 = a, xmm1 = b (as quads), insn, print xmm0's low quad and MXCSR
        .macro OP2 name:req, insn:req, a:req, b:req, mxcsr:req
        movl $\mxcsr, mx(%rip)
        ldmxcsr mx(%rip)
        mov $\a, %rax
        movq %rax, %xmm0
        mov $\b, %rax
        movq %rax, %xmm1
        \insn %xmm1, %xmm0
        movq %xmm0, %rax
        PR \name, %rax
        stmxcsr mx(%rip)
        mov mx(%rip), %eax
        PR \name\()_mxcsr, %rax
        .endm

        # CVT name, insn, a, mxcsr: rax = insn(xmm0 = a)
        .macro CVT name:req, insn:req, a:req, mxcsr:req
        movl $\mxcsr, mx(%rip)
        ldmxcsr mx(%rip)
        mov $\a, %rax
        movq %rax, %xmm0
        \insn %xmm0, %rax
        PR \name, %rax
        stmxcsr mx(%rip)
        mov mx(%rip), %eax
        PR \name\()_mxcsr, %rax
        .endm

        # CMPF name, insn, a, b: flags (ZF PF CF, others cleared) and MXCSR after insn b, a
        .macro CMPF name:req, insn:req, a:req, b:req
        movl $MX, mx(%rip)
        ldmxcsr mx(%rip)
        mov $\a, %rax
        movq %rax, %xmm0
        mov $\b, %rax
        movq %rax, %xmm1
        \insn %xmm1, %xmm0
        PRF \name, 0x8d5
        stmxcsr mx(%rip)
        mov mx(%rip), %eax
        PR \name\()_mxcsr, %rax
        .endm

        .equ ONE, 0x3ff0000000000000
        .equ TWO, 0x4000000000000000
        .equ MONE, 0xbff0000000000000
        .equ ZERO, 0
        .equ QNAN1, 0x7ff8000000000001
        .equ QNAN2, 0xfff8000000000002
        .equ SNAN, 0x7ff0000000000003
        .equ HUGE, 0x7fe0000000000000
        .equ TINY, 0x0010000000000000
        .equ DENORM, 0x0000000000000001
        .equ E20, 0x4415af1d78b58c40
        .equ TWOHALF, 0x4004000000000000
        .equ MX, 0x1f80

main:
        OP2 div0, divsd, ONE, ZERO, MX
        OP2 zero_by_zero, divsd, ZERO, ZERO, MX
        OP2 sqrt_neg, sqrtsd, ZERO, MONE, MX
        OP2 nan_nan, addsd, QNAN1, QNAN2, MX
        OP2 one_nan, addsd, ONE, QNAN2, MX
        OP2 snan, addsd, SNAN, ONE, MX
        OP2 min_nan, minsd, QNAN1, ONE, MX
        OP2 max_nan, maxsd, ONE, QNAN1, MX
        OP2 min_zeros, minsd, ZERO, 0x8000000000000000, MX
        OP2 overflow, mulsd, HUGE, HUGE, MX
        OP2 underflow, mulsd, TINY, TINY, MX
        OP2 denorm_in, addsd, DENORM, ONE, MX
        OP2 daz, addsd, DENORM, ZERO, MX | 0x40
        OP2 ftz, mulsd, TINY, 0x3fe0000000000000, MX | 0x8000
        OP2 third_rn, divsd, ONE, 0x4008000000000000, MX
        OP2 third_rd, divsd, ONE, 0x4008000000000000, MX | 0x2000
        OP2 third_ru, divsd, ONE, 0x4008000000000000, MX | 0x4000
        OP2 third_rz, divsd, MONE, 0x4008000000000000, MX | 0x6000
        OP2 ps_add, addps, 0x3f8000007f800000, 0x3f800000ff800000, MX
        OP2 pd_mul, mulpd, TWO, TWOHALF, MX
        CVT cvtt_big, cvttsd2si, E20, MX
        CVT cvtt_nan, cvttsd2si, QNAN1, MX
        CVT cvt_half_rn, cvtsd2si, TWOHALF, MX
        CVT cvt_half_rd, cvtsd2si, TWOHALF, MX | 0x2000
        CVT cvt_neg_ru, cvtsd2si, 0xc004000000000000, MX | 0x4000
        # UCOMISD/COMISD flags and MXCSR (COMISD signals invalid on a QNaN, UCOMISD only on an SNaN)
        CMPF ucomi_lt, ucomisd, ONE, TWO
        CMPF ucomi_gt, ucomisd, TWO, ONE
        CMPF ucomi_eq, ucomisd, ONE, ONE
        CMPF ucomi_qnan, ucomisd, ONE, QNAN1
        CMPF ucomi_snan, ucomisd, ONE, SNAN
        CMPF comi_qnan, comisd, ONE, QNAN1
        ret

        .pushsection .data
mx:     .long 0
        .popsection
