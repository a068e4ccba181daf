# Start-up probe for riscv64 virt (-bios none -kernel this.elf: entered at 0x80000000 in M-mode).
# Its first instructions write one byte to the 16550A at 0x10000000, so the first byte on stdout marks the
# first guest instructions; then LOOPS passes of a small ALU/load/store loop (0: none; the launcher's AOT
# training uses a few hundred thousand so the JIT compiles it), then power-off through sifive_test at 0x100000.
# Assembled at run time by benchmarks/startup-bench.py (riscv64-unknown-elf-as / ld); never committed built.
    .ifndef LOOPS
    .set LOOPS, 0
    .endif
    .text
    .globl _start
_start:
    li   t0, 0x10000000
    li   t1, 'J'
    sb   t1, 0(t0)              # the first byte: 'J'
    li   t2, LOOPS
    li   t3, 0x80100000         # scratch 1 MiB up (not the code's page: a store there would drop its code)
    li   t4, 0
1:  beqz t2, 2f
    ld   t5, 0(t3)
    add  t5, t5, t2
    xor  t4, t4, t5
    sd   t5, 0(t3)
    addi t2, t2, -1
    j    1b
2:  li   t1, '\n'
    sb   t1, 0(t0)
    li   t0, 0x100000
    li   t1, 0x5555             # FINISHER_PASS: power off, status 0
    sw   t1, 0(t0)
3:  j    3b
