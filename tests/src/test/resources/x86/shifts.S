# SHL SHR SAR ROL ROR RCL RCR at every size by counts 0-7 (below every operand size, where CF is defined) and
# by 1 through the implicit form; OF is compared only for counts of 1 (undefined otherwise), AF never.
# SHLD/SHRD at 32 and 64 bits.
        .include "common.inc"
        .include "table.inc"

        STUBCL s_shl, shl
        STUBCL s_shr, shr
        STUBCL s_sar, sar
        STUBCL s_rol, rol
        STUBCL s_ror, ror
        STUBCL s_rcl, rcl
        STUBCL s_rcr, rcr
        STUB1 s_shl1, shl
        STUB1 s_sar1, sar
        STUB1 s_rcr1, rcr
s_shld_l: mov $0x89abcdef, %edx
        shld %cl, %edx, %eax
        ret
s_shrd_q: mov $0x0123456789abcdef, %rdx
        shrd %cl, %rdx, %rax
        ret

        .pushsection .rodata
        .balign 8
counts:
        .irp v, 0x8000000080008081, 0x123456789abcdef0, 0x7fffffff7fff7f7f
        .irp n, 0, 1, 2, 3, 4, 7
        .quad \v, \n
        .endr
        .endr
        .equ COUNTS, 18
wide:
        .irp v, 0x8000000080008081, 0x123456789abcdef0
        .irp n, 0, 1, 4, 13, 31
        .quad \v, \n
        .endr
        .endr
        .equ WIDE, 10
        .popsection

        # mask: CF PF ZF SF for every count (flags are unchanged for count 0: RFLAGS in shows), OF for count 1
        .equ F_SHIFT, 0xc5
        .equ F_ROT, 0x1
main:
        RUN4 shl, s_shl, counts, COUNTS, 0x2, F_SHIFT
        RUN4 shr, s_shr, counts, COUNTS, 0x8d7, F_SHIFT
        RUN4 sar, s_sar, counts, COUNTS, 0x2, F_SHIFT
        RUN4 rol, s_rol, counts, COUNTS, 0x2, F_ROT
        RUN4 ror, s_ror, counts, COUNTS, 0x2, F_ROT
        RUN4 rcl, s_rcl, counts, COUNTS, 0x3, F_ROT
        RUN4 rcr, s_rcr, counts, COUNTS, 0x2, F_ROT
        RUN4 shl1, s_shl1, one7, 7, 0x2, 0x8c5
        RUN4 sar1, s_sar1, one7, 7, 0x2, 0x8c5
        RUN4 rcr1, s_rcr1, one7, 7, 0x3, 0x801
        RUN shld32, s_shld_l, wide, WIDE, 0x2, 0xc5
        RUN shrd64, s_shrd_q, wide, WIDE, 0x2, 0xc5
        ret
