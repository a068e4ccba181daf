package dev.jemu.x86.cpu;

/**
 * Decodes one opcode (after its prefixes and opcode bytes) into an op: reads ModRM, immediates etc. from the
 * {@link Insn}. Returns null for an encoding that is undefined (the decoder then makes a #UD op).
 */
@FunctionalInterface
public interface OpDecoder {
    X86Op decode(Insn d);
}
