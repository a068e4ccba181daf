// FP conversions: to integer with every rounding (FCVTN/A/P/M/Z, signed and unsigned, W and X, fixed point)
// and saturation (IOC), from integer (SCVTF/UCVTF, fixed point) in all rounding modes, precision changes
// D/S/H (AHP), FRINT* , compares (FCMP/FCMPE NZCV and IOC), FCSEL/FCCMP, FMOV immediates and transfers.
        .include "common.inc"
        .section .rodata
        .balign 8
        // 0, -0, 0.5, -0.5, 1.5, -2.5, 2^31, -2^31-1, 2^63, -2^64, 2^64-ulp... , inf, -inf, qNaN, sNaN, 1e-310
dvals:  .dword 0, 0x8000000000000000, 0x3fe0000000000000, 0xbfe0000000000000, 0x3ff8000000000000
        .dword 0xc004000000000000, 0x41e0000000000000, 0xc1e0000000200000, 0x43e0000000000000
        .dword 0xc3f0000000000000, 0x43efffffffffffff, 0x7ff0000000000000, 0xfff0000000000000
        .dword 0x7ff8000000000001, 0x7ff4000000000001, 0x0000b8157268fdaf
        .equ ND, 16
svals:  .dword 0, 0x80000000, 0x3f000000, 0xbf000000, 0x3fc00000, 0xc0200000, 0x4f000000, 0xcf000001
        .dword 0x5f000000, 0xdf800000, 0x7f800000, 0xff800000, 0x7fc00001, 0x7fa00001, 0x00000001, 0x477ff000
        .equ NS, 16
ivals:  .dword 0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000, 0x0000000100000001, 0x00000000ffffffff
        .dword 0x0020000000000001, 0x0000000001000001, 3
        .equ NI, 10
        .text
        // instruction sequences run as one table case (a ';' would end the table macro's call)
        .macro FCMP_D_T
        fcmp d0, d1
        mrs x2, nzcv
        .endm
        .macro FCMPE_S_T
        fcmpe s0, s1
        mrs x2, nzcv
        .endm
        .macro FCMP_ZERO_T
        fcmp d0, #0.0
        mrs x2, nzcv
        .endm
        .macro FCMPE_ZERO_T
        fcmpe s0, #0.0
        mrs x2, nzcv
        .endm
        .macro FCSEL_GT_T
        fcmp d0, d1
        fcsel d2, d0, d1, gt
        .endm
        .macro FCCMP_EQ_T
        cmp x0, x1
        fccmp d0, d1, #0x6, ne
        mrs x2, nzcv
        .endm
        .macro FCCMPE_S_T
        cmp x0, x1
        fccmpe s0, s1, #0x9, eq
        mrs x2, nzcv
        .endm
        .global main
main:
        str x30, [sp, #-16]!
        FX1 fcvtzs.xd, dvals, ND, fcvtzs x2, d0
        FX1 fcvtzs.wd, dvals, ND, fcvtzs w2, d0
        FX1 fcvtzu.xd, dvals, ND, fcvtzu x2, d0
        FX1 fcvtzu.ws, svals, NS, fcvtzu w2, s0
        FX1 fcvtns.xd, dvals, ND, fcvtns x2, d0
        FX1 fcvtnu.wd, dvals, ND, fcvtnu w2, d0
        FX1 fcvtas.wd, dvals, ND, fcvtas w2, d0
        FX1 fcvtau.xs, svals, NS, fcvtau x2, s0
        FX1 fcvtps.xs, svals, NS, fcvtps x2, s0
        FX1 fcvtpu.wd, dvals, ND, fcvtpu w2, d0
        FX1 fcvtms.wd, dvals, ND, fcvtms w2, d0
        FX1 fcvtmu.xd, dvals, ND, fcvtmu x2, d0
        FX1 fcvtzs.fix8, dvals, ND, fcvtzs x2, d0, #8
        FX1 fcvtzu.fix31, svals, NS, fcvtzu w2, s0, #31
        ALL_MODES F1, scvtf.dx, ivals, NI, scvtf d2, x0
        ALL_MODES F1, ucvtf.sx, ivals, NI, ucvtf s2, x0
        ALL_MODES F1, scvtf.sw, ivals, NI, scvtf s2, w0
        F1 ucvtf.dw, ivals, NI, ucvtf d2, w0
        F1 scvtf.fix16, ivals, NI, scvtf d2, x0, #16
        F1 ucvtf.fix1, ivals, NI, ucvtf s2, w0, #1
        ALL_MODES F1, fcvt.sd, dvals, ND, fcvt s2, d0
        F1 fcvt.ds, svals, NS, fcvt d2, s0
        ALL_MODES F1, fcvt.hs, svals, NS, fcvt h2, s0
        F1 fcvt.hd, dvals, ND, fcvt h2, d0
        F1 fcvt.sh, ivals, NI, fcvt s2, h0
        F1 fcvt.dh, svals, NS, fcvt d2, h0
        SET_FPCR (1 << 26)
        F1 fcvt.hs.ahp, svals, NS, fcvt h2, s0
        F1 fcvt.sh.ahp, svals, NS, fcvt s2, h0
        SET_FPCR (1 << 24)
        F1 fcvt.sd.fz, dvals, ND, fcvt s2, d0
        SET_FPCR (1 << 25)
        F1 fcvt.ds.dn, svals, NS, fcvt d2, s0
        SET_FPCR 0
        F1 frintn.d, dvals, ND, frintn d2, d0
        F1 frinta.d, dvals, ND, frinta d2, d0
        F1 frintp.s, svals, NS, frintp s2, s0
        F1 frintm.d, dvals, ND, frintm d2, d0
        F1 frintz.s, svals, NS, frintz s2, s0
        ALL_MODES F1, frintx.d, dvals, ND, frintx d2, d0
        ALL_MODES F1, frinti.s, svals, NS, frinti s2, s0
        FX2 fcmp.d, dvals, ND, FCMP_D_T
        FX2 fcmpe.s, svals, NS, FCMPE_S_T
        FX1 fcmp.zero, dvals, ND, FCMP_ZERO_T
        FX1 fcmpe.zero, svals, NS, FCMPE_ZERO_T
        F2 fcsel.gt, dvals, ND, FCSEL_GT_T
        FX2 fccmp.eq, dvals, ND, FCCMP_EQ_T
        FX2 fccmpe.s, svals, NS, FCCMPE_S_T
        // immediates and transfers
        fmov d3, #-1.25
        fmov s4, #31.0
        fmov d5, #0.125
        PRV fmov.d, 3
        PRV fmov.s, 4
        PRV fmov.d2, 5
        mov x6, #-1
        fmov v6.d[1], x6
        fmov x7, v6.d[1]
        PR fmov.upper, x7
        fmov s6, w6
        PRV fmov.sw, 6
        fmov w7, s3
        PR fmov.ws, x7
        ldr x30, [sp], #16
        ret
