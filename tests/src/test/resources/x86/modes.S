# Mode switches beyond the runtime's own (32-bit protected mode -> long mode): a far return from 64-bit mode
# into a 32-bit compatibility-mode code segment, 32-bit arithmetic and port output there, and a far jump back
# to 64-bit mode; the segment registers and EFER.LMA on the way.
        .include "common.inc"

main:
        mov %cs, %ax
        movzwl %ax, %eax
        PR cs64, %rax
        mov $0xc0000080, %ecx
        rdmsr
        and $0xd00, %eax                # LME LMA NXE
        PR efer, %rax
        push %rbx
        push %rbp
        mov %rsp, %rbp
        # lretq pops RIP then CS: into compatibility mode at compat32
        push $CODE32
        lea compat32(%rip), %rax
        push %rax
        lretq

        .code32
compat32:
        mov $0x3f8, %dx
        mov $0x7fffffff, %eax
        add $1, %eax                    # 32-bit overflow: OF SF
        pushfl
        pop %ebx
        and $0x8d5, %ebx
        mov $'F', %al
        out %al, %dx
        mov $'=', %al
        out %al, %dx
        mov $8, %ecx
1:      rol $4, %ebx
        mov %bl, %al
        and $0xf, %al
        add $'0', %al
        cmp $'9', %al
        jbe 2f
        add $('a' - '9' - 1), %al
2:      out %al, %dx
        dec %ecx
        jnz 1b
        mov $'\n', %al
        out %al, %dx
        mov %cs, %ax                    # in compatibility mode CS is the 32-bit segment
        add $'0', %al                   # 0x18 + '0' = 'H'
        out %al, %dx
        mov $'\n', %al
        out %al, %dx
        ljmp $CODE64, $back64

        .code64
back64:
        mov %rbp, %rsp
        pop %rbp
        pop %rbx
        mov %cs, %ax
        movzwl %ax, %eax
        PR cs_back, %rax
        mov $0x123456789, %rax          # 64-bit registers work again
        add %rax, %rax
        PR sum64, %rax
        ret
