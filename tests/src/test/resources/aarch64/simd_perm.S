// AdvSIMD permutes and across-lanes: ZIP/UZP/TRN, EXT, TBL/TBX with 1-4 table registers and out-of-range
// indices, DUP/INS/UMOV/SMOV, ADDV/SADDLV/UADDLV/SMAXV/UMINV and the FP reductions.
        .include "common.inc"
        .section .rodata
        .balign 16
vals:   .dword 0x0706050403020100, 0x0f0e0d0c0b0a0908
        .dword 0x1716151413121110, 0x1f1e1d1c1b1a1918
        .dword 0x8000000000000000, 0x7fffffffffffffff
        .dword 0xfedcba9876543210, 0x0123456789abcdef
        .dword 0x402f203f3e101f00, 0x3c2c1c0c38281808
        .dword -1, -1
        .equ NV, 6
        // single precision lanes: 1, -2, qNaN, -0 / inf, 0.5, sNaN, 3
fvals:  .dword 0xc00000003f800000, 0x800000007fc00000
        .dword 0x3f0000007f800000, 0x404000007f800001
        .dword 0x3f8000003f800000, 0xbf800000bf800000
        .equ NF, 3
tblidx: .byte 0, 17, 33, 49, 63, 64, 255, 5, 16, 32, 48, 1, 15, 31, 47, 62
        .text
        .macro TBL2_T
        adrp x9, tblidx
        ldr q3, [x9, :lo12:tblidx]
        tbl v2.16b, {v0.16b, v1.16b}, v3.16b
        .endm
        .macro TBL3_T
        adrp x9, tblidx
        ldr q4, [x9, :lo12:tblidx]
        mov v3.16b, v1.16b
        mov v2.16b, v0.16b
        tbl v2.16b, {v1.16b, v2.16b, v3.16b}, v4.16b
        .endm
        .macro TBL4_T
        adrp x9, tblidx
        ldr q6, [x9, :lo12:tblidx]
        mov v3.16b, v0.16b
        mov v4.16b, v1.16b
        mov v5.16b, v0.16b
        tbl v2.8b, {v3.16b, v4.16b, v5.16b, v6.16b}, v6.8b
        .endm
        .macro TBX1_T
        mov v2.16b, v1.16b
        tbx v2.16b, {v0.16b}, v1.16b
        .endm
        .macro TBX2_T
        movi v2.16b, #0xee
        tbx v2.8b, {v0.16b, v1.16b}, v1.8b
        .endm
        .macro INS_T
        mov v2.16b, v1.16b
        mov v2.s[3], v0.s[1]
        mov v2.b[0], w0
        .endm
        .macro INS_GEN_T
        mov v2.16b, v1.16b
        mov x9, v0.d[1]
        mov v2.h[5], w9
        .endm
        .macro UMOV_T
        umov w2, v0.b[9]
        fmov d2, x2
        .endm
        .macro SMOV_T
        smov x9, v0.h[7]
        fmov d2, x9
        .endm
        .macro SMOVW_T
        smov w9, v0.b[15]
        fmov d2, x9
        .endm
        .macro DUPG_T
        mov x9, v0.d[1]
        dup v2.8h, w9
        .endm
        .global main
main:
        str x30, [sp, #-16]!
        V2 zip1.16b, vals, NV, zip1 v2.16b, v0.16b, v1.16b
        V2 zip2.8h, vals, NV, zip2 v2.8h, v0.8h, v1.8h
        V2 uzp1.4s, vals, NV, uzp1 v2.4s, v0.4s, v1.4s
        V2 uzp2.8b, vals, NV, uzp2 v2.8b, v0.8b, v1.8b
        V2 trn1.2d, vals, NV, trn1 v2.2d, v0.2d, v1.2d
        V2 trn2.16b, vals, NV, trn2 v2.16b, v0.16b, v1.16b
        V2 ext.16b, vals, NV, ext v2.16b, v0.16b, v1.16b, #5
        V2 ext.8b, vals, NV, ext v2.8b, v0.8b, v1.8b, #7
        V2 tbl1, vals, NV, tbl v2.16b, {v0.16b}, v1.16b
        V2 tbl2, vals, NV, TBL2_T
        V2 tbl3, vals, NV, TBL3_T
        V2 tbl4, vals, NV, TBL4_T
        V2 tbx1, vals, NV, TBX1_T
        V2 tbx2, vals, NV, TBX2_T
        V1 dup.elem.b, vals, NV, dup v2.16b, v0.b[13]
        V1 dup.elem.s, vals, NV, dup v2.2s, v0.s[3]
        V1 dup.scalar.d, vals, NV, mov d2, v0.d[1]
        V1 dup.gen, vals, NV, DUPG_T
        V2 ins, vals, NV, INS_T
        V2 ins.gen, vals, NV, INS_GEN_T
        V1 umov, vals, NV, UMOV_T
        V1 smov.h, vals, NV, SMOV_T
        V1 smov.bw, vals, NV, SMOVW_T
        V1 addv.16b, vals, NV, addv b2, v0.16b
        V1 addv.4s, vals, NV, addv s2, v0.4s
        V1 saddlv.8h, vals, NV, saddlv s2, v0.8h
        V1 uaddlv.16b, vals, NV, uaddlv h2, v0.16b
        V1 uaddlv.4s, vals, NV, uaddlv d2, v0.4s
        V1 smaxv.8b, vals, NV, smaxv b2, v0.8b
        V1 uminv.8h, vals, NV, uminv h2, v0.8h
        V1 umaxv.4s, vals, NV, umaxv s2, v0.4s
        V1 sminv.16b, vals, NV, sminv b2, v0.16b
        V1 fmaxv, fvals, NF, fmaxv s2, v0.4s
        V1 fminv, fvals, NF, fminv s2, v0.4s
        V1 fmaxnmv, fvals, NF, fmaxnmv s2, v0.4s
        V1 fminnmv, fvals, NF, fminnmv s2, v0.4s
        V1 addp.d, vals, NV, addp d2, v0.2d
        V1 faddp.s, fvals, NF, faddp s2, v0.2s
        V1 fmaxnmp.d, fvals, NF, fmaxnmp d2, v0.2d
        ldr x30, [sp], #16
        ret
