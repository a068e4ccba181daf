# x87 corner cases: FSW exception and condition flags, the stack TOP, masked responses (infinity, the real
# indefinite, the integer indefinite), FXAM classes, FCOMI/FUCOMI flags, FPREM, rounding control, and stores
# of each format.
        .include "common.inc"

        # ST0 stored as a double into rax
        .macro STD name:req
        fstl tmp(%rip)
        mov tmp(%rip), %rax
        PR \name, %rax
        .endm

main:
        fninit
        fld1
        fldz
        fdivrp %st, %st(1)              # 1 / 0 = +inf, ZE
        STD one_by_zero
        FSW one_by_zero, 0xbaff
        fstp %st(0)
        fld1
        fchs
        fsqrt                           # sqrt(-1): the real indefinite, IE
        STD sqrt_neg
        FSW sqrt_neg, 0xbaff
        fstp %st(0)
        fldpi
        STD pi
        fldl2e
        fmulp
        STD pi_log2e
        FSW pi_log2e, 0xbaff
        fstp %st(0)
        # rounding control: 1/3 in each mode, as a double
        .irp rc, 0x037f, 0x077f, 0x0b7f, 0x0f7f
        movw $\rc, cw(%rip)
        fldcw cw(%rip)
        fld1
        fldl three(%rip)
        fdivrp %st, %st(1)
        STD third_\rc
        fstp %st(0)
        .endr
        fninit
        fldl big(%rip)                  # 1e30 to an integer: the integer indefinite, IE
        fistpll tmp(%rip)
        mov tmp(%rip), %rax
        PR fist_big, %rax
        FSW fist_big
        fldl twohalf(%rip)
        fistpll tmp(%rip)               # round to nearest even: 2
        mov tmp(%rip), %rax
        PR fist_2_5, %rax
        # FXAM of +0, -inf, a NaN, 1.0, a denormal, and an empty register
        .irp v, zero, minf, qnan, one, denorm
        fldl \v(%rip)
        fxam
        FSW fxam_\v
        fstp %st(0)
        .endr
        fxam
        FSW fxam_empty
        # FCOMI / FUCOMI flags
        fldl one(%rip)
        fldl twohalf(%rip)
        fcomi %st(1), %st
        PRF fcomi_gt, 0x8d5
        fucomi %st(0), %st
        PRF fucomi_eq, 0x8d5
        fstp %st(0)
        fldl qnan(%rip)
        fucomi %st(1), %st
        PRF fucomi_nan, 0x8d5
        FSW fucomi_nan
        fcomi %st(1), %st
        PRF fcomi_nan, 0x8d5
        FSW fcomi_nan
        fninit
        # FPREM: 10 mod 3
        fldl three(%rip)
        fldl ten(%rip)
        fprem
        FSW fprem                       # C0 C3 C1 = Q2 Q1 Q0 (quotient 3), C2 = 0: complete
        STD fprem
        fninit
        # stack overflow: nine pushes
        .rept 9
        fld1
        .endr
        FSW overflow
        fninit
        fld1
        fstps tmp(%rip)
        movl tmp(%rip), %eax
        PR single_one, %rax
        fldpi
        fstpt tmp(%rip)
        mov tmp(%rip), %rax
        PR pi80_mant, %rax
        movzwl tmp + 8(%rip), %eax
        PR pi80_exp, %rax
        ret

        .pushsection .data
        .balign 8
tmp:    .quad 0, 0
cw:     .word 0
        .balign 8
three:  .double 3.0
ten:    .double 10.0
big:    .double 1e30
twohalf: .double 2.5
zero:   .double 0.0
minf:   .quad 0xfff0000000000000
qnan:   .quad 0x7ff8000000000000
one:    .double 1.0
denorm: .quad 1
        .popsection
