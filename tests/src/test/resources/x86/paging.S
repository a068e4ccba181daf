# 4 KiB paging under the runtime's 2 MiB identity map: a page table for 0x40000000 with a present, a not
# present, a read-only, an NX and a user page; #PF error codes and CR2 for each kind of fault, CR0.WP, the A
# and D bits the walk sets, INVLPG after a PTE change, and a page mapped at two addresses.
        .include "common.inc"

        .equ VA, 0x40000000
        .equ PT, 0x300000               # the page table
        .equ FRAME, 0x310000            # 8 frames of 4 KiB

main:
        mov %cr0, %rax
        or $(1 << 16), %rax             # WP: supervisor writes honour read-only pages
        mov %rax, %cr0
        # PD entry 512 (0x40000000) -> PT; PTE i -> FRAME + i * 4096
        mov $PT, %edi
        xor %eax, %eax
        mov $512, %ecx
        rep stosq
        mov $PT + 3, %eax
        mov %rax, pd + 512 * 8
        movq $FRAME + 0x000 + 0x003, PT + 0 * 8          # present, writable
        movq $FRAME + 0x1000 + 0x002, PT + 1 * 8         # not present
        movq $FRAME + 0x2000 + 0x001, PT + 2 * 8         # read-only
        mov $0x8000000000000003 + FRAME + 0x3000, %rax   # NX
        mov %rax, PT + 3 * 8
        movq $FRAME + 0x4000 + 0x007, PT + 4 * 8         # user
        movq $FRAME + 0x000 + 0x003, PT + 5 * 8          # alias of page 0
        mov %cr3, %rax
        mov %rax, %cr3                  # flush
        mov $0x1122334455667788, %rax
        mov %rax, VA
        mov VA + 5 * 4096, %rax         # through the alias
        PR alias, %rax
        EXPECT 1f
        mov VA + 4096 + 8, %rax         # not present, read: err 0
1:      EXPECT 2f
        movq $1, VA + 4096 + 16         # not present, write: err 2
2:      EXPECT 3f
        movq $1, VA + 2 * 4096 + 24     # read-only, write: err 3
3:      mov VA + 2 * 4096, %rax         # reading it is fine
        mov %cr0, %rax
        and $~(1 << 16), %rax           # WP off: supervisor writes to read-only pages succeed
        mov %rax, %cr0
        movq $0x77, VA + 2 * 4096 + 32
        mov VA + 2 * 4096 + 32, %rbx
        PR wp0, %rbx
        or $(1 << 16), %rax
        mov %rax, %cr0
        EXPECT 4f
        movq $0x78, VA + 2 * 4096 + 32  # WP on again: err 3
4:      mov $0xc3, %al                  # ret
        mov %al, FRAME + 0x3000
        EXPECT 5f
        lea 5f(%rip), %rbx
        push %rbx
        mov $VA + 3 * 4096, %rax
        jmp *%rax                       # fetch from an NX page: err 0x11, rip = cr2 = the page
5:      mov VA + 4 * 4096, %rax         # a user page read at CPL 0 (no SMAP): fine
        # accessed and dirty bits the walk set
        mov PT + 0 * 8, %rax
        and $0x60, %eax
        PR pte0_ad, %rax
        mov PT + 2 * 8, %rax
        and $0x60, %eax
        PR pte2_ad, %rax
        mov PT + 4 * 8, %rax
        and $0x60, %eax
        PR pte4_ad, %rax
        # make page 1 present and INVLPG it
        movq $FRAME + 0x1000 + 0x003, PT + 1 * 8
        invlpg VA + 4096
        movq $0x55, VA + 4096
        mov FRAME + 0x1000, %rax
        PR now_present, %rax
        # take page 0 away: the next access faults after INVLPG
        movq $0, PT + 0 * 8
        invlpg VA
        EXPECT 6f
        mov VA + 0x123, %rax
6:      PUTS "paging done"
        ret
