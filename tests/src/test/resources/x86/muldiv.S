# MUL IMUL (one, two and three operands) DIV IDIV at every size: CF and OF compared after the multiplies (SF ZF
# AF PF undefined), no flag after the divides; divide by zero and quotient overflow raise #DE.
        .include "common.inc"
        .include "table.inc"

        STUBS s_mul, mul
        STUBS s_imul, imul
s_imul2_w: imul %bx, %ax
        ret
s_imul2_l: imul %ebx, %eax
        ret
s_imul2_q: imul %rbx, %rax
        ret
s_imul3_l: imul $-7, %ebx, %eax
        ret
s_imul3_q: imul $0x12345, %rbx, %rax
        ret
s_div_b: movzbw %al, %ax
        div %bl
        ret
s_div_w: xor %edx, %edx
        div %bx
        ret
s_div_l: xor %edx, %edx
        div %ebx
        ret
s_div_q: xor %edx, %edx
        div %rbx
        ret
s_idiv_b: cbw
        idiv %bl
        ret
s_idiv_w: cwd
        idiv %bx
        ret
s_idiv_l: cdq
        idiv %ebx
        ret
s_idiv_q: cqo
        idiv %rbx
        ret
s_div128: mov $0x10, %edx           # a 128-bit dividend: rdx:rax
        div %rbx
        ret

main:
        RUN4 mul, s_mul, ops7, OPS7, 0x2, F_CO
        RUN4 imul, s_imul, ops7, OPS7, 0x2, F_CO
        RUN imul2_16, s_imul2_w, ops7, OPS7, 0x2, F_CO
        RUN imul2_32, s_imul2_l, ops7, OPS7, 0x2, F_CO
        RUN imul2_64, s_imul2_q, ops7, OPS7, 0x2, F_CO
        RUN imul3_32, s_imul3_l, ops7, OPS7, 0x2, F_CO
        RUN imul3_64, s_imul3_q, ops7, OPS7, 0x2, F_CO
        RUN4 div, s_div, ops7, OPS7, 0x2, 0
        RUN4 idiv, s_idiv, ops7, OPS7, 0x2, 0
        RUN div128, s_div128, ops7, OPS7, 0x2, 0
        ret
