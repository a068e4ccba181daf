// AdvSIMD structure loads and stores: LD1/ST1 with 1-4 registers, LD2/LD3/LD4 and ST2/ST3/ST4 (de)interleave,
// LD1R-LD4R replicate, single-lane LD1-LD4/ST1-ST4, post-index by immediate and by register. MMU off:
// every element aligned to its size (data is Device memory).
        .include "common.inc"
        .section .rodata
        .balign 16
src:    .byte 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f
        .byte 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
        .byte 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f
        .byte 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f
        .byte 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf
        .bss
        .balign 16
dst:    .space 128
        .text
        // CLEAR_V: v16-v19 = 0xee bytes, so untouched lanes show
        .macro CLEAR_V
        movi v16.16b, #0xee
        movi v17.16b, #0xee
        movi v18.16b, #0xee
        movi v19.16b, #0xee
        .endm
        // DUMP: the 64 bytes at dst as four lines, then zeroes them
        .macro DUMP label
        ldp q20, q21, [x1]
        ldp q22, q23, [x1, #32]
        PRV \label\().0, 20
        PRV \label\().1, 21
        PRV \label\().2, 22
        PRV \label\().3, 23
        movi v20.16b, #0
        stp q20, q20, [x1]
        stp q20, q20, [x1, #32]
        .endm
        .global main
main:
        str x30, [sp, #-16]!
        adrp x0, src
        add x0, x0, :lo12:src
        adrp x1, dst
        add x1, x1, :lo12:dst
        CLEAR_V
        ld1 {v16.16b}, [x0]
        PRV ld1.1, 16
        ld1 {v16.8b, v17.8b}, [x0]
        PRV ld1.2a, 16
        PRV ld1.2b, 17
        ld1 {v16.4s, v17.4s, v18.4s}, [x0]
        PRV ld1.3c, 18
        ld1 {v16.2d, v17.2d, v18.2d, v19.2d}, [x0]
        PRV ld1.4d, 19
        CLEAR_V
        ld2 {v16.16b, v17.16b}, [x0]
        PRV ld2.16b.a, 16
        PRV ld2.16b.b, 17
        ld2 {v16.4h, v17.4h}, [x0]
        PRV ld2.4h.a, 16
        PRV ld2.4h.b, 17
        ld3 {v16.8h, v17.8h, v18.8h}, [x0]
        PRV ld3.8h.a, 16
        PRV ld3.8h.b, 17
        PRV ld3.8h.c, 18
        ld4 {v16.4s, v17.4s, v18.4s, v19.4s}, [x0]
        PRV ld4.4s.a, 16
        PRV ld4.4s.b, 17
        PRV ld4.4s.c, 18
        PRV ld4.4s.d, 19
        ld4 {v16.8b, v17.8b, v18.8b, v19.8b}, [x0]
        PRV ld4.8b.d, 19
        CLEAR_V
        ld1r {v16.8h}, [x0]
        PRV ld1r.8h, 16
        ld2r {v16.2s, v17.2s}, [x0]
        PRV ld2r.2s.b, 17
        ld3r {v16.16b, v17.16b, v18.16b}, [x0]
        PRV ld3r.16b.c, 18
        ld4r {v16.1d, v17.1d, v18.1d, v19.1d}, [x0]
        PRV ld4r.1d.d, 19
        CLEAR_V
        ld1 {v16.b}[7], [x0]
        PRV ld1.lane.b, 16
        ld2 {v16.h, v17.h}[3], [x0]
        PRV ld2.lane.h, 17
        ld3 {v16.s, v17.s, v18.s}[1], [x0]
        PRV ld3.lane.s, 18
        ld4 {v16.d, v17.d, v18.d, v19.d}[1], [x0]
        PRV ld4.lane.d, 19
        // post-index: by the transfer size (immediate) and by a register
        mov x2, x0
        ld1 {v16.16b, v17.16b}, [x2], #32
        sub x3, x2, x0
        PR post.imm, x3
        mov x4, #48
        ld3 {v16.8b, v17.8b, v18.8b}, [x2], x4
        sub x3, x2, x0
        PR post.reg, x3
        PRV post.reg.v, 18
        mov x2, x0
        ld1r {v16.4s}, [x2], #4
        sub x3, x2, x0
        PR post.ld1r, x3
        ld2 {v16.b, v17.b}[15], [x2], #2
        sub x3, x2, x0
        PR post.lane, x3
        // stores
        ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x0]
        st1 {v16.16b, v17.16b}, [x1]
        DUMP st1.2
        st2 {v16.8h, v17.8h}, [x1]
        DUMP st2.8h
        st3 {v16.4s, v17.4s, v18.4s}, [x1]
        DUMP st3.4s
        st4 {v16.16b, v17.16b, v18.16b, v19.16b}, [x1]
        DUMP st4.16b
        st4 {v16.4h, v17.4h, v18.4h, v19.4h}, [x1]
        DUMP st4.4h
        st1 {v17.s}[2], [x1]
        st2 {v18.b, v19.b}[9], [x1]
        DUMP st.lane
        mov x2, x1
        st4 {v16.h, v17.h, v18.h, v19.h}[7], [x2], #8
        st4 {v16.s, v17.s, v18.s, v19.s}[3], [x2], #16
        sub x3, x2, x1
        PR st.post, x3
        mov x4, #8
        st1 {v19.2d}, [x2], x4
        sub x3, x2, x1
        PR st.post.reg, x3
        DUMP st.posts
        ldr x30, [sp], #16
        ret
