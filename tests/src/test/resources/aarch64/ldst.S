// Loads and stores in every addressing mode: unsigned offset, unscaled (LDUR), pre/post-index writeback
// (including the SP as base), register offset with LSL/UXTW/SXTW/SXTX, PC-relative literal; every size and
// sign extension to W and X; pairs (LDP/STP/LDPSW/LDNP/STNP, all three forms); unprivileged LDTR/STTR at
// EL1; PRFM. MMU off: every access aligned (data is Device memory).
        .include "common.inc"
        .data
        .balign 16
buf:    .dword 0x8899aabbccddeeff, 0x0011223344556677, 0xfedcba9876543210, 0x7f80817f80017fff
        .dword 0, 0, 0, 0
        .dword 0, 0, 0, 0
        .text
        .balign 16
lit64:  .dword 0xdeadbeefcafef00d
lit32:  .word 0x80000001
        .balign 4
        .global main
main:
        str x30, [sp, #-16]!
        adrp x0, buf
        add x0, x0, :lo12:buf
        // sizes and extensions, unsigned offset
        ldrb w1, [x0, #1]
        PR ldrb, x1
        ldrsb w1, [x0, #1]
        PR ldrsb.w, x1
        ldrsb x1, [x0, #7]
        PR ldrsb.x, x1
        ldrh w1, [x0, #2]
        PR ldrh, x1
        ldrsh w1, [x0, #6]
        PR ldrsh.w, x1
        ldrsh x1, [x0, #30]
        PR ldrsh.x, x1
        ldr w1, [x0, #4]
        PR ldr.w, x1
        ldrsw x1, [x0, #4]
        PR ldrsw, x1
        ldr x1, [x0, #16]
        PR ldr.x, x1
        // unscaled
        ldur x1, [x0, #8]
        PR ldur, x1
        add x2, x0, #32
        ldursw x1, [x2, #-8]
        PR ldursw, x1
        ldurh w1, [x2, #-2]
        PR ldurh, x1
        // pre/post index
        mov x2, x0
        ldr x1, [x2, #8]!
        sub x3, x2, x0
        PR pre.val, x1
        PR pre.base, x3
        ldr w1, [x2], #-4
        sub x3, x2, x0
        PR post.val, x1
        PR post.base, x3
        ldrb w1, [x2, #-1]!
        sub x3, x2, x0
        PR preb.val, x1
        PR preb.base, x3
        // register offsets
        mov x4, #2
        ldr x1, [x0, x4, lsl #3]
        PR reg.lsl3, x1
        mov x4, #-1
        add x5, x0, #8
        ldr x1, [x5, w4, sxtw #3]
        PR reg.sxtw3, x1
        mov x4, #0xffffffff00000000
        movk x4, #4
        ldr w1, [x0, w4, uxtw]
        PR reg.uxtw, x1
        mov x4, #-6
        add x5, x0, #16
        ldrsh x1, [x5, x4, sxtx]
        PR reg.sxtx, x1
        mov x4, #3
        ldrh w1, [x0, x4, lsl #1]
        PR reg.lsl1, x1
        // literals
        ldr x1, lit64
        PR lit.x, x1
        ldr w1, lit32
        PR lit.w, x1
        ldrsw x1, lit32
        PR lit.sw, x1
        // stores of every size, read back as a whole
        add x6, x0, #32
        movz x1, #0x7788
        movk x1, #0x5566, lsl #16
        movk x1, #0x3344, lsl #32
        movk x1, #0x1122, lsl #48
        str x1, [x6]
        movz w1, #0xccdd
        movk w1, #0xaabb, lsl #16
        str w1, [x6, #8]
        mov w1, #0xeeff
        strh w1, [x6, #12]
        mov w1, #0x99
        strb w1, [x6, #15]
        sturb w1, [x6, #14]
        ldp x1, x2, [x6]
        PR st.lo, x1
        PR st.hi, x2
        mov x4, #1
        mov x1, #0x4242
        str x1, [x6, x4, lsl #3]
        str w1, [x6, #4]
        ldp x1, x2, [x6]
        PR st.reg.lo, x1
        PR st.reg.hi, x2
        // pairs
        mov x1, #0x1111
        mov x2, #0x2222
        stp x1, x2, [x6, #16]!
        sub x3, x6, x0
        PR stp.pre.base, x3
        ldp x7, x8, [x6], #-16
        sub x3, x6, x0
        PR ldp.post.base, x3
        PR ldp.1, x7
        PR ldp.2, x8
        stp w1, w2, [x6, #40]
        ldr x7, [x6, #40]
        PR stpw, x7
        mov w1, #-5
        mov w2, #0x7fffffff
        stp w1, w2, [x6]
        ldpsw x7, x8, [x6]
        PR ldpsw.1, x7
        PR ldpsw.2, x8
        ldp w7, w8, [x6]
        PR ldpw.1, x7
        PR ldpw.2, x8
        stnp x2, x1, [x6, #48]
        ldnp x7, x8, [x6, #48]
        PR nponp.1, x7
        PR nponp.2, x8
        // SP as base, with writeback
        mov x9, sp
        mov x1, #0xabc
        str x1, [sp, #-16]!
        stp x1, x1, [sp, #-16]!
        ldr x2, [sp, #16]
        ldp x3, x4, [sp], #32
        mov x10, sp
        sub x10, x10, x9
        PR sp.delta, x10
        PR sp.val, x2
        // unprivileged at EL1 (PAN absent, MMU off: as a normal access)
        sttr x1, [x6, #8]
        ldtr x2, [x6, #8]
        ldtrsb x3, [x0, #1]
        ldtrh w4, [x0, #2]
        PR ldtr, x2
        PR ldtrsb, x3
        PR ldtrh, x4
        prfm pldl1keep, [x0]
        prfm pstl2strm, [x0, x4]
        prfum plil3keep, [x0, #-3]
        // FP/SIMD registers as transfer: B/H/S/D/Q
        ldr q0, [x0]
        ldr d1, [x0, #8]
        ldr s2, [x0, #12]
        ldr h3, [x0, #14]
        ldr b4, [x0, #15]
        PRV ldr.q, 0
        PRV ldr.d, 1
        PRV ldr.s, 2
        PRV ldr.h, 3
        PRV ldr.b, 4
        ldp q5, q6, [x0]
        stp q6, q5, [x6]
        ldr q7, [x6], #16
        PRV ldpq.swap, 7
        ldp s8, s9, [x0, #8]
        PRV ldps, 9
        str h2, [x6, #-2]!
        ldr x1, [x6, #-6]
        PR strh.fp, x1
        ldr q0, lit64
        PRV lit.q, 0
        ldr x30, [sp], #16
        ret
