# MOVS STOS LODS CMPS SCAS at every size, with REP/REPE/REPNE, forwards (DF=0) and backwards (DF=1), a zero
# count, and overlapping moves: registers, flags and the buffer contents after each.
        .include "common.inc"

        .equ BUF, 0x200000              # 2 MiB: free RAM above the program

        # fill the buffer with bytes i (0..255)
fill:
        push %rcx
        push %rdi
        push %rax
        mov $BUF, %edi
        xor %eax, %eax
1:      mov %al, (%rdi)
        inc %rdi
        inc %al
        jnz 1b
        pop %rax
        pop %rdi
        pop %rcx
        ret

        # dump 64 bytes of the buffer from BUF+rax as 8 quads
dump:
        SAVE
        mov $BUF, %esi
        add %rax, %rsi
        mov $8, %ecx
1:      mov (%rsi), %rax
        call puthex64
        mov $' ', %al
        call putc
        add $8, %rsi
        dec %ecx
        jnz 1b
        call newline
        RESTORE
        ret

        .macro REGS
        PR rsi, %rsi
        PR rdi, %rdi
        PR rcx, %rcx
        PR rax, %rax
        PRF f, 0x8d5
        .endm

main:
        call fill
        cld
        mov $BUF + 8, %esi
        mov $BUF + 64, %edi
        mov $5, %ecx
        rep movsq
        REGS
        xor %eax, %eax
        call dump
        mov $BUF + 64 + 7, %esi         # overlapping, backwards
        mov $BUF + 64 + 9, %edi
        mov $16, %ecx
        std
        rep movsb
        cld
        REGS
        mov $64, %eax
        call dump
        mov $BUF + 10, %edi
        mov $0xabcd, %eax
        mov $3, %ecx
        rep stosw
        REGS
        xor %eax, %eax
        call dump
        mov $BUF + 200, %edi
        mov $0x11223344, %eax
        mov $0, %ecx
        rep stosl                       # a zero count writes nothing
        REGS
        std
        mov $BUF + 200, %esi
        mov $3, %ecx
        rep lodsl
        cld
        REGS
        call fill
        movb $0x99, BUF + 137
        mov $BUF + 128, %esi            # compare against a copy at +0 that differs at 9
        mov $BUF + 128, %edi
        mov $BUF, %eax
        mov $20, %ecx
        repe cmpsb
        REGS
        mov $BUF + 8, %edi
        mov $0x27, %al
        mov $100, %ecx
        repne scasb                     # finds 0x27 at BUF + 0x27
        REGS
        mov $BUF + 8, %edi
        mov $0x0b0a, %ax
        mov $4, %ecx
        repe scasw
        REGS
        mov $BUF + 16, %rdi
        mov $0x1716151413121110, %rax
        mov $2, %ecx
        repe scasq
        REGS
        std
        mov $BUF + 40, %rsi
        mov $BUF + 40, %rdi
        mov $3, %ecx
        repe cmpsl
        cld
        REGS
        ret
