# The PVH entry as the boot loader leaves it (QEMU's -kernel of a PVH ELF on microvm, and jemu's): the
# hvm_start_info structure at EBX (magic, version, flags, modules, the command line, the RSDP address) and its
# memory map, entry by entry; the entry state the protocol fixes (CR0 PE set, paging off, 32-bit flat
# segments) was checked by common.inc reaching main.
        .include "common.inc"

main:
        mov pvh_start_info(%rip), %rbx
        mov (%rbx), %eax
        PR magic, %rax
        mov 4(%rbx), %eax
        PR version, %rax
        mov 8(%rbx), %eax
        PR flags, %rax
        mov 12(%rbx), %eax
        PR nr_modules, %rax
        mov 32(%rbx), %rsi              # the RSDP: where the firmware put it differs (qboot: 0xf34d0), what is there not
        mov (%rsi), %rax
        PR rsdp_signature, %rax
        xor %eax, %eax                  # the ACPI 1.0 checksum over its first 20 bytes
        xor %ecx, %ecx
4:      add (%rsi, %rcx), %al
        inc %ecx
        cmp $20, %ecx
        jb 4b
        PR rsdp_sum20, %rax
        movzbl 15(%rsi), %eax
        PR rsdp_revision, %rax
        mov 24(%rsi), %rax              # the XSDT it names
        mov (%rax), %eax
        PR xsdt_signature, %rax
        mov 24(%rbx), %rsi              # the command line (none given: QEMU passes an empty string)
        test %rsi, %rsi
        jz 1f
        PUTS "cmdline:"
        call puts
        call newline
1:      mov 48(%rbx), %ecx              # the entries with a size (QEMU's qboot adds an empty one at the end)
        mov 40(%rbx), %rdi
        test %ecx, %ecx
        jz 3f
2:      cmpq $0, 8(%rdi)
        je 5f
        mov (%rdi), %rax
        PR e820_addr, %rax
        mov 8(%rdi), %rax
        PR e820_size, %rax
        mov 16(%rdi), %eax
        PR e820_type, %rax
5:      add $24, %rdi
        dec %ecx
        jnz 2b
3:      ret
