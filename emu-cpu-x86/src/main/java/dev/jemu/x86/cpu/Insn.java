package dev.jemu.x86.cpu;

/**
 * The decoding state of one instruction, reused for every decode: prefixes, sizes, the opcode, ModRM/SIB
 * with the memory operand, and a cursor over the instruction bytes for immediates. An {@link OpDecoder} reads
 * what its encoding has, in encoding order: {@link #modrm()} first (ModRM, SIB, displacement), then the
 * immediates. Register numbers include the REX extensions. Byte registers use the {@link X86Cpu#reg8} coding:
 * 0-15 the low bytes, 16-19 AH, CH, DH, BH (only without REX).
 */
public final class Insn {
    /** Where instruction bytes come from: the CPU's instruction fetch, or an array in tests. */
    @FunctionalInterface
    public interface Fetcher {
        /** The byte at linear address {@code linear} (0-255); throws the fetch fault. */
        int byteAt(long linear);
    }

    public static final int MAX_LENGTH = 15;

    private Fetcher fetcher;
    private long start;
    private int pos;

    /** Code size of the mode decoded for: 16, 32 or 64. */
    public int mode;
    /** Effective operand size for ops whose default is 32 (16 with 66, 64 with REX.W in 64-bit mode). */
    public int opsize;
    /** Effective address size: 16, 32 or 64. */
    public int addrsize;
    /** The REX prefix (0x40-0x4f) or 0 when there is none. */
    public int rex;
    /** Segment override (X86Cpu.ES..GS) or -1. */
    public int segOverride;
    /** 0xf3 (REP/REPE), 0xf2 (REPNE) or 0. */
    public int rep;
    public boolean lock;
    /** Whether 0x66 was seen. */
    public boolean opsizePrefix;
    /** The SSE mandatory prefix: 0, 0x66, 0xf3 or 0xf2 (the last F2/F3, else 66). */
    public int mandatory;
    /** The opcode map (OpcodeTable.ONE/TWO/T38/T3A) and the opcode byte. */
    public int map, opcode;

    private boolean modrmRead;
    private int mod, reg, rm;
    private Ea ea;

    /** Resets for a new instruction at linear address {@code start} in a mode of code size {@code mode}. */
    void begin(Fetcher fetcher, long start, int mode) {
        this.fetcher = fetcher;
        this.start = start;
        this.pos = 0;
        this.mode = mode;
        this.opsize = mode == 16 ? 16 : 32;
        this.addrsize = mode;
        this.rex = 0;
        this.segOverride = -1;
        this.rep = 0;
        this.lock = false;
        this.opsizePrefix = false;
        this.mandatory = 0;
        this.modrmRead = false;
        this.ea = null;
    }

    /** The next instruction byte (0-255); #GP when the instruction would pass 15 bytes. */
    public int next8() {
        if (pos >= MAX_LENGTH) {
            throw X86Exception.INSTANCE; // the caller (Decoder) turns a too-long instruction into #GP(0)
        }
        return fetcher.byteAt(start + pos++);
    }

    public int peek8() {
        return fetcher.byteAt(start + pos);
    }

    public int length() {
        return pos;
    }

    // ---------------------------------------------------------------- sizes

    /** Operand size of ops that default to 64 bits in 64-bit mode (PUSH, POP, near branches): 64 or 16. */
    public int opsize64() {
        if (mode == 64) {
            return opsizePrefix && (rex & 8) == 0 ? 16 : 64;
        }
        return opsize;
    }

    public boolean rexW() {
        return (rex & 8) != 0;
    }

    // ---------------------------------------------------------------- ModRM

    /** Reads ModRM (and SIB and displacement when it names memory); idempotent. */
    public void modrm() {
        if (modrmRead) {
            return;
        }
        modrmRead = true;
        int b = next8();
        mod = b >>> 6;
        reg = (b >>> 3 & 7) | (rex & 4) << 1;
        rm = b & 7;
        if (mod == 3) {
            rm |= (rex & 1) << 3;
            return;
        }
        ea = addrsize == 16 ? ea16() : ea3264();
    }

    /** Whether the decoder read a ModRM byte (the instruction has one). */
    boolean hasModrm() {
        return modrmRead;
    }

    public boolean isMem() {
        modrm();
        return mod != 3;
    }

    /** ModRM.reg with REX.R: a register number, or an opcode extension (use {@link #modrmReg()} then). */
    public int reg() {
        modrm();
        return reg;
    }

    /** ModRM.reg without REX.R: the /digit of group opcodes. */
    public int modrmReg() {
        modrm();
        return reg & 7;
    }

    public int mod() {
        modrm();
        return mod;
    }

    /** ModRM.rm with REX.B, when {@link #isMem()} is false. */
    public int rm() {
        modrm();
        return rm;
    }

    /** The memory operand, when {@link #isMem()} is true. */
    public Ea ea() {
        modrm();
        return ea;
    }

    /** The register {@code n} (0-15) as a byte register in X86Cpu.reg8's coding: AH..BH for 4-7 without REX. */
    public int byteReg(int n) {
        return rex == 0 && n >= 4 && n < 8 ? 16 + n - 4 : n;
    }

    private Ea ea16() {
        int base, index;
        int seg = X86Cpu.DS;
        switch (rm) {
            case 0 -> { base = X86Cpu.RBX; index = X86Cpu.RSI; }
            case 1 -> { base = X86Cpu.RBX; index = X86Cpu.RDI; }
            case 2 -> { base = X86Cpu.RBP; index = X86Cpu.RSI; seg = X86Cpu.SS; }
            case 3 -> { base = X86Cpu.RBP; index = X86Cpu.RDI; seg = X86Cpu.SS; }
            case 4 -> { base = X86Cpu.RSI; index = Ea.NONE; }
            case 5 -> { base = X86Cpu.RDI; index = Ea.NONE; }
            case 6 -> { base = mod == 0 ? Ea.NONE : X86Cpu.RBP; index = Ea.NONE; seg = mod == 0 ? X86Cpu.DS : X86Cpu.SS; }
            default -> { base = X86Cpu.RBX; index = Ea.NONE; }
        }
        long disp = 0;
        if (mod == 0 && rm == 6) {
            disp = imm16();
        } else if (mod == 1) {
            disp = (byte) next8();
        } else if (mod == 2) {
            disp = (short) imm16();
        }
        return new Ea(segOverride >= 0 ? segOverride : seg, base, index, 0, disp, 16);
    }

    private Ea ea3264() {
        int base, index = Ea.NONE, scale = 0;
        int seg = X86Cpu.DS;
        long disp = 0;
        if (rm == 4) {
            int sib = next8();
            scale = sib >>> 6;
            int i = (sib >>> 3 & 7) | (rex & 2) << 2;
            index = i == 4 ? Ea.NONE : i;
            int b = sib & 7;
            if (b == 5 && mod == 0) {
                base = Ea.NONE;
                disp = (int) imm32();
            } else {
                base = b | (rex & 1) << 3;
            }
        } else if (rm == 5 && mod == 0) {
            base = mode == 64 ? Ea.RIP : Ea.NONE;
            disp = (int) imm32();
        } else {
            base = rm | (rex & 1) << 3;
        }
        if (mod == 1) {
            disp = (byte) next8();
        } else if (mod == 2) {
            disp = (int) imm32();
        }
        if (base == X86Cpu.RSP || base == X86Cpu.RBP) {
            seg = X86Cpu.SS;
        }
        return new Ea(segOverride >= 0 ? segOverride : seg, base, index, scale, disp, addrsize);
    }

    // ---------------------------------------------------------------- immediates (little-endian, zero-extended)

    public int imm8() {
        return next8();
    }

    public int imm16() {
        return next8() | next8() << 8;
    }

    public long imm32() {
        return (imm16() | (long) imm16() << 16) & 0xffffffffL;
    }

    public long imm64() {
        return imm32() | imm32() << 32;
    }

    /** An immediate of the operand size, at most 32 bits and sign-extended to 64 (Intel's "iz" / "id" in 64-bit ops). */
    public long immz(int size) {
        return size == 16 ? (short) imm16() : (int) imm32();
    }

    /** A sign-extended 8-bit immediate ("ib" of the sign-extending forms). */
    public long simm8() {
        return (byte) next8();
    }
}
