// AdvSIMD integer: arithmetic, saturating forms with QC (FPSR bit 27), doubling multiplies, shifts by
// immediate and register (rounding, saturating, narrowing), compares, widening/narrowing, logic and bit
// selects, counts, pairwise and absolute-difference forms, scalar forms.
        .include "common.inc"
        .section .rodata
        .balign 16
vals:   .dword 0, 0
        .dword -1, -1
        .dword 0x7f807fff80007fff, 0x800000007fffffff
        .dword 0x0102030405060708, 0x090a0b0c0d0e0f10
        .dword 0x8000000000000000, 0x7fffffffffffffff
        .dword 0xfedcba9876543210, 0x0123456789abcdef
        .equ NV, 6
        .text
        .macro BSL_T
        mov v2.16b, v0.16b
        bsl v2.16b, v1.16b, v0.16b
        .endm
        .macro BIT_T
        movi v2.2d, #0xff00ff00ff00ff00
        bit v2.16b, v0.16b, v1.16b
        .endm
        .macro BIF_T
        movi v2.2d, #0x00ff0000ffff00ff
        bif v2.16b, v0.16b, v1.16b
        .endm
        .macro MLA_T
        mov v2.16b, v1.16b
        mla v2.8h, v0.8h, v1.8h
        .endm
        .macro UABA_T
        mov v2.16b, v0.16b
        uaba v2.16b, v0.16b, v1.16b
        .endm
        .macro UMLAL_T
        mov v2.16b, v1.16b
        umlal v2.4s, v0.4h, v1.4h
        .endm
        .macro SQDMLAL_T
        mov v2.16b, v1.16b
        sqdmlal v2.2d, v0.2s, v1.2s
        .endm
        .macro XTN2_T
        mov v2.16b, v1.16b
        sqxtn2 v2.8h, v0.4s
        .endm
        .macro SRI_T
        mov v2.16b, v1.16b
        sri v2.4s, v0.4s, #7
        .endm
        .macro SLI_T
        mov v2.16b, v1.16b
        sli v2.2d, v0.2d, #13
        .endm
        .macro URSRA_T
        mov v2.16b, v1.16b
        ursra v2.8h, v0.8h, #3
        .endm
        .macro SUQADD_T
        mov v2.16b, v0.16b
        suqadd v2.16b, v1.16b
        .endm
        .macro USQADD_T
        mov v2.16b, v0.16b
        usqadd v2.4s, v1.4s
        .endm
        .macro BICI_T
        bic v0.4s, #0xff, lsl #8
        mov v2.16b, v0.16b
        .endm
        .macro ORRI_T
        orr v0.8h, #0x80
        mov v2.16b, v0.16b
        .endm
        .global main
main:
        str x30, [sp, #-16]!
        V2 add.16b, vals, NV, add v2.16b, v0.16b, v1.16b
        V2 sub.2d, vals, NV, sub v2.2d, v0.2d, v1.2d
        V2 mul.4s, vals, NV, mul v2.4s, v0.4s, v1.4s
        V2 mla.8h, vals, NV, MLA_T
        V2 sqadd.16b, vals, NV, sqadd v2.16b, v0.16b, v1.16b
        V2 sqadd.2d, vals, NV, sqadd v2.2d, v0.2d, v1.2d
        V2 uqadd.8h, vals, NV, uqadd v2.8h, v0.8h, v1.8h
        V2 sqsub.4s, vals, NV, sqsub v2.4s, v0.4s, v1.4s
        V2 uqsub.2d, vals, NV, uqsub v2.2d, v0.2d, v1.2d
        V2 suqadd.16b, vals, NV, SUQADD_T
        V2 usqadd.4s, vals, NV, USQADD_T
        V2 sqdmulh.8h, vals, NV, sqdmulh v2.8h, v0.8h, v1.8h
        V2 sqrdmulh.4s, vals, NV, sqrdmulh v2.4s, v0.4s, v1.4s
        V2 sqdmull.4s, vals, NV, sqdmull v2.4s, v0.4h, v1.4h
        V2 sqdmlal.2d, vals, NV, SQDMLAL_T
        V2 sqdmulh.elem, vals, NV, sqdmulh v2.4s, v0.4s, v1.s[3]
        V2 shadd.16b, vals, NV, shadd v2.16b, v0.16b, v1.16b
        V2 urhadd.8h, vals, NV, urhadd v2.8h, v0.8h, v1.8h
        V2 shsub.4s, vals, NV, shsub v2.4s, v0.4s, v1.4s
        V2 sshl.16b, vals, NV, sshl v2.16b, v0.16b, v1.16b
        V2 ushl.2d, vals, NV, ushl v2.2d, v0.2d, v1.2d
        V2 srshl.8h, vals, NV, srshl v2.8h, v0.8h, v1.8h
        V2 sqshl.4s, vals, NV, sqshl v2.4s, v0.4s, v1.4s
        V2 uqrshl.16b, vals, NV, uqrshl v2.16b, v0.16b, v1.16b
        V1 shl.8h, vals, NV, shl v2.8h, v0.8h, #9
        V1 ushr.2d, vals, NV, ushr v2.2d, v0.2d, #64
        V1 sshr.16b, vals, NV, sshr v2.16b, v0.16b, #3
        V1 srshr.4s, vals, NV, srshr v2.4s, v0.4s, #31
        V2 ursra.8h, vals, NV, URSRA_T
        V1 sqshl.imm.8h, vals, NV, sqshl v2.8h, v0.8h, #4
        V1 uqshl.imm.4s, vals, NV, uqshl v2.4s, v0.4s, #8
        V1 sqshlu.16b, vals, NV, sqshlu v2.16b, v0.16b, #1
        V2 sri.4s, vals, NV, SRI_T
        V2 sli.2d, vals, NV, SLI_T
        V1 shrn.8b, vals, NV, shrn v2.8b, v0.8h, #4
        V1 rshrn.4h, vals, NV, rshrn v2.4h, v0.4s, #16
        V1 sqshrn.2s, vals, NV, sqshrn v2.2s, v0.2d, #8
        V1 uqrshrn.8b, vals, NV, uqrshrn v2.8b, v0.8h, #1
        V1 sqrshrun.4h, vals, NV, sqrshrun v2.4h, v0.4s, #3
        V1 xtn.8b, vals, NV, xtn v2.8b, v0.8h
        V1 sqxtn.4h, vals, NV, sqxtn v2.4h, v0.4s
        V1 uqxtn.2s, vals, NV, uqxtn v2.2s, v0.2d
        V1 sqxtun.8b, vals, NV, sqxtun v2.8b, v0.8h
        V2 sqxtn2.8h, vals, NV, XTN2_T
        V1 sxtl.8h, vals, NV, sxtl v2.8h, v0.8b
        V1 uxtl2.2d, vals, NV, uxtl2 v2.2d, v0.4s
        V1 sshll.4s, vals, NV, sshll v2.4s, v0.4h, #15
        V1 shll2.8h, vals, NV, shll2 v2.8h, v0.16b, #8
        V2 saddl.8h, vals, NV, saddl v2.8h, v0.8b, v1.8b
        V2 uaddw2.4s, vals, NV, uaddw2 v2.4s, v0.4s, v1.8h
        V2 ssubl2.2d, vals, NV, ssubl2 v2.2d, v0.4s, v1.4s
        V2 smull.8h, vals, NV, smull v2.8h, v0.8b, v1.8b
        V2 umull2.2d, vals, NV, umull2 v2.2d, v0.4s, v1.4s
        V2 umlal.4s, vals, NV, UMLAL_T
        V2 pmul.16b, vals, NV, pmul v2.16b, v0.16b, v1.16b
        V2 pmull.8h, vals, NV, pmull v2.8h, v0.8b, v1.8b
        V2 addhn.8b, vals, NV, addhn v2.8b, v0.8h, v1.8h
        V2 raddhn2.8h, vals, NV, raddhn2 v2.8h, v0.4s, v1.4s
        V2 cmeq.16b, vals, NV, cmeq v2.16b, v0.16b, v1.16b
        V2 cmgt.8h, vals, NV, cmgt v2.8h, v0.8h, v1.8h
        V2 cmge.2d, vals, NV, cmge v2.2d, v0.2d, v1.2d
        V2 cmhi.4s, vals, NV, cmhi v2.4s, v0.4s, v1.4s
        V2 cmhs.16b, vals, NV, cmhs v2.16b, v0.16b, v1.16b
        V2 cmtst.8h, vals, NV, cmtst v2.8h, v0.8h, v1.8h
        V1 cmle0.4s, vals, NV, cmle v2.4s, v0.4s, #0
        V1 cmlt0.2d, vals, NV, cmlt v2.2d, v0.2d, #0
        V1 abs.16b, vals, NV, abs v2.16b, v0.16b
        V1 neg.2d, vals, NV, neg v2.2d, v0.2d
        V1 sqabs.8h, vals, NV, sqabs v2.8h, v0.8h
        V1 sqneg.4s, vals, NV, sqneg v2.4s, v0.4s
        V2 addp.8h, vals, NV, addp v2.8h, v0.8h, v1.8h
        V2 smaxp.4s, vals, NV, smaxp v2.4s, v0.4s, v1.4s
        V2 umin.16b, vals, NV, umin v2.16b, v0.16b, v1.16b
        V2 smax.8h, vals, NV, smax v2.8h, v0.8h, v1.8h
        V2 sabd.4s, vals, NV, sabd v2.4s, v0.4s, v1.4s
        V2 uaba.16b, vals, NV, UABA_T
        V2 sabdl.8h, vals, NV, sabdl v2.8h, v0.8b, v1.8b
        V1 saddlp.4s, vals, NV, saddlp v2.4s, v0.8h
        V1 uadalp.2d, vals, NV, uadalp v2.2d, v0.4s
        V1 cnt.16b, vals, NV, cnt v2.16b, v0.16b
        V1 clz.8h, vals, NV, clz v2.8h, v0.8h
        V1 cls.4s, vals, NV, cls v2.4s, v0.4s
        V1 rbit.16b, vals, NV, rbit v2.16b, v0.16b
        V1 rev64.8h, vals, NV, rev64 v2.8h, v0.8h
        V1 rev32.16b, vals, NV, rev32 v2.16b, v0.16b
        V1 rev16.8b, vals, NV, rev16 v2.8b, v0.8b
        V1 not.16b, vals, NV, mvn v2.16b, v0.16b
        V1 urecpe.4s, vals, NV, urecpe v2.4s, v0.4s
        V1 ursqrte.2s, vals, NV, ursqrte v2.2s, v0.2s
        V2 and, vals, NV, and v2.16b, v0.16b, v1.16b
        V2 orn, vals, NV, orn v2.16b, v0.16b, v1.16b
        V2 eor.8b, vals, NV, eor v2.8b, v0.8b, v1.8b
        V2 bic, vals, NV, bic v2.16b, v0.16b, v1.16b
        V2 bsl, vals, NV, BSL_T
        V2 bit, vals, NV, BIT_T
        V2 bif, vals, NV, BIF_T
        V1 bic.imm, vals, NV, BICI_T
        V1 orr.imm, vals, NV, ORRI_T
        // scalar forms
        V2 sqadd.b, vals, NV, sqadd b2, b0, b1
        V2 uqsub.s, vals, NV, uqsub s2, s0, s1
        V2 sqdmulh.h, vals, NV, sqdmulh h2, h0, h1
        V2 add.d, vals, NV, add d2, d0, d1
        V2 cmgt.d, vals, NV, cmgt d2, d0, d1
        V1 sshr.d, vals, NV, sshr d2, d0, #63
        V1 sqshl.s, vals, NV, sqshl s2, s0, #30
        V1 sqxtn.h, vals, NV, sqxtn h2, s0
        V1 abs.d, vals, NV, abs d2, d0
        // immediates
        movi v3.16b, #0xa5
        PRV movi.16b, 3
        movi v3.4s, #0x12, lsl #24
        PRV movi.4s, 3
        movi v3.8h, #0x34, lsl #8
        PRV movi.8h, 3
        mvni v3.4s, #0x56, msl #16
        PRV mvni.msl, 3
        movi v3.2d, #0xff00ff0000ffff00
        PRV movi.2d, 3
        movi d3, #0xff000000000000ff
        PRV movi.d, 3
        mvni v3.4h, #0x80
        PRV mvni.4h, 3
        ldr x30, [sp], #16
        ret
