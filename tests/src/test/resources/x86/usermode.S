# CPL 3 and back, as Linux's entry code does it: IRETQ to CPL 3 (64-bit code, IOPL 3 so the print routines'
# port I/O still works there), SYSCALL (STAR/LSTAR/FMASK: the selectors, RCX/R11, the masked RFLAGS) and SYSRETQ,
# INT n through a DPL 3 gate with the TSS's RSP0 stack switch and IRETQ back, #PF error codes for user accesses
# to supervisor, read-only and not-present pages, #GP(0) for privileged instructions at CPL 3, the return to
# CPL 0 through a gate (a null SS); then at CPL 0: an instruction fetch from an NX page (#PF with I/D), a
# write to a read-only page with CR0.WP clear (allowed) and set (#PF), and the accessed/dirty bits of 2 MiB
# pages.
        .include "common.inc"

        .equ UCODE64, 0x33
        .equ UDATA, 0x2b
        .equ TSS_SEL, 0x38
        .equ SUPER, 0x200000            # PDE 1: supervisor only
        .equ NXPAGE, 0x400000           # PDE 2: NX
        .equ ROPAGE, 0x800000           # PDE 4: user, read-only
        .equ ABSENT, 0xa00000           # PDE 5: not present

        # UPR label, reg: at CPL 3, records label and value (r15 walks urec); the kernel prints them after the
        # return to CPL 0 (KVM's emulation of REP OUTSB at CPL 3 raises #GP where the CPU would not: the
        # prints stay at CPL 0 so that the program runs there too)
        .macro UPR label:req, reg:req
        mov \reg, 8(%r15)
        push %rsi
        STR %rsi, "\label="
        mov %rsi, (%r15)
        pop %rsi
        lea 16(%r15), %r15
        .endm

main:
        lea urec(%rip), %r15
        # GDT with user segments and a TSS; the IDT grows to 256 gates with two DPL 3 ones
        lea tss(%rip), %rax
        shl $16, %rax
        mov $0x67 | (0x89 << 40), %rdx
        or %rdx, %rax
        mov %rax, gdt2 + TSS_SEL(%rip)
        lea kstack_top(%rip), %rax
        mov %rax, tss + 4(%rip)         # RSP0
        lgdt gdt2_ptr(%rip)
        mov $TSS_SEL, %eax
        ltr %ax
        lea idt(%rip), %rsi
        lea idt2(%rip), %rdi
        mov $32 * 2, %ecx
        rep movsq
        lea int80(%rip), %rax
        mov $0x80, %ecx
        call set_gate3
        lea int81(%rip), %rax
        mov $0x81, %ecx
        call set_gate3
        lidt idt2_ptr(%rip)
        # paging: user access to PDE 0 (this program), PDE 2 NX, PDE 4 user read-only, PDE 5 not present
        orq $4, pml4
        orq $4, pdpt
        orq $4, pd
        movb $0xc3, NXPAGE              # a RET where the NX page will be
        btsq $63, pd + 2 * 8
        movq $ROPAGE | 0x85, pd + 4 * 8
        movq $0, pd + 5 * 8
        mov %cr3, %rax
        mov %rax, %cr3
        # SYSCALL: EFER.SCE; kernel CS 0x08 (SS 0x10), SYSRET base 0x20 (SS 0x2b, CS 0x33); FMASK TF IF DF AC
        mov $0xc0000080, %ecx
        rdmsr
        or $1, %eax
        wrmsr
        mov $0xc0000081, %ecx
        xor %eax, %eax
        mov $(0x20 << 16) | 0x08, %edx
        wrmsr
        mov $0xc0000082, %ecx
        lea sys_entry(%rip), %rax
        mov %rax, %rdx
        shr $32, %rdx
        wrmsr
        mov $0xc0000084, %ecx
        mov $0x40700, %eax
        xor %edx, %edx
        wrmsr
        # to CPL 3
        mov %rsp, kernel_rsp(%rip)
        push $UDATA
        lea ustack_top(%rip), %rax
        push %rax
        push $0x3002 | 0x800 | 0x1      # IOPL 3, OF, CF (R11 must show them)
        push $UCODE64
        lea user(%rip), %rax
        push %rax
        iretq

set_gate3:                              # rcx = vector, rax = handler: a DPL 3 64-bit interrupt gate
        shl $4, %rcx
        lea idt2(%rip), %rdi
        add %rcx, %rdi
        mov %ax, (%rdi)
        movw $CODE64, 2(%rdi)
        movw $0xee00, 4(%rdi)
        shr $16, %rax
        mov %ax, 6(%rdi)
        shr $16, %rax
        mov %eax, 8(%rdi)
        movl $0, 12(%rdi)
        ret

user:
        mov %ds, %eax                   # IRETQ to an outer level nulls DS (DPL 0 < CPL 3)
        UPR user_ds, %rax
        mov %cs, %eax
        UPR user_cs, %rax
        mov %ss, %eax
        UPR user_ss, %rax
        pushfq
        pop %rax
        UPR user_rflags, %rax
        # SYSCALL round trip
        mov $0x1234, %rdi
        mov $-1, %rcx
        mov $-1, %r11
        syscall
1:      lea 1b(%rip), %rax
        sub sys_rcx(%rip), %rax
        UPR syscall_rcx_delta, %rax
        UPR sys_r11, %r11
        UPR sysret_rdi, %rdi
        mov sys_cs(%rip), %rax
        UPR sys_cs, %rax
        mov sys_ss(%rip), %rax
        UPR sys_ss, %rax
        mov sys_flags(%rip), %rax
        UPR sys_rflags, %rax
        mov %cs, %eax
        UPR sysret_cs, %rax
        mov %ss, %eax
        UPR sysret_ss, %rax
        pushfq
        pop %rax
        UPR sysret_rflags, %rax
        # INT 0x80 through a DPL 3 gate: the frame on RSP0
        int $0x80
        mov int_cs(%rip), %rax
        UPR int80_frame_cs, %rax
        mov int_ss(%rip), %rax
        UPR int80_frame_ss, %rax
        mov int_rsp0(%rip), %rax
        lea kstack_top(%rip), %rdx
        sub %rax, %rdx
        UPR int80_rsp0_used, %rdx
        mov int_kcs(%rip), %rax
        UPR int80_kernel_cs, %rax
        # page faults at CPL 3
        EXPECT 2f
        mov SUPER, %rax
2:      EXPECT 3f
        movb $1, SUPER
3:      mov ROPAGE, %rax
        UPR user_read_ro, %rax
        EXPECT 4f
        movb $1, ROPAGE
4:      EXPECT 5f
        mov ABSENT, %rax
5:      EXPECT 6f
        hlt                             # privileged: #GP(0)
6:      EXPECT 7f
        mov %cr0, %rax
7:      EXPECT 8f
        wrmsr
8:      EXPECTQ 9f
        int $0x40                       # an empty gate: #GP(0x40 * 8 + 2), the IDT bit set
9:      CAUGHT int40_user
        int $0x81                       # back to CPL 0 (does not return)
        PUTS "int81 returned"
        FAIL

sys_entry:                              # CPL 0 on the user stack
        mov %rcx, sys_rcx(%rip)
        mov %r11, sys_r11_saved(%rip)
        mov %cs, %eax
        mov %rax, sys_cs(%rip)
        mov %ss, %eax
        mov %rax, sys_ss(%rip)
        pushfq
        pop %rax
        mov %rax, sys_flags(%rip)
        inc %rdi
        sysretq

int80:
        mov 8(%rsp), %rax
        mov %rax, int_cs(%rip)
        mov 32(%rsp), %rax
        mov %rax, int_ss(%rip)
        mov %rsp, int_rsp0(%rip)
        mov %cs, %eax
        mov %rax, int_kcs(%rip)
        iretq

int81:                                  # back to the kernel's stack after the IRETQ to CPL 3
        mov %ss, %eax
        mov kernel_rsp(%rip), %rsp
        PR back_ss, %rax
        mov $DATA, %eax
        mov %eax, %ss
        mov %cs, %eax
        PR back_cs, %rax
        lea urec(%rip), %rdi            # the lines recorded at CPL 3
1:      cmp %r15, %rdi
        jae 2f
        mov (%rdi), %rsi
        call puts
        mov 8(%rdi), %rax
        call puthex64
        call newline
        add $16, %rdi
        jmp 1b
2:
        # CPL 0: fetch from an NX page, a read-only page with WP clear and set
        EXPECT 1f
        mov $NXPAGE, %rax
        call *%rax
1:      movb $5, ROPAGE                 # WP clear: CPL 0 writes read-only pages
        movzbl ROPAGE, %eax
        PR wp0_write, %rax
        mov %cr0, %rax
        bts $16, %rax
        mov %rax, %cr0
        EXPECT 2f
        movb $6, ROPAGE
2:      mov %cr0, %rax
        btr $16, %rax
        mov %rax, %cr0
        EXPECT 3f
        mov ABSENT, %rax
3:      mov pd + 1 * 8, %rax
        and $0x60, %eax
        PR pde_super_ad, %rax
        mov pd + 2 * 8, %rax
        and $0x60, %eax
        PR pde_nx_ad, %rax
        mov pd + 4 * 8, %rax
        and $0x60, %eax
        PR pde_ro_ad, %rax
        mov pd + 3 * 8, %rax
        and $0x60, %eax
        PR pde_tables_ad, %rax
        ret

        .pushsection .data
        .balign 16
gdt2:
        .quad 0
        .quad 0x00af9b000000ffff        # 0x08: 64-bit code
        .quad 0x00cf93000000ffff        # 0x10: data
        .quad 0x00cf9b000000ffff        # 0x18: 32-bit code
        .quad 0x00cffb000000ffff        # 0x20: 32-bit user code (SYSRET's base)
        .quad 0x00cff3000000ffff        # 0x28: user data
        .quad 0x00affb000000ffff        # 0x30: 64-bit user code
        .quad 0, 0                      # 0x38: the TSS
gdt2_end:
gdt2_ptr:
        .word gdt2_end - gdt2 - 1
        .quad gdt2
idt2_ptr:
        .word 256 * 16 - 1
        .quad idt2
        .balign 8
kernel_rsp: .quad 0
sys_rcx: .quad 0
sys_r11_saved: .quad 0
sys_cs: .quad 0
sys_ss: .quad 0
sys_flags: .quad 0
int_cs: .quad 0
int_ss: .quad 0
int_rsp0: .quad 0
int_kcs: .quad 0
        .balign 16
tss:    .space 104
        .popsection

        .pushsection .bss
        .balign 16
urec:   .space 64 * 16
        .balign 4096
idt2:   .space 256 * 16
        .balign 16
kstack: .space 8192
kstack_top:
ustack: .space 8192
ustack_top:
        .popsection
