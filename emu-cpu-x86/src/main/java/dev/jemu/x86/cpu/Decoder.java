package dev.jemu.x86.cpu;

/**
 * Turns the bytes at an instruction address into an {@link X86Op}: legacy prefixes, REX, the opcode escape
 * bytes, then the {@link OpcodeTable} entry of the opcode, which reads the rest (ModRM, immediates). Each group
 * of instructions registers its opcodes in its own class ({@link IntegerOps}, {@link SystemOps}, {@link SseOps},
 * {@link X87Ops}); what no group claims, or what a group rejects, is #UD.
 */
public final class Decoder {
    static final OpcodeTable TABLE = new OpcodeTable();

    static {
        IntegerOps.register(TABLE);
        SystemOps.register(TABLE);
        SseOps.register(TABLE);
        X87Ops.register(TABLE);
    }

    /** #UD, raised when the op runs (so a speculative decode of garbage never faults). */
    static final X86Op UNDEFINED = c -> {
        throw c.fault(Vectors.UD);
    };

    /** An instruction longer than 15 bytes: #GP(0) when it runs. */
    static final X86Op TOO_LONG = c -> {
        throw c.fault(Vectors.GP, 0);
    };

    private final Insn d = new Insn();

    /**
     * Decodes the instruction at linear address {@code linear} for a code size of {@code mode} (16, 32, 64);
     * {@link #length()} then tells its length. Fetch faults propagate (as the fetch's X86Exception).
     */
    public X86Op decode(Insn.Fetcher fetcher, long linear, int mode) {
        d.begin(fetcher, linear, mode);
        try {
            return decodePrefixed();
        } catch (X86Exception e) {
            if (d.length() >= Insn.MAX_LENGTH) {
                return TOO_LONG;
            }
            throw e;
        }
    }

    /** The decoding state of the instruction {@link #decode} decoded last (the block JIT reads its form). */
    Insn insn() {
        return d;
    }

    /** The length of the instruction {@link #decode} decoded last. */
    public int length() {
        return d.length();
    }

    /**
     * Whether the instruction {@link #decode} decoded last always transfers control or stops (JMP, CALL, RET, INT,
     * IRET, far transfers, SYSCALL/SYSRET, SYSENTER/SYSEXIT, UD2, HLT): straight-line code ends after it.
     */
    boolean endsBlock() {
        if (d.map == OpcodeTable.ONE) {
            return switch (d.opcode) {
                case 0xc2, 0xc3, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xe8, 0xe9, 0xea, 0xeb, 0xf4 -> true;
                case 0xff -> d.modrmReg() >= 2 && d.modrmReg() <= 5; // CALL/JMP near and far
                default -> false;
            };
        }
        return d.map == OpcodeTable.TWO && (d.opcode == 0x05 || d.opcode == 0x07 || d.opcode == 0x0b
                || d.opcode == 0x34 || d.opcode == 0x35);
    }

    /**
     * The displacement of the instruction decoded last when it is a direct near JMP (EB cb, E9 cd without an operand
     * size prefix), else null: its target is the next instruction's address plus it.
     */
    Long jumpDisplacement(Insn.Fetcher bytes, long start) {
        if (d.map != OpcodeTable.ONE || d.opsizePrefix || d.opcode != 0xeb && d.opcode != 0xe9) {
            return null;
        }
        long end = start + d.length();
        if (d.opcode == 0xeb) {
            return (long) (byte) bytes.byteAt(end - 1);
        }
        return (long) (bytes.byteAt(end - 4) | bytes.byteAt(end - 3) << 8 | bytes.byteAt(end - 2) << 16
                | bytes.byteAt(end - 1) << 24);
    }

    private X86Op decodePrefixed() {
        while (true) {
            int b = d.next8();
            switch (b) {
                case 0x26 -> d.segOverride = X86Cpu.ES;
                case 0x2e -> d.segOverride = X86Cpu.CS;
                case 0x36 -> d.segOverride = X86Cpu.SS;
                case 0x3e -> d.segOverride = X86Cpu.DS;
                case 0x64 -> d.segOverride = X86Cpu.FS;
                case 0x65 -> d.segOverride = X86Cpu.GS;
                case 0x66 -> {
                    d.opsizePrefix = true;
                    if (d.mandatory == 0) {
                        d.mandatory = 0x66;
                    }
                }
                case 0x67 -> d.addrsize = d.mode == 64 ? 32 : d.mode == 32 ? 16 : 32;
                case 0xf0 -> d.lock = true;
                case 0xf2, 0xf3 -> {
                    d.rep = b;
                    d.mandatory = b;
                }
                default -> {
                    if (d.mode == 64 && (b & 0xf0) == 0x40) {
                        d.rex = b; // counts only right before the opcode: a later prefix clears it below
                        continue;
                    }
                    return decodeOpcode(b);
                }
            }
            d.rex = 0;
        }
    }

    private X86Op decodeOpcode(int b) {
        if (d.opsizePrefix) {
            d.opsize = d.mode == 16 ? 32 : 16;
        }
        if (d.rexW()) {
            d.opsize = 64;
        }
        int map = OpcodeTable.ONE;
        if (b == 0x0f) {
            b = d.next8();
            map = OpcodeTable.TWO;
            if (b == 0x38) {
                b = d.next8();
                map = OpcodeTable.T38;
            } else if (b == 0x3a) {
                b = d.next8();
                map = OpcodeTable.T3A;
            }
        }
        d.map = map;
        d.opcode = b;
        OpDecoder dec = TABLE.get(map, b);
        X86Op op = dec == null ? null : dec.decode(d);
        return op == null ? UNDEFINED : op;
    }
}
