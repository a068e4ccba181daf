// Start-up probe for aarch64 virt (-cpu cortex-a57 -kernel this.elf: entered at 0x40000000 at EL1, MMU off).
// Its first instructions write one byte to the PL011 at 0x09000000, so the first byte on stdout marks the
// first guest instructions; then LOOPS passes of a small ALU/load/store loop (0: none), then PSCI SYSTEM_OFF
// by HVC (the virt board's PSCI without firmware). Assembled at run time by benchmarks/startup-bench.py.
    .ifndef LOOPS
    .set LOOPS, 0
    .endif
    .text
    .global _start
_start:
    mov  x0, #0x09000000
    mov  w1, #'J'
    strb w1, [x0]               // the first byte: 'J'
    ldr  x2, =LOOPS
    mov  x3, #0x40100000        // scratch 1 MiB up (not the code's page: a store there would drop its code)
    mov  x4, #0
1:  cbz  x2, 2f
    ldr  x5, [x3]
    add  x5, x5, x2
    eor  x4, x4, x5
    str  x5, [x3]
    sub  x2, x2, #1
    b    1b
2:  mov  w1, #'\n'
    strb w1, [x0]
    movz x0, #0x8400, lsl #16
    movk x0, #0x0008            // PSCI SYSTEM_OFF
    hvc  #0
3:  b    3b
    .ltorg
