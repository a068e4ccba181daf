package dev.jemu.x86.cpu;

/**
 * The opcode maps: one-byte, 0F, 0F 38 and 0F 3A, each 256 {@link OpDecoder}s. Groups of instructions register
 * their opcodes once ({@link #put}); registering one twice is an error, so two groups can never silently claim
 * the same opcode. An opcode whose meaning depends on a mandatory prefix (66/F3/F2) or on ModRM.reg is one
 * entry that looks at {@link Insn#mandatory} / {@link Insn#modrmReg()} itself.
 */
public final class OpcodeTable {
    public static final int ONE = 0, TWO = 1, T38 = 2, T3A = 3;

    final OpDecoder[][] maps = new OpDecoder[4][256];

    public void put(int map, int opcode, OpDecoder decoder) {
        if (maps[map][opcode] != null) {
            throw new IllegalStateException(String.format("opcode map %d byte %02x registered twice", map, opcode));
        }
        maps[map][opcode] = decoder;
    }

    /** Registers {@code decoder} for opcodes {@code first..first+count-1} (e.g. the 8 register forms). */
    public void putRange(int map, int first, int count, OpDecoder decoder) {
        for (int i = 0; i < count; i++) {
            put(map, first + i, decoder);
        }
    }

    public OpDecoder get(int map, int opcode) {
        return maps[map][opcode];
    }
}
