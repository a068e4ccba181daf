# What Linux's locking and bit helpers use: CMPXCHG (each size, equal and not, memory with LOCK and a register
# destination), CMPXCHG8B/16B, XADD, XCHG with memory, BT/BTS/BTR/BTC on memory with a register bit offset
# beyond the operand and negative (the address moves) and with an immediate (masked), SETcc for all 16
# conditions and CMOVcc (a 32-bit CMOV zero-extends even when false) after each flag producer whose flags are
# all defined, PUSHF/POPF (which bits POPF changes at CPL 0) and LAHF/SAHF.
        .include "common.inc"

        # CX name, insn: rax = acc, rcx = src, buf = mem; insn; flags, rax, rcx and buf printed
        .macro CX name:req, insn:req, acc:req, src:req, mem:req
        mov $\acc, %rax
        mov $\src, %rcx
        mov $\mem, %rdx
        mov %rdx, buf(%rip)
        \insn
        PRF \name\()_f, 0x8d5
        PR \name\()_a, %rax
        PR \name\()_c, %rcx
        PR \name\()_d, %rdx
        mov buf(%rip), %rdx
        PR \name\()_m, %rdx
        .endm

        # CONDS name: SETcc for cc = 0..15 on the current flags as a 16-bit mask (bit 15 = O ... bit 0 = G)
        .macro CONDS name:req
        pushfq
        push %rbx
        push %rax
        xor %ebx, %ebx
        .irp cc, o,no,b,ae,e,ne,be,a,s,ns,p,np,l,ge,le,g
        pushq 16(%rsp)
        popfq
        set\cc %al
        movzbl %al, %eax
        shl $1, %ebx
        or %eax, %ebx
        .endr
        PR \name, %rbx
        pop %rax
        pop %rbx
        popfq
        .endm

        # FLAGS name, setup, op: run op after setup and print the SETcc mask
        .macro FLAGS name:req, a:req, b:req, op:req
        mov $\a, %rax
        mov $\b, %rcx
        \op %rcx, %rax
        CONDS \name
        .endm

        .equ A64, 0x1122334455667788

main:
        CX cx8_eq, "lock cmpxchgb %cl, buf(%rip)", 0x1111111111111188, 0x33, A64
        CX cx8_ne, "lock cmpxchgb %cl, buf(%rip)", 0x1111111111111187, 0x33, A64
        CX cx16_eq, "lock cmpxchgw %cx, buf(%rip)", 0x1111111111117788, 0x3333, A64
        CX cx16_ne, "lock cmpxchgw %cx, buf(%rip)", 0x1111111111117789, 0x3333, A64
        CX cx32_eq, "lock cmpxchgl %ecx, buf(%rip)", 0xffffffff55667788, 0x33333333, A64
        CX cx32_ne, "lock cmpxchgl %ecx, buf(%rip)", 0xffffffff55667789, 0x33333333, A64
        CX cx64_eq, "lock cmpxchgq %rcx, buf(%rip)", A64, 0x3333333333333333, A64
        CX cx64_ne, "lock cmpxchgq %rcx, buf(%rip)", 0x1122334455667789, 0x3333333333333333, A64
        CX cx64_lt, "cmpxchgq %rcx, buf(%rip)", 1, 0x3333333333333333, 0x8000000000000000
        CX cx32_reg_eq, "cmpxchgl %ecx, %edx", 0x0000000055667788, 0x33333333, 0xffffffff55667788
        CX cx32_reg_ne, "cmpxchgl %ecx, %edx", 0xffffffff00000001, 0x33333333, 0xffffffff55667788
        CX cx64_rax, "cmpxchgq %rax, buf(%rip)", 0x1234, 0, 0x1234
        CX xadd_same, "xaddq %rcx, %rcx", 0, 0x4000000000000001, 0
        CX xadd8, "lock xaddb %cl, buf(%rip)", 0, 0x80, 0x1122334455667780
        CX xadd32, "lock xaddl %ecx, buf(%rip)", 0, 0xffffffff, 0xaaaaaaaa00000001
        CX xadd64, "xaddq %rcx, buf(%rip)", 0, 0x7fffffffffffffff, 1
        CX xadd_reg, "xaddl %ecx, %eax", 0xffffffff80000000, 0x80000000, 0
        CX xchg32, "xchgl %ecx, buf(%rip)", 0, 0xffffffffcafef00d, A64
        CX xchg8, "xchgb %ch, buf(%rip)", 0, 0xabcd, A64

        # CMPXCHG8B / CMPXCHG16B: equal (stores rcx:rbx) and not equal (loads rdx:rax, zero-extended for 8B)
        push %rbx
        lea buf(%rip), %rdi
        mov $0x1111111122222222, %rax
        mov %rax, (%rdi)
        mov $0x3333333344444444, %rax
        mov %rax, 8(%rdi)
        mov $0xffffffff22222222, %rax
        mov $0xffffffff11111111, %rdx
        mov $0x5555555566666666, %rbx
        mov $0x7777777788888888, %rcx
        lock cmpxchg8b (%rdi)
        PRF cx8b_eq_f, 0x8d5
        PR cx8b_eq_a, %rax
        PR cx8b_eq_d, %rdx
        mov (%rdi), %rsi
        PR cx8b_eq_m, %rsi
        mov $0xffffffff00000000, %rax
        mov $0xffffffff00000000, %rdx
        lock cmpxchg8b (%rdi)
        PRF cx8b_ne_f, 0x8d5
        PR cx8b_ne_a, %rax
        PR cx8b_ne_d, %rdx
        pop %rbx

        # BT* with memory: a register offset addresses beyond the operand (and before it when negative)
        lea bits(%rip), %rdi
        .irp off, 0, 63, 64, 100, 255, -1, -64, -65
        mov $0x8000000000000001, %rax
        mov %rax, -16(%rdi)
        mov %rax, -8(%rdi)
        mov %rax, (%rdi)
        mov %rax, 8(%rdi)
        mov %rax, 16(%rdi)
        mov %rax, 24(%rdi)
        mov $\off, %rcx
        btq %rcx, (%rdi)
        PRF bt_\off, 1
        lock btsq %rcx, (%rdi)
        PRF bts_\off, 1
        lock btcq %rcx, (%rdi)
        PRF btc_\off, 1
        btsl %ecx, (%rdi)
        lock btrw %cx, (%rdi)
        PRF btrw_\off, 1
        mov -16(%rdi), %rax
        xor 8(%rdi), %rax
        rol $7, %rax
        xor -8(%rdi), %rax
        rol $7, %rax
        xor (%rdi), %rax
        rol $7, %rax
        xor 16(%rdi), %rax
        rol $7, %rax
        xor 24(%rdi), %rax
        PR bitmem_\off, %rax
        .endr
        movq $0, (%rdi)
        btsq $70, (%rdi)                # an immediate offset is taken modulo the operand size
        btsl $33, 4(%rdi)
        btcw $17, 8(%rdi)
        mov (%rdi), %rax
        PR bt_imm_lo, %rax
        mov 8(%rdi), %rax
        PR bt_imm_hi, %rax

        # SETcc masks after flag producers whose flags the SDM defines in full
        FLAGS add_ovf, 0x7fffffffffffffff, 1, add
        FLAGS add_carry, 0xffffffffffffffff, 1, add
        FLAGS sub_borrow, 1, 2, sub
        FLAGS sub_equal, 5, 5, sub
        FLAGS cmp_lt, -3, 2, cmp
        FLAGS cmp_ovf, 0x8000000000000000, 1, cmp
        FLAGS and_neg, -1, 0x8000000000000000, and
        FLAGS or_parity, 0, 3, or
        FLAGS xor_zero, 7, 7, xor
        FLAGS test_neg, -1, -1, test
        FLAGS adc_chain, -1, 0, adc
        FLAGS sbb_chain, 0, 0, sbb
        stc
        mov $0x7fffffff, %eax
        inc %eax                        # CF kept
        CONDS inc_ovf
        clc
        mov $0, %eax
        dec %eax
        CONDS dec_neg
        mov $0, %eax
        neg %eax
        CONDS neg_zero
        mov $0x80000000, %eax
        neg %eax
        CONDS neg_min
        mov $0xc0000000, %eax
        shl $1, %eax
        CONDS shl1
        mov $0x40000000, %eax
        shl $1, %eax
        CONDS shl1_ovf
        mov $0x80000001, %eax
        sar $1, %eax
        CONDS sar1
        mov $0x80000001, %eax
        shr $1, %eax
        CONDS shr1

        # a 32-bit CMOV writes (zero-extends) its destination even when the condition is false
        mov $-1, %rdx
        mov $0x12345678, %ecx
        cmp %ecx, %ecx
        cmovne %ecx, %edx
        PR cmov32_false, %rdx
        mov $-1, %rdx
        cmove %ecx, %edx
        PR cmov32_true, %rdx
        mov $-1, %rdx
        cmovneq %rcx, %rdx
        PR cmov64_false, %rdx
        mov $-1, %rdx
        cmovnew %cx, %dx
        PR cmov16_false, %rdx

        # POPF at CPL 0 with IOPL 0: which bits it changes (TF, IF, DF and NT left clear: no step, no interrupts,
        # the print routines' string ops forward, IRETQ without a task return)
        push $~0x4700
        popfq
        pushfq
        pop %rax
        PR popf_all, %rax
        push $2
        popfq
        pushfq
        pop %rax
        PR popf_none, %rax
        pushw $0x08d5
        popfw
        pushfw
        popw %ax
        movzwl %ax, %eax
        PR popfw, %rax
        push $2
        popfq
        mov $0xff, %ah
        sahf                            # SF ZF AF PF CF from AH; bits 1, 3, 5 as RFLAGS has them
        pushfq
        pop %rax
        PR sahf_flags, %rax
        mov $0, %eax
        lahf
        shr $8, %eax
        PR lahf, %rax
        push $2
        popfq
        # CMPXCHG16B last: KVM on a host without nested paging fails to emulate it (the KVM half stops here)
        push %rbx
        lea buf(%rip), %rdi
        mov $0x5555555566666666, %rbx
        mov $0x7777777788888888, %rcx
        mov $0x1111111122222222, %rax
        mov $0x3333333344444444, %rdx
        movq %rax, (%rdi)
        movq %rdx, 8(%rdi)
        lock cmpxchg16b (%rdi)
        PRF cx16b_eq_f, 0x8d5
        mov (%rdi), %rsi
        PR cx16b_eq_m0, %rsi
        mov 8(%rdi), %rsi
        PR cx16b_eq_m1, %rsi
        lock cmpxchg16b (%rdi)
        PRF cx16b_ne_f, 0x8d5
        PR cx16b_ne_a, %rax
        PR cx16b_ne_d, %rdx
        pop %rbx
        ret

        .pushsection .data
        .balign 16
buf:    .quad 0, 0
        .quad 0, 0
bits:   .quad 0, 0, 0, 0
        .popsection
