# AND OR XOR TEST NOT at every size (AF is undefined after the logical ops: masked), BT/BTS/BTR/BTC (CF only),
# BSF/BSR (ZF only; the destination keeps its value for a zero source, as AMD documents and Intel does),
# SETcc and CMOVcc for all 16 conditions over a set of flag states.
        .include "common.inc"
        .include "table.inc"

        STUB2 s_and, and
        STUB2 s_or, or
        STUB2 s_xor, xor
        STUB2 s_test, test
        STUB1 s_not, not
s_bt_w:  bt %bx, %ax
        ret
s_bt_l:  bt %ebx, %eax
        ret
s_bt_q:  bt %rbx, %rax
        ret
s_bts_q: bts %rbx, %rax
        ret
s_btr_l: btr %ebx, %eax
        ret
s_btc_w: btc %bx, %ax
        ret
s_bsf_w: bsf %bx, %ax
        ret
s_bsf_l: mov %eax, %eax                 # a zero source leaves the destination: AMD keeps all 64 bits, QEMU
        bsf %ebx, %eax                  # writes the 32 bits back zero-extended; start from a 32-bit value
        ret
s_bsf_q: bsf %rbx, %rax
        ret
s_bsr_w: bsr %bx, %ax
        ret
s_bsr_l: mov %eax, %eax                 # (see s_bsf_l)
        bsr %ebx, %eax
        ret
s_bsr_q: bsr %rbx, %rax
        ret
s_bswap_l: bswap %eax
        ret
s_bswap_q: bswap %rax
        ret

        SINGLES bits, 0, 1, 5, 15, 16, 31, 32, 63, 64, 0x47, 0xffffffff
        PAIRS flagstates, 0x2, 0x3, 0x42, 0x82, 0x802, 0x882, 0x842, 0x8d7

        # cond n: rax = SETcc result, rdx = CMOVcc result (rdx = 0x5555.. in, rbx = b source)
        .macro SETCMOV n
s_cc\n:
        push %rbx
        popfq
        mov $0, %eax
        set\n %al
        mov $0x1111, %rbx
        cmov\n %rbx, %rdx
        ret
        .endm
        .irp c, o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g
        SETCMOV \c
        .endr

main:
        RUN4 and, s_and, ops7, OPS7, 0x2, F_LOGIC
        RUN4 or, s_or, ops7, OPS7, 0x8d7, F_LOGIC
        RUN4 xor, s_xor, ops7, OPS7, 0x2, F_LOGIC
        RUN4 test, s_test, ops7, OPS7, 0x2, F_LOGIC
        RUN4 not, s_not, one7, 7, 0x8d7, F_ALL
        # bit offsets: the a of each pair is the value, b the bit number (register forms take it modulo the size)
        RUN bt16, s_bt_w, bitpairs, BITPAIRS, 0x2, F_C
        RUN bt32, s_bt_l, bitpairs, BITPAIRS, 0x3, F_C
        RUN bt64, s_bt_q, bitpairs, BITPAIRS, 0x2, F_C
        RUN bts64, s_bts_q, bitpairs, BITPAIRS, 0x2, F_C
        RUN btr32, s_btr_l, bitpairs, BITPAIRS, 0x2, F_C
        RUN btc16, s_btc_w, bitpairs, BITPAIRS, 0x2, F_C
        RUN bsf16, s_bsf_w, scanpairs, SCANPAIRS, 0x2, 0x40
        RUN bsf32, s_bsf_l, scanpairs, SCANPAIRS, 0x2, 0x40
        RUN bsf64, s_bsf_q, scanpairs, SCANPAIRS, 0x2, 0x40
        RUN bsr16, s_bsr_w, scanpairs, SCANPAIRS, 0x2, 0x40
        RUN bsr32, s_bsr_l, scanpairs, SCANPAIRS, 0x2, 0x40
        RUN bsr64, s_bsr_q, scanpairs, SCANPAIRS, 0x2, 0x40
        RUN bswap32, s_bswap_l, one7, 7, 0x2, F_ALL
        RUN bswap64, s_bswap_q, one7, 7, 0x2, F_ALL
        .irp c, o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g
        RUN set\c, s_cc\c, flagstates, 8, 0x2, 0
        .endr
        ret

        .pushsection .rodata
        .balign 8
bitpairs:
        .irp v, 0x8000000000000001, 0x123456789abcdef0
        .irp b, 0, 1, 5, 15, 16, 31, 32, 63, 64, 0x47
        .quad \v, \b
        .endr
        .endr
        .equ BITPAIRS, 20
scanpairs:
        # a = the old destination (kept for a zero source), b = the source
        .irp b, 0, 1, 0x80, 0x8000, 0x10000, 0x80000000, 0x100000000, 0x8000000000000000, 0x00f0f0f000000f00
        .quad 0xdeadbeefcafe1234, \b
        .endr
        .equ SCANPAIRS, 9
        .popsection
