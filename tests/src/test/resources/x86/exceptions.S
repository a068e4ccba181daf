# Exceptions with their vectors, error codes and return addresses: #DE, #DB (single step), #BP, #UD, #GP(0)
# for a non-canonical address, #GP(selector) for a bad segment load, #GP(IDT vector) for an INT beyond the IDT,
# #SS(0) for a non-canonical stack-segment access, #NM with CR0.TS, #GP(0) for an MSR nobody has, and
# #GP(selector) for an RPL 3 selector loaded into SS at CPL 0, and the single-step trap MOV SS defers.
        .include "common.inc"

main:
        EXPECT 1f
        xor %ecx, %ecx
        mov $1, %eax
        div %ecx
1:      PUTS "de done"
        EXPECT 2f
        int3                            # a trap: rip after the instruction
        nop
2:      EXPECT 3f
        ud2
3:      EXPECT 4f
        mov $0x0000800000000000, %rax   # non-canonical
        mov (%rax), %rbx
4:      EXPECT 5f
        mov $0x28, %eax                 # beyond the GDT: #GP(0x28)
        mov %eax, %ds
5:      mov $DATA, %eax
        mov %eax, %ds
        EXPECTQ 6f
        int $0x40                       # beyond the IDT's 32 gates: #GP(0x40 * 8 + 2) (IDT bit)
6:      CAUGHT int40
        EXPECTQ 7f
        mov $0x0000800000000000, %rax
        mov (%rsp, %rax), %rbx          # non-canonical through RSP as the base: #SS(0)
7:      CAUGHT ss_noncanonical
        EXPECT 8f
        mov %cr0, %rax
        or $8, %rax                     # TS
        mov %rax, %cr0
        addps %xmm0, %xmm1              # #NM
8:      clts
        EXPECTQ 9f
        mov $0x12345678, %ecx           # an MSR nobody has: #GP(0)
        rdmsr
9:      CAUGHT rdmsr_unknown
        EXPECT 10f
        pushfq
        orq $0x100, (%rsp)              # TF: #DB after the next instruction
        popfq
        mov $1, %eax                    # the trap comes after this one
10:     pushfq
        andq $~0x100, (%rsp)
        popfq
        PR rax, %rax
        EXPECT 11f
        .byte 0x0f, 0x0b                # ud2 again, spelled out
11:     EXPECT 12f
        mov $3, %eax                    # RPL 3 data selector at CPL 0 into SS: #GP(selector)
        or $DATA, %eax
        mov %eax, %ss
12:     mov %ss, %ecx
        EXPECT 13f
        pushfq
        orq $0x100, (%rsp)              # TF again
        popfq
        mov %ecx, %ss                   # MOV SS holds the single-step trap off for one instruction...
        nop                             # ...so it comes after this one
13:     PUTS "all taken"
        ret
