# Every RV64C instruction, written explicitly, with edge immediates (c.lui 1 and 0xfffe0..0xfffff,
# c.addi16sp -512/496, c.addi4spn 1020, c.ldsp/c.sdsp/c.fldsp 504, c.lwsp 252, shifts by 63),
# compressed branches/jumps and their links, and c.ebreak.
        .include "common.inc"
        .data
        .align 4
        .space 1024
cbuf:   .dword 0x1122334455667788, 0x8877665544332211, 0xfedcba9876543210, 0x0123456789abcdef
        .space 1024
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        .option push
        .option rvc
        # --- quadrant 1 ALU ---
        c.li a0, -32
        PR cli_m32, a0
        c.li a0, 31
        PR cli_31, a0
        c.lui a0, 1
        PR clui_1, a0
        c.lui a0, 0x1f
        PR clui_1f, a0
        c.lui a0, 0xfffe0
        PR clui_fffe0, a0
        c.lui a0, 0xfffff
        PR clui_fffff, a0
        li a0, 0x7fffffff
        c.addi a0, 1
        PR caddi, a0
        c.addi a0, -32
        PR caddi_m32, a0
        li a0, 0x7fffffff
        c.addiw a0, 1
        PR caddiw, a0
        c.addiw a0, 0
        PR csextw, a0
        li a1, 0x7fffffff
        c.addw a1, a1
        PR caddw, a1
        li a0, 0x80000000
        li a1, 1
        c.subw a0, a1
        PR csubw, a0
        li a0, -1
        c.srli a0, 63
        PR csrli63, a0
        li a0, 0x8000000000000000
        c.srai a0, 63
        PR csrai63, a0
        li a0, 0x8000000000000000
        c.srli a0, 1
        PR csrli1, a0
        li a0, -1
        c.andi a0, -32
        PR candi_m32, a0
        c.andi a0, 31
        PR candi_31, a0
        li a0, 0x0ff0
        li a1, 0x00ff
        c.sub a0, a1
        PR csub, a0
        c.xor a0, a1
        PR cxor, a0
        c.or a0, a1
        PR cor, a0
        c.and a0, a1
        PR cand, a0
        li a2, 1
        c.slli a2, 63
        PR cslli63, a2
        c.mv a3, a2
        c.add a3, a3
        PR cmvadd, a3
        c.nop
        # --- sp-relative and register-relative loads/stores (sp moved onto cbuf) ---
        mv s11, sp
        la sp, cbuf
        c.addi16sp sp, -512
        c.addi16sp sp, 496
        mv s10, sp
        c.addi4spn a0, sp, 1020
        sub s9, a0, sp
        la sp, cbuf
        c.ldsp a1, 0(sp)
        c.lwsp a2, 12(sp)
        c.fldsp fa0, 16(sp)
        addi sp, sp, -504
        c.ldsp a3, 504(sp)
        c.sdsp a3, 496(sp)
        c.fsdsp fa0, 488(sp)
        addi sp, sp, 252
        c.lwsp a4, 252(sp)
        c.swsp a4, 248(sp)
        mv sp, s11
        la t0, cbuf
        sub s10, s10, t0
        PR caddi16sp, s10
        PR caddi4spn, s9
        PR cldsp, a1
        PR clwsp, a2
        PRF cfldsp, fa0
        PR cldsp504, a3
        la a5, cbuf
        addi a5, a5, -16
        ld a0, 8(a5)
        PR csdsp, a0
        ld a0, 0(a5)
        PR cfsdsp, a0
        lw a0, 12(a5)
        PR cswsp, a0
        la a5, cbuf
        c.lw a0, 4(a5)
        PR clw, a0
        c.ld a1, 24(a5)
        PR cld, a1
        c.fld fa1, 8(a5)
        PRF cfld, fa1
        addi a4, a5, -248
        c.ld a2, 248(a4)
        PR cld248, a2
        addi a4, a5, -124
        c.lw a2, 124(a4)
        PR clw124, a2
        li a0, -2
        c.sw a0, 32(a5)
        c.sd a0, 40(a5)
        c.fsd fa1, 48(a5)
        PRM cstores, a5, 64
        # --- control transfer ---
        li a0, 0
        c.beqz a0, 1f
        c.li a0, 5
1:      c.bnez a0, 2f
        c.li a0, 7
2:      PR cbranch, a0
        c.j 3f
        c.li a0, 9
3:      PR cj, a0
        la a1, 4f
        c.jr a1
        c.li a0, 11
4:      PR cjr, a0
        la a1, 5f
        mv s2, ra
6:      c.jalr a1
5:      mv a2, ra
        mv ra, s2
        la a3, 6b
        sub a2, a2, a3
        PR cjalr_link, a2
        # backward c.bnez loop
        li a0, 6
        li a1, 0
7:      addi a1, a1, 3
        c.addi a0, -1
        c.bnez a0, 7b
        PR cloop, a1
        c.ebreak
        .option pop
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
