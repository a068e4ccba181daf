// Address space IDs as Linux uses them (KPTI-style): two user address spaces with 16-bit ASIDs (TCR.AS)
// taken from TTBR0 (TCR.A1 = 0), each mapping the same VA non-global (nG) to its own page, switched by
// writing TTBR0 without TLB maintenance; global mappings (the identity map of RAM, a TTBR1 kernel alias)
// shared by both; TLBI VAE1/VALE1/ASIDE1/VAAE1/VMALLE1IS after page table changes; EL0 reads under each ASID
// (ERET to EL0, SVC back); a translation fault at level 3 after a TLBI of an invalidated entry.
        .include "common.inc"
        .equ AF, 1 << 10
        .equ SH_INNER, 3 << 8
        .equ ATTR_NORMAL, 1 << 2        // MAIR index 1
        .equ AP_EL0_RW, 1 << 6
        .equ NG, 1 << 11
        .equ USER_VA, 0x80000000        // L1 entry 2 -> l2 -> l3[0]
        .equ KERNEL_VA_HI, 0xffffff80   // TTBR1 region base (T1SZ 25) >> 32
        .bss
        .balign 4096
l1a:    .space 4096
l1b:    .space 4096
l2a:    .space 4096
l2b:    .space 4096
l3a:    .space 4096
l3b:    .space 4096
l1k:    .space 4096
pages:  .space 4 * 4096
        .data
        .balign 8
shared: .dword 0x5eed
        .text

        // USER_PAGE reg, n: reg = the nG EL0-RW L3 descriptor of pages[n]
        .macro USER_PAGE reg, n
        adrp \reg, pages
        add \reg, \reg, #(\n * 4096)
        mov x9, #(AF | SH_INNER | ATTR_NORMAL | AP_EL0_RW | NG | 3)
        orr \reg, \reg, x9
        .endm
        // SET_ASID n, l1: TTBR0 = l1 with ASID n; no TLB maintenance (the TLB is tagged)
        .macro SET_ASID n, l1
        adrp x9, \l1
        movk x9, #\n, lsl #48
        msr ttbr0_el1, x9
        isb
        .endm
        // READ_USER label: prints the word at USER_VA
        .macro READ_USER label
        mov x9, #USER_VA
        ldr x9, [x9]
        PR \label, x9
        .endm
        // TLBI_VA op, asid: TLBI op with the page of USER_VA and ASID asid
        .macro TLBI_VA op, asid
        mov x9, #(USER_VA >> 12)
        movk x9, #\asid, lsl #48
        tlbi \op, x9
        dsb ish
        isb
        .endm

        .global main
main:
        str x30, [sp, #-16]!
        adrp x0, l1a                    // zero the tables and pages (11 pages)
        mov x1, #(11 * 4096 / 16)
1:      stp xzr, xzr, [x0], #16
        subs x1, x1, #1
        b.ne 1b
        adrp x0, pages                  // page n holds 0xa0 + n
        mov x1, #0xa0
        mov x2, #4
2:      str x1, [x0]
        add x0, x0, #4096
        add x1, x1, #1
        subs x2, x2, #1
        b.ne 2b
        // both user spaces: [0] Device block, [1] RAM block (global), [2] -> own l2 -> own l3
        adrp x10, l1a
        adrp x11, l1b
        mov x0, #(AF | 1)
        str x0, [x10]
        str x0, [x11]
        mov x0, #0x40000000
        mov x1, #(AF | SH_INNER | ATTR_NORMAL | 1)
        orr x0, x0, x1
        str x0, [x10, #8]
        str x0, [x11, #8]
        adrp x0, l2a
        orr x0, x0, #3
        str x0, [x10, #16]
        adrp x0, l2b
        orr x0, x0, #3
        str x0, [x11, #16]
        adrp x0, l3a
        orr x0, x0, #3
        adrp x1, l2a
        str x0, [x1]
        adrp x0, l3b
        orr x0, x0, #3
        adrp x1, l2b
        str x0, [x1]
        USER_PAGE x0, 0                 // ASID 1 sees page 0, ASID 2 page 1
        adrp x1, l3a
        str x0, [x1]
        USER_PAGE x0, 1
        adrp x1, l3b
        str x0, [x1]
        // kernel alias through TTBR1: its first GiB -> RAM, global
        adrp x10, l1k
        mov x0, #0x40000000
        mov x1, #(AF | SH_INNER | ATTR_NORMAL | 1)
        orr x0, x0, x1
        str x0, [x10]
        dsb ishst
        mov x0, #0xff00                 // MAIR: attr0 Device-nGnRnE, attr1 Normal WB
        msr mair_el1, x0
        // TCR: T0SZ = T1SZ = 25, 4 KiB granules (TG1 = 2), WB walks, inner shareable, IPS 40 bits, AS (16-bit ASIDs)
        movz x0, #0x3519
        movk x0, #0xb519, lsl #16
        movk x0, #0x12, lsl #32
        msr tcr_el1, x0
        msr ttbr1_el1, x10
        SET_ASID 1, l1a
        tlbi vmalle1
        dsb ish
        isb
        mrs x0, sctlr_el1
        mov x1, #((1 << 12) | (1 << 2) | 1)
        orr x0, x0, x1
        msr sctlr_el1, x0
        isb
        PUTS "mmu.on\n"
        PRS ttbr0.asid1, ttbr0_el1
        // switching ASIDs without TLB maintenance: each space sees its own page
        READ_USER asid1.read
        SET_ASID 2, l1b
        READ_USER asid2.read
        SET_ASID 1, l1a
        READ_USER asid1.again
        // the global kernel alias: the same data in both
        adrp x0, shared
        add x0, x0, :lo12:shared
        and x0, x0, #0x3fffffff
        movz x1, #(KERNEL_VA_HI >> 16), lsl #48
        movk x1, #(KERNEL_VA_HI & 0xffff), lsl #32
        orr x20, x0, x1
        ldr x0, [x20]
        PR kernel.alias.asid1, x0
        SET_ASID 2, l1b
        ldr x0, [x20]
        PR kernel.alias.asid2, x0
        // ASID 1's page changes to page 2: TLBI VAE1 for ASID 1
        USER_PAGE x0, 2
        adrp x1, l3a
        str x0, [x1]
        dsb ishst
        TLBI_VA vae1, 1
        SET_ASID 1, l1a
        READ_USER asid1.after.vae1
        SET_ASID 2, l1b
        READ_USER asid2.unchanged
        // ASID 2's page changes to page 3: TLBI ASIDE1 for ASID 2
        USER_PAGE x0, 3
        adrp x1, l3b
        str x0, [x1]
        dsb ishst
        mov x9, #0
        movk x9, #2, lsl #48
        tlbi aside1, x9
        dsb ish
        isb
        READ_USER asid2.after.aside1
        // a store through ASID 2 lands in page 3
        mov x9, #USER_VA
        mov x0, #0x3333
        str x0, [x9, #8]
        adrp x0, pages
        add x0, x0, #(3 * 4096)
        ldr x0, [x0, #8]
        PR page3.word1, x0
        // ASID 1's page back to page 0: TLBI VAAE1 (any ASID), then VALE1 after moving to page 1
        USER_PAGE x0, 0
        adrp x1, l3a
        str x0, [x1]
        dsb ishst
        TLBI_VA vaae1, 0
        SET_ASID 1, l1a
        READ_USER asid1.after.vaae1
        USER_PAGE x0, 1
        adrp x1, l3a
        str x0, [x1]
        dsb ishst
        TLBI_VA vale1, 1
        READ_USER asid1.after.vale1
        // EL0 under each ASID
        adr x0, el0_read
        bl run_el0
        PR el0.asid1, x0
        SET_ASID 2, l1b
        adr x0, el0_read
        bl run_el0
        PR el0.asid2, x0
        // invalidate ASID 2's entry: a translation fault at level 3 (FAR = the VA)
        adrp x1, l3b
        str xzr, [x1]
        dsb ishst
        TLBI_VA vae1is, 2
        mov x9, #USER_VA
        ldr x0, [x9]                    // aborts: ELR + 4 resumes
        PUTS "after.fault\n"
        tlbi vmalle1is
        dsb ish
        isb
        SET_ASID 1, l1a
        READ_USER asid1.after.vmalle1is
        mrs x0, sctlr_el1               // MMU off again
        bic x0, x0, #1
        msr sctlr_el1, x0
        isb
        ldr x30, [sp], #16
        ret

el0_read:
        mov x9, #USER_VA
        ldr x0, [x9]
        svc #SVC_RETURN
