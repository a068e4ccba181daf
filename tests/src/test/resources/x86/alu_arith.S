# ADD ADC SUB SBB CMP NEG INC DEC at every operand size, every flag compared (ADC/SBB/INC/DEC also with CF=1 in).
        .include "common.inc"
        .include "table.inc"

        STUB2 s_add, add
        STUB2 s_adc, adc
        STUB2 s_sub, sub
        STUB2 s_sbb, sbb
        STUB2 s_cmp, cmp
        STUB1 s_neg, neg
        STUB1 s_inc, inc
        STUB1 s_dec, dec

main:
        RUN4 add, s_add, ops7, OPS7, 0x2, F_ALL
        RUN4 adc, s_adc, ops7, OPS7, 0x2, F_ALL
        RUN4 adc_c, s_adc, ops7, OPS7, 0x3, F_ALL
        RUN4 sub, s_sub, ops7, OPS7, 0x2, F_ALL
        RUN4 sbb, s_sbb, ops7, OPS7, 0x2, F_ALL
        RUN4 sbb_c, s_sbb, ops7, OPS7, 0x3, F_ALL
        RUN4 cmp, s_cmp, ops7, OPS7, 0x2, F_ALL
        RUN4 neg, s_neg, one7, 7, 0x2, F_ALL
        RUN4 inc, s_inc, one7, 7, 0x2, F_ALL
        RUN4 inc_c, s_inc, one7, 7, 0x8d7, F_ALL
        RUN4 dec, s_dec, one7, 7, 0x2, F_ALL
        RUN4 dec_c, s_dec, one7, 7, 0x8d7, F_ALL
        ret
