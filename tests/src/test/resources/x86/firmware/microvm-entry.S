# A 64 KiB firmware for QEMU's microvm (-bios) whose only job is to enter the state jemu's Linux 64-bit entry
# (dev.jemu.x86.microvm.EntryState.longMode) describes, so that QEMU's CPU runs the kernel from the memory jemu's
# loader prepared (MicrovmLoaderQemuTest): from the reset vector through protected mode into long mode on the page
# tables at CR3, with a GDT holding __BOOT_CS 0x10 and __BOOT_DS 0x18, then a jump to RIP with RSI and RBX set.
# Or, with mode 1, the PVH entry (EntryState.protectedMode): 32-bit protected mode, paging off, EBX set.
# The 40 bytes at image offset 0xf000 (0xff000 through the low alias) hold rip, rsi, rbx, cr3, mode; the test
# fills them.
# Built with: as --64; ld -m elf_x86_64 -Ttext 0; objcopy -O binary.
        .code16
        .org 0xf000
params: .quad 0, 0, 0, 0, 0
gdt:    .quad 0, 0, 0x00af9b000000ffff, 0x00cf93000000ffff, 0x00cf9b000000ffff
gdtr:   .word 5 * 8 - 1
        .long 0xffff0000 + gdt
entry16:
        cli
        lgdtl %cs:gdtr
        mov %cr0, %eax
        or $1, %eax
        mov %eax, %cr0
        ljmpl $0x20, $(0xffff0000 + pm32)
        .code32
pm32:   mov $0x18, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        mov %ax, %fs
        mov %ax, %gs
        cmpl $1, (0xffff0000 + params + 32)
        je pvh
        mov %cr4, %eax
        or $0x20, %eax
        mov %eax, %cr4
        mov (0xffff0000 + params + 24), %eax
        mov %eax, %cr3
        mov $0xc0000080, %ecx
        rdmsr
        or $0x100, %eax
        wrmsr
        mov %cr0, %eax
        or $0x80000000, %eax
        mov %eax, %cr0
        ljmp $0x10, $(0xffff0000 + lm64)
pvh:    mov (0xffff0000 + params + 16), %ebx
        mov (0xffff0000 + params + 0), %eax
        jmp *%eax
        .code64
lm64:   mov $0xffff0000 + params, %eax
        mov 8(%rax), %rsi
        mov 16(%rax), %rbx
        mov (%rax), %rax
        jmp *%rax
        .code16
        .org 0xfff0
        ljmp $0xf000, $entry16
        .org 0x10000
