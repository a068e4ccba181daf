# Code that has become hot (run tens of thousands of times, so a translating emulator has compiled
# it) and is then changed: an instruction patched in place plus FENCE.I, a whole loop body replaced,
# and (with paging) the virtual page of a hot function remapped to another frame plus SFENCE.VMA.
        .include "common.inc"
        .include "vm.inc"
        .equ HOT, 30000
        .data
        .align 12
fn:     .space 4096             # generated functions live here
        .bss
        .align 12
root:   .space 4096
l1:     .space 4096
l0:     .space 4096
frame1: .space 4096
frame2: .space 4096
        .text
        # copy_fn: a0 = destination, a1 = source, a2 = bytes
copy_fn:
1:      lw t0, 0(a1)
        sw t0, 0(a0)
        addi a0, a0, 4
        addi a1, a1, 4
        addi a2, a2, -4
        bgtz a2, 1b
        ret

        .macro RUN_HOT fnreg:req, n:req  # s2 = sum of HOT calls of \fnreg (a0 = iteration)
        li s1, 0
        li s2, 0
1:      mv a0, s1
        jalr ra, 0(\fnreg)
        add s2, s2, a0
        addi s1, s1, 1
        li t0, \n
        blt s1, t0, 1b
        .endm

        .option push
        .option norvc
        # templates: f(a0) = a0 * 3 + 7 ; g(a0) = (a0 ^ 0x55) + 1
tmpl_f: slli t1, a0, 1
        add a0, a0, t1
        addi a0, a0, 7
        ret
tmpl_f_end:
tmpl_g: xori a0, a0, 0x55
        addi a0, a0, 1
        nop
        ret
tmpl_g_end:
        .option pop
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la s0, fn
        mv a0, s0
        la a1, tmpl_f
        li a2, 16              # 4 uncompressed instructions
        call copy_fn
        fence.i
        RUN_HOT s0, HOT
        PR f_sum, s2
        # patch the addi's immediate: +7 -> +9
        li t0, 0x00950513       # addi a0, a0, 9
        sw t0, 8(s0)
        fence.i
        RUN_HOT s0, HOT
        PR f9_sum, s2
        # replace the whole body
        mv a0, s0
        la a1, tmpl_g
        li a2, 16
        call copy_fn
        fence.i
        RUN_HOT s0, HOT
        PR g_sum, s2
        # paging: VA 0x100000000 -> frame1 (f), hot in S; remap to frame2 (g)
        la a0, frame1
        la a1, tmpl_f
        li a2, 16              # 4 uncompressed instructions
        call copy_fn
        la a0, frame2
        la a1, tmpl_g
        li a2, 16
        call copy_fn
        fence.i
        SETPTEI root, 0, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        SETPTEI root, 2, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
        SETPTE root, 4, l1, PTE_V
        SETPTE l1, 0, l0, PTE_V
        SETPTE l0, 0, frame1, PTE_V | PTE_R | PTE_X | PTE_A
        SV39_ON root
        la a0, s_part
        li a1, 1
        call run_in_mode
        csrw satp, zero
        sfence.vma
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

s_part: mv s11, ra
        li s0, 0x100000000
        RUN_HOT s0, HOT
        PR s_f_sum, s2
        la a0, l0
        li a1, 0
        la a2, frame2
        li a3, PTE_V | PTE_R | PTE_X | PTE_A
        call set_pte
        sfence.vma
        RUN_HOT s0, HOT
        PR s_g_sum, s2
        mv ra, s11
        RET_M
