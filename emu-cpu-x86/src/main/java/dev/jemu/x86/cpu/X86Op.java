package dev.jemu.x86.cpu;

/**
 * One decoded x86 instruction, ready to run. The decoder ({@link Decoder}) reads prefixes, opcode, ModRM/SIB,
 * displacement and immediates once and the op captures what it needs (register numbers, operand size, an
 * {@link Ea} for a memory operand, immediates already sign- or zero-extended). While it runs, {@link X86Cpu#rip}
 * is the instruction's own address and {@link X86Cpu#nrip} the next one (rip + length); a branch sets nrip.
 * Ops never capture an absolute virtual address of the code (decoded code is cached per physical page, which
 * may run at several addresses): RIP-relative operands and relative branches compute from {@code c.nrip}.
 * Faults are {@code throw c.fault(vector)} / {@code throw c.fault(vector, errorCode)}; an op that changes what
 * decoding, fetch or interrupt delivery depend on (CS, CR0/CR3/CR4, EFER, IF, paging) calls {@link X86Cpu#endBlock()}.
 */
@FunctionalInterface
public interface X86Op {
    void exec(X86Cpu c);
}
