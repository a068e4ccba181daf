# Start-up probe for x86_64 microvm (-M microvm -kernel this.elf): a PVH ELF (XEN_ELFNOTE_PHYS32_ENTRY), entered
# in 32-bit protected mode with paging off (QEMU through its qboot firmware; jemu directly, as QEMU's firmware
# leaves it). Its first instructions write one byte to the 16550A at port 0x3f8; then LOOPS passes of a small
# loop (0: none) and power-off through the ACPI GED's sleep register (0xfea00200: SLP_TYP S5 | SLP_EN).
# Assembled at run time by benchmarks/startup-bench.py (the host's as / ld).
        .ifndef LOOPS
        .set LOOPS, 0
        .endif
        .pushsection .note.Xen, "a", @note
        .balign 4
        .long 4, 4, 18              # namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY
        .asciz "Xen"
        .long _start32
        .balign 4
        .popsection

        .code32
        .text
        .globl _start32
_start32:
        mov $0x3f8, %dx
        mov $'J', %al
        out %al, %dx                # the first byte: 'J'
        mov $LOOPS, %ecx
        mov $0x200000, %ebx         # scratch 1 MiB above the code's page
        xor %esi, %esi
1:      jecxz 2f
        mov (%ebx), %eax
        add %ecx, %eax
        xor %eax, %esi
        mov %eax, (%ebx)
        dec %ecx
        jmp 1b
2:      mov $'\n', %al
        out %al, %dx
        movb $((5 << 2) | 0x20), 0xfea00200
3:      hlt
        jmp 3b
