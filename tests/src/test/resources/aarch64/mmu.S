// The VMSAv8-64 MMU with the 4 KiB granule: tables built here (39-bit VAs through TTBR0 from level 1,
// TTBR1 for the top GiB), MAIR attributes, enabling SCTLR_EL1.M; then translation through an alias, a
// read-only alias (permission fault on write), an invalid entry (translation fault at level 3, then mapped
// with TLBI), an access flag fault, translation faults at levels 1 and 0 (VA out of range), AT S1E1R/W and
// S1E0R into PAR_EL1, PXN (instruction abort) against an executable alias, EL0 access to an EL0 page and
// to a privileged page, an unaligned access to Normal memory and DC ZVA.
        .include "common.inc"
        .equ DESC_BLOCK, 1
        .equ DESC_TABLE, 3
        .equ DESC_PAGE, 3
        .equ AF, 1 << 10
        .equ SH_INNER, 3 << 8
        .equ ATTR_NORMAL, 1 << 2        // MAIR index 1
        .equ AP_RO, 2 << 6
        .equ AP_EL0_RW, 1 << 6
        .equ TEST_VA, 0x80000000        // L1 entry 2 -> l2b -> l3: the test pages
        .bss
        .balign 4096
l1:     .space 4096
l2:     .space 4096
l2b:    .space 4096
l3:     .space 4096
l1hi:   .space 4096
pagea:  .space 4096
pageb:  .space 4096
        .text
        .balign 4096
codepage:
        mov x0, #0x99
        ret
        .balign 4096

        // PAGE_DESC reg, page_label, extra: reg = the L3 descriptor mapping page_label with extra bits
        .macro PAGE_DESC reg, page, extra
        adrp \reg, \page
        movz x9, #(\extra) & 0xffff
        orr \reg, \reg, x9
        mov x9, #(AF | SH_INNER | ATTR_NORMAL | DESC_PAGE)
        orr \reg, \reg, x9
        .endm
        .macro PAGE_DESC_XN reg, page, extra
        PAGE_DESC \reg, \page, \extra
        orr \reg, \reg, #(1 << 53)      // PXN
        .endm

        .global main
main:
        str x30, [sp, #-16]!
        // zero the tables and pages
        adrp x0, l1
        mov x1, #(7 * 4096 / 16)
1:      stp xzr, xzr, [x0], #16
        subs x1, x1, #1
        b.ne 1b
        // level 1: [0] 1 GiB Device block (the UART), [1] -> l2 (RAM), [2] -> l2b (test pages), [3] invalid
        adrp x10, l1
        mov x0, #(AF | DESC_BLOCK)      // PA 0, AttrIndx 0 (Device-nGnRnE)
        str x0, [x10]
        adrp x0, l2
        orr x0, x0, #DESC_TABLE
        str x0, [x10, #8]
        adrp x0, l2b
        orr x0, x0, #DESC_TABLE
        str x0, [x10, #16]
        // level 2: 64 x 2 MiB Normal blocks for RAM 0x40000000..0x48000000, identity
        adrp x11, l2
        mov x0, #0x40000000
        mov x1, #(AF | SH_INNER | ATTR_NORMAL | DESC_BLOCK)
        orr x0, x0, x1
        mov x2, #64
2:      str x0, [x11], #8
        add x0, x0, #0x200000
        subs x2, x2, #1
        b.ne 2b
        // l2b[0] -> l3
        adrp x12, l2b
        adrp x0, l3
        orr x0, x0, #DESC_TABLE
        str x0, [x12]
        // level 3 test pages
        adrp x13, l3
        PAGE_DESC x0, pagea, 0
        str x0, [x13, #0]               // 0: page A, EL1 read/write
        PAGE_DESC x0, pagea, AP_RO
        str x0, [x13, #8]               // 1: page A, read-only
                                        // 2: invalid (mapped later)
        PAGE_DESC x0, pageb, 0
        bic x0, x0, #AF
        str x0, [x13, #24]              // 3: page B, access flag clear
        PAGE_DESC x0, pageb, AP_EL0_RW
        orr x0, x0, #(1 << 54)          // UXN
        str x0, [x13, #32]              // 4: page B, EL0 and EL1 read/write
        PAGE_DESC x0, pageb, 0
        str x0, [x13, #40]              // 5: page B, EL1 only
        PAGE_DESC_XN x0, codepage, AP_RO
        str x0, [x13, #48]              // 6: the code page, privileged execute never
        PAGE_DESC x0, codepage, AP_RO
        str x0, [x13, #56]              // 7: the code page, executable
        // TTBR1: its level 1 table's last entry maps the top GiB onto RAM
        adrp x14, l1hi
        mov x0, #0x40000000
        mov x1, #(AF | SH_INNER | ATTR_NORMAL | DESC_BLOCK)
        orr x0, x0, x1
        str x0, [x14, #(511 * 8)]
        // MAIR: attr0 Device-nGnRnE, attr1 Normal write-back; TCR: T0SZ = T1SZ = 25, 4 KiB granules, IPS 40 bits
        mov x0, #0xff00
        msr mair_el1, x0
        movz x0, #0x3519
        movk x0, #0xb519, lsl #16
        movk x0, #0x2, lsl #32
        msr tcr_el1, x0
        msr ttbr0_el1, x10
        msr ttbr1_el1, x14
        dsb ish
        isb
        tlbi vmalle1
        dsb ish
        isb
        mrs x0, sctlr_el1
        orr x0, x0, #1                  // M
        orr x0, x0, #(1 << 2)           // C
        orr x0, x0, #(1 << 12)          // I
        msr sctlr_el1, x0
        isb
        PUTS "mmu.on\n"
        PRS sctlr, sctlr_el1
        PRS tcr, tcr_el1
        // through the alias
        adrp x20, pagea
        movz x0, #0x5678
        movk x0, #0x1234, lsl #16
        str x0, [x20, #0x10]
        mov x21, #TEST_VA
        ldr x1, [x21, #0x10]
        PR alias.read, x1
        mov x2, #0xabcd
        str x2, [x21, #0x18]
        ldr x1, [x20, #0x18]
        PR alias.write, x1
        // read-only alias: read works, write is a permission fault (level 3)
        add x22, x21, #0x1000
        ldr x1, [x22, #0x10]
        PR ro.read, x1
        str x2, [x22, #0x20]
        // invalid entry: translation fault at level 3; mapped, invalidated, then readable
        add x23, x21, #0x2000
        ldr x1, [x23, #0x10]
        PAGE_DESC x0, pagea, 0
        str x0, [x13, #16]
        dsb ishst
        lsr x0, x23, #12
        tlbi vaae1is, x0
        dsb ish
        isb
        ldr x1, [x23, #0x10]
        PR mapped.read, x1
        // access flag clear: access flag fault (level 3)
        add x24, x21, #0x3000
        ldr x1, [x24]
        // level 1 invalid, VA out of TTBR0's range
        mov x0, #0xc0000000
        ldr x1, [x0]
        mov x0, #0x8000000000
        str x1, [x0, #8]
        // TTBR1: the top GiB is RAM
        mov x0, #0x40000000
        sub x0, x20, x0
        movz x1, #0xc000, lsl #16
        movk x1, #0xffff, lsl #32
        movk x1, #0xffff, lsl #48
        add x0, x0, x1
        ldr x1, [x0, #0x10]
        PR ttbr1.read, x1
        // address translation instructions
        at s1e1r, x21
        isb
        PRS par.s1e1r, par_el1
        at s1e1w, x22
        isb
        PRS par.s1e1w.ro, par_el1
        add x0, x21, #0x5000
        at s1e0r, x0
        isb
        PRS par.s1e0r.priv, par_el1
        add x0, x21, #0x4000
        at s1e0w, x0
        isb
        PRS par.s1e0w.user, par_el1
        mov x0, #0xc0000000
        at s1e1r, x0
        isb
        PRS par.s1e1r.l1, par_el1
        // execute: the executable alias runs, the PXN one is an instruction abort (back at x30)
        add x0, x21, #0x7000
        mov x1, x0
        mov x0, #0
        blr x1
        PR exec.alias, x0
        add x1, x21, #0x6000
        mov x0, #0
        blr x1
        PR exec.pxn, x0
        // EL0: writes its page, then reads a privileged one (permission fault from EL0)
        adr x0, el0_code
        bl run_el0
        adrp x1, pageb
        ldr x1, [x1, #0x40]
        PR el0.wrote, x1
        // unaligned accesses to Normal memory (SCTLR_EL1.A = 0)
        ldr x1, [x20, #0x11]
        PR unaligned.x, x1
        ldr w1, [x21, #0x13]
        PR unaligned.w, x1
        // DC ZVA clears the aligned block (DCZID) holding the address, on Normal memory
        add x0, x20, #0x100
        movn x1, #0
        mov x2, #0
1:      str x1, [x0, x2, lsl #3]
        add x2, x2, #1
        cmp x2, #32
        b.lo 1b
        add x3, x0, #0x47
        dc zva, x3
        mov x2, #0
        mov x4, #0
2:      ldr x1, [x0, x2, lsl #3]
        cmp x1, #0
        cinc x4, x4, eq
        add x2, x2, #1
        cmp x2, #32
        b.lo 2b
        PR dczva.zero.dwords, x4
        ldr x1, [x0, #0x38]
        PR dczva.before, x1
        ldr x1, [x0, #0x40]
        PR dczva.first, x1
        ldr x30, [sp], #16
        ret

el0_code:
        movz x9, #0x8000, lsl #16
        movk x9, #0x4000
        mov x10, #0x77
        str x10, [x9, #0x40]
        movz x9, #0x8000, lsl #16
        movk x9, #0x5000
        ldr x10, [x9, #0x40]
        svc #SVC_RETURN
