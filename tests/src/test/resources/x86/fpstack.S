# x87 stack operations (FXCH, FLD ST(i), FSTP ST(i), FINCSTP/FDECSTP, FFREE, stack underflow, the tag word
# FNSTENV stores, FNSAVE/FRSTOR) and SSE conversions with their MXCSR flags (CVTSI2SD/SS inexact in each
# rounding mode, CVTSD2SS overflow/underflow/NaN, CVTSS2SD of an SNaN, CVTDQ2PS, CVTTPS2DQ/CVTPD2DQ out of
# range, 32-bit CVTSD2SI out of range, CVTTSS2SI). FSW lines mask the condition bits the SDM leaves undefined.
        .include "common.inc"

        .macro POPD name:req
        fstpl tmp(%rip)
        mov tmp(%rip), %rax
        PR \name, %rax
        .endm

        # MXF name: MXCSR's flags (then cleared)
        .macro MXF name:req
        stmxcsr mx(%rip)
        mov mx(%rip), %eax
        PR \name\()_mxcsr, %rax
        and $~0x3f, %eax
        mov %eax, mx(%rip)
        ldmxcsr mx(%rip)
        .endm

        .macro RC mode:req
        movl $0x1f80 | (\mode << 13), mx(%rip)
        ldmxcsr mx(%rip)
        .endm

main:
        fninit
        fld1
        fldz
        fldpi
        fxch %st(2)                     # 1, 0, pi
        FSW fxch, 0xbaff
        fld %st(1)                      # 0, 1, 0, pi
        fstp %st(2)                     # 1, 0, pi
        fnstenv env(%rip)
        movzwl env + 8(%rip), %eax
        PR tags3, %rax                  # valid, zero, valid in the top three
        POPD st0
        POPD st1
        POPD st2
        FSW popped, 0xbaff
        fldl2t
        fincstp                         # TOP + 1: the value stays in its register, now ST(7)
        FSW fincstp, 0xbaff
        fdecstp
        POPD back
        fld1
        ffree %st(0)                    # empty, TOP unchanged
        fxam
        FSW ffree_fxam, 0xc7ff
        fincstp
        fninit
        fadd %st(1), %st                # both empty: stack underflow, IE SF, C1 = 0
        FSW underflow, 0xbaff
        fstpl tmp(%rip)
        mov tmp(%rip), %rax
        PR underflow_result, %rax
        fninit
        fldz
        fld1
        fchs
        fldl denorm(%rip)
        fnclex
        fnstenv env(%rip)
        movzwl env + 8(%rip), %eax
        PR tags_special, %rax           # FLD m64 of a denormal gives a normal extended value: valid
        fnsave save(%rip)               # FNSAVE reinitializes the FPU
        fnstsw %ax
        movzwl %ax, %eax
        PR after_fnsave_fsw, %rax
        frstor save(%rip)
        POPD restored0
        POPD restored1
        POPD restored2
        fninit

        # SSE conversions
        mov $0x7fffffffffffffff, %r8
        .irp m, 0, 1, 2, 3
        RC \m
        cvtsi2sd %r8, %xmm0
        movq %xmm0, %rdx
        PR cvtsi2sd_rc\m, %rdx
        MXF cvtsi2sd_rc\m
        cvtsi2ss %r8, %xmm0
        movd %xmm0, %edx
        PR cvtsi2ss_rc\m, %rdx
        MXF cvtsi2ss_rc\m
        .endr
        RC 0
        .irp v, 0x47efffffe0000000, 0x47effffff0000000, 0x3690000000000000, 0x36a0000000000000, 0x7ff0000000000001, 0xfff8000000000000, 0x3ff0000000000001
        mov $\v, %rax
        movq %rax, %xmm1
        cvtsd2ss %xmm1, %xmm0
        movd %xmm0, %edx
        PR cvtsd2ss_\v, %rdx
        MXF cvtsd2ss_\v
        .endr
        mov $0x7f800001, %eax           # an SNaN single to double: IE, quieted
        movd %eax, %xmm1
        cvtss2sd %xmm1, %xmm0
        movq %xmm0, %rdx
        PR cvtss2sd_snan, %rdx
        MXF cvtss2sd_snan
        mov $0x7fffffff80000001, %rax   # two ints to floats: inexact
        movq %rax, %xmm1
        cvtdq2ps %xmm1, %xmm0
        movq %xmm0, %rdx
        PR cvtdq2ps, %rdx
        MXF cvtdq2ps
        mov $0xcf0000014f000000, %rax   # -2^31 (fits) and 2^31 (does not): 0x80000000 both
        movq %rax, %xmm1
        cvttps2dq %xmm1, %xmm0
        movq %xmm0, %rdx
        PR cvttps2dq, %rdx
        MXF cvttps2dq
        mov $0x41dfffffffc00000, %rax   # 2147483647: fits
        movq %rax, %xmm1
        mov $0x41e0000000000000, %rax   # 2^31: does not
        movq %rax, %xmm2
        unpcklpd %xmm2, %xmm1
        cvtpd2dq %xmm1, %xmm0
        movq %xmm0, %rdx
        PR cvtpd2dq, %rdx
        MXF cvtpd2dq
        mov $0x41e0000000000000, %rax
        movq %rax, %xmm1
        cvtsd2si %xmm1, %edx
        PR cvtsd2si32_big, %rdx
        MXF cvtsd2si32_big
        mov $0xc1e0000000100000, %rax   # -2147483648.5: truncates to -2^31, fits
        movq %rax, %xmm1
        cvttsd2si %xmm1, %edx
        PR cvttsd2si32_edge, %rdx
        MXF cvttsd2si32_edge
        mov $0x4f000000, %eax           # 2^31 as a single: 64-bit result fits
        movd %eax, %xmm1
        cvttss2si %xmm1, %rdx
        PR cvttss2si64, %rdx
        MXF cvttss2si64
        cvttss2si %xmm1, %edx
        PR cvttss2si32, %rdx
        MXF cvttss2si32
        ret

        .pushsection .data
        .balign 16
tmp:    .quad 0, 0
mx:     .long 0
        .balign 8
denorm: .quad 1
env:    .space 32
save:   .space 112
        .popsection
