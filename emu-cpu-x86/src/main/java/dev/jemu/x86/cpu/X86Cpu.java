package dev.jemu.x86.cpu;

import dev.jemu.core.machine.Cpu;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.time.Timebase;

/**
 * One x86-64 logical processor.
 *
 * <p>Ownership inside this class, so that parallel work merges cleanly: general registers, RFLAGS and the run loop
 * (integer core: {@link IntegerOps}), segments, modes, descriptor tables, exceptions and interrupts
 * ({@link Interrupts}, {@link SystemOps}), memory access and paging ({@link Mmu}), CPUID and MSRs ({@link Cpuid},
 * {@link Msrs}), x87/SSE state ({@link SseOps}, {@link X87Ops}, {@link X87}). Add fields in your section.
 */
public final class X86Cpu implements Cpu {
    public static final int STATE_VERSION = 1;

    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    // CR0, CR4 and EFER bits the core looks at
    public static final long CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 16, CR0_NE = 32,
            CR0_WP = 1L << 16, CR0_AM = 1L << 18, CR0_NW = 1L << 29, CR0_CD = 1L << 30, CR0_PG = 1L << 31;
    public static final long CR4_PSE = 1 << 4, CR4_PAE = 1 << 5, CR4_PGE = 1 << 7, CR4_OSFXSR = 1 << 9,
            CR4_OSXMMEXCPT = 1 << 10, CR4_FSGSBASE = 1 << 16, CR4_PCIDE = 1 << 17;
    public static final long EFER_SCE = 1, EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11;

    // RFLAGS bits
    public static final long CF = 1, PF = 4, AF = 16, ZF = 64, SF = 128, TF = 256, IF = 512, DF = 1024,
            OF = 2048, IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16, VM = 1 << 17, AC = 1 << 18, ID = 1 << 21;

    final int cpuIndex;
    final AddressSpace bus;
    /** The I/O port space (64 KiB): IN/OUT go here; an unclaimed port reads all ones and ignores writes. */
    public final AddressSpace io;
    final MachineLoop loop;
    /** The time-stamp counter's clock (RDTSC ticks at {@code tsc.hz()}). */
    public final Timebase tsc;

    public final Mmu mmu;
    public final Interrupts interrupts;
    public final Msrs msrs;
    public final X87 x87 = new X87();
    final Decoder decoder = new Decoder();
    /** Decodes into the decoded pages' slots for the interpreter. */
    private final SlotDecoder slots;

    // ---------------------------------------------------------------- CPU model (Cpuid/Msrs/Mmu owner)

    /**
     * The {@code -cpu} model: what CPUID reports, which MSRs exist and which optional paging features (1 GiB
     * pages) the MMU honours. The board sets it (X86Model.byName) before the guest runs; {@code max} by default.
     */
    public X86Model model = X86Model.MAX;

    // ---------------------------------------------------------------- integer core (IntegerOps owner)

    /** RAX..R15. */
    public final long[] r = new long[16];
    /** The current instruction's address (offset in CS) while it runs. */
    public long rip;
    /** The next instruction's address: rip + length before an op runs; a branch sets it. */
    public long nrip;
    /**
     * The arithmetic flags (CF PF AF ZF SF OF), each 0 or 1, valid while {@link #lazyOp} is {@link Alu#LAZY_NONE}.
     * The common ALU ops (ADD ADC SUB SBB CMP AND OR XOR TEST INC DEC NEG) only note their kind, operands and result
     * (lazyOp, lazyA, lazyB, lazyCin, lazyRes, lazySize) and the flags are computed when something reads them: most
     * results' flags are overwritten unread, and a Jcc after CMP needs one or two of them. Read and write single
     * flags only through {@link #cf()}/{@link #setCf(int)} etc., RFLAGS through {@link #rflags()} and
     * {@link #setRflags(long)}, conditions through {@link #cond(int)}.
     */
    int cfBit, pfBit, afBit, zfBit, sfBit, ofBit;
    /** The kind of the last flag-setting ALU op whose flags are not computed yet (Alu.LAZY_*), or LAZY_NONE. */
    int lazyOp;
    /** Its operands (zero-extended to its size), carry/borrow in (INC/DEC: the CF they keep), result and size. */
    long lazyA, lazyB, lazyRes;
    int lazyCin, lazySize;
    /** RFLAGS.DF and RFLAGS.IF. */
    public boolean df, iflag;
    /** The other RFLAGS bits (TF, IOPL, NT, RF, VM, AC, ID, ...; bit 1 always set). */
    public long rflagsOther = 2;
    /**
     * Whether TZCNT (BMI1) and LZCNT (ABM) exist: set these to match what CPUID advertises. When false, F3 0F BC/BD
     * run as BSF/BSR, as on a CPU without them.
     */
    public boolean bmi1, lzcnt;

    // ---------------------------------------------------------------- system state (SystemOps/Interrupts owner)

    /** ES, CS, SS, DS, FS, GS. */
    public final Segment[] seg = new Segment[6];
    public final Segment ldtr = new Segment(), tr = new Segment();
    public long gdtBase, idtBase;
    public int gdtLimit, idtLimit = 0xffff;
    public long cr0 = CR0_ET | CR0_CD | CR0_NW, cr2, cr3, cr4, cr8;
    public final long[] dr = new long[8];
    public long efer;
    /** Current privilege level (CS.RPL in protected mode, 0 in real mode). */
    public int cpl;
    /** Code size of the current mode: 16, 32 or 64 (64 only with EFER.LMA and CS.L). */
    public int codeBits = 16;
    /** Stack size: 16, 32 or 64 (SS.B outside 64-bit mode). */
    public int stackBits = 16;
    /** Interrupts are held off for one instruction after STI / MOV SS / POP SS. */
    public boolean interruptShadow;

    // ---------------------------------------------------------------- SSE state (SseOps owner)

    /** XMM0..XMM15 as (low, high) 64-bit halves: xmm[2n] low, xmm[2n + 1] high. */
    public final long[] xmm = new long[32];
    public int mxcsr = 0x1f80;
    /** SSE arithmetic with x86's rules (scratch flags of the running instruction; not architectural state). */
    final SseFpu sseFpu = new SseFpu();

    // ---------------------------------------------------------------- faults being raised (see X86Exception)

    public int excVector, excError;
    public boolean excHasError;

    // ---------------------------------------------------------------- run control

    boolean halted;
    /** Set by an op whose effect the run loop must see before the next instruction (see X86Op). */
    boolean leave;
    /** The interrupt controller (the local APIC, or the PIC before one is enabled); null until wired. */
    InterruptSource intr;
    /**
     * False while the interrupt controller is known to have nothing for the CPU, so the check between blocks is one
     * field test. Its answer changes only between runs (the machine thread runs timers and devices then: every run
     * starts stale; the board has one CPU, so no other thread raises interrupts during a run) or through this CPU's
     * own device accesses, WRMSR, CR8 writes and interrupt deliveries, which all call {@link #interruptsMayChange}.
     */
    private boolean interruptsStale = true;
    long retired;
    /** Block entries before a block is compiled (X86Jit.THRESHOLD; tests set 1 to compile everything at once). */
    public int jitThreshold = X86Jit.THRESHOLD;
    /** Block lookups per heat period as a power of two, 0 for none (X86Jit.DECAY; tests set their own). */
    public int jitDecay = X86Jit.DECAY;
    /**
     * Whether hot blocks are compiled on the background compiler thread (the board's CPU, -Djemu.jit.background,
     * default on) rather than on this thread when they get hot (the tests: which instruction runs compiled is then
     * deterministic, though what the guest sees never depends on it).
     */
    public boolean jitBackground;
    /** Instructions of the passes a looping compiled block completed in its current entry (see X86Block#run). */
    int jitLooped;
    private long jitRetired;
    /** Compiled blocks entered straight from the block before (see {@link #runCompiled}). */
    long chainedEntries;

    public X86Cpu(int cpuIndex, AddressSpace bus, AddressSpace io, MachineLoop loop, Timebase tsc) {
        this.cpuIndex = cpuIndex;
        this.bus = bus;
        this.io = io;
        this.loop = loop;
        this.tsc = tsc;
        for (int i = 0; i < seg.length; i++) {
            seg[i] = new Segment();
        }
        this.mmu = new Mmu(this);
        this.slots = new SlotDecoder(decoder, mmu);
        this.interrupts = new Interrupts(this);
        this.msrs = new Msrs(this);
        this.code = CodeCache.of(bus);
        // stores to pages with decoded code reach the cache; a page starting to hold code loses its write entries
        mmu.setCodeWatch(new CodeWatch() {
            @Override
            public boolean hasCode(long pa) {
                return code.isCode(pa);
            }

            @Override
            public void written(long pa, int size) {
                codeWritten(pa, size);
            }
        });
        code.onNewPage = mmu::codePageDecoded;
        code.watch(this);
        reset();
    }

    public int cpuIndex() {
        return cpuIndex;
    }

    public AddressSpace bus() {
        return bus;
    }

    public MachineLoop loop() {
        return loop;
    }

    /** The power-on state (SDM 9.1.1): real mode at F000:FFF0, CS base 0xFFFF0000. */
    @Override
    public void reset() {
        java.util.Arrays.fill(r, 0);
        java.util.Arrays.fill(xmm, 0);
        r[RDX] = model.signature(); // family/model/stepping in EDX at reset, as CPUID.1:EAX
        for (Segment s : seg) {
            s.set(0, 0, 0xffff, Segment.REAL_DATA);
        }
        seg[CS].set(0xf000, 0xffff0000L, 0xffff, Segment.REAL_CODE);
        ldtr.set(0, 0, 0xffff, Segment.P | 2 << Segment.TYPE_SHIFT);
        tr.set(0, 0, 0xffff, Segment.P | 0xb << Segment.TYPE_SHIFT);
        gdtBase = idtBase = 0;
        gdtLimit = idtLimit = 0xffff;
        rip = 0xfff0;
        setRflags(2);
        cr0 = CR0_ET | CR0_CD | CR0_NW;
        cr2 = cr3 = cr4 = cr8 = 0;
        java.util.Arrays.fill(dr, 0);
        dr[6] = 0xffff0ff0L;
        dr[7] = 0x400;
        efer = 0;
        mxcsr = 0x1f80;
        x87.reset();
        msrs.reset();
        halted = false;
        interruptShadow = false;
        stateReplaced(); // a reset follows loaders' writes to RAM, which no CPU store hook saw
    }

    /** Starts from a boot protocol's state (see BootState); other registers keep their reset values. */
    public void load(BootState s) {
        System.arraycopy(s.regs(), 0, r, 0, 16);
        rip = s.rip();
        setRflags(s.rflags());
        cr0 = s.cr0();
        cr3 = s.cr3();
        cr4 = s.cr4();
        efer = s.efer();
        for (int i = 0; i < 6; i++) {
            seg[i].copyFrom(s.segs()[i]);
        }
        tr.copyFrom(s.tr());
        gdtBase = s.gdtBase();
        gdtLimit = s.gdtLimit();
        idtBase = s.idtBase();
        idtLimit = s.idtLimit();
        halted = false;
        stateReplaced(); // the boot loader wrote the kernel into RAM behind the CPU's back
    }

    // ---------------------------------------------------------------- RFLAGS

    /** RFLAGS as the architecture lays it out. */
    public long rflags() {
        materializeFlags();
        return rflagsOther | 2 | cfBit | (long) pfBit << 2 | (long) afBit << 4 | (long) zfBit << 6
                | (long) sfBit << 7 | (iflag ? IF : 0) | (df ? DF : 0) | (long) ofBit << 11;
    }

    /** Computes the flags of a lazily kept ALU result into the flag fields (before they are read or written). */
    void materializeFlags() {
        if (lazyOp != Alu.LAZY_NONE) {
            Alu.materialize(this);
        }
    }

    // single flags, each 0 or 1: reads compute a lazy result's flag alone; writes first make the others current
    public int cf() {
        return lazyOp == Alu.LAZY_NONE ? cfBit : Alu.lazyCf(this);
    }

    public int zf() {
        return lazyOp == Alu.LAZY_NONE ? zfBit : lazyRes == 0 ? 1 : 0;
    }

    public int sf() {
        return lazyOp == Alu.LAZY_NONE ? sfBit : Alu.msb(lazyRes, lazySize);
    }

    public int of() {
        return lazyOp == Alu.LAZY_NONE ? ofBit : Alu.lazyOf(this);
    }

    public int pf() {
        return lazyOp == Alu.LAZY_NONE ? pfBit : Alu.parity(lazyRes);
    }

    public int af() {
        return lazyOp == Alu.LAZY_NONE ? afBit : Alu.lazyAf(this);
    }

    public void setCf(int v) {
        materializeFlags();
        cfBit = v;
    }

    public void setZf(int v) {
        materializeFlags();
        zfBit = v;
    }

    public void setSf(int v) {
        materializeFlags();
        sfBit = v;
    }

    public void setOf(int v) {
        materializeFlags();
        ofBit = v;
    }

    public void setPf(int v) {
        materializeFlags();
        pfBit = v;
    }

    public void setAf(int v) {
        materializeFlags();
        afBit = v;
    }

    /** Sets every RFLAGS bit from {@code v} (the caller masks what the instruction may not change). */
    public void setRflags(long v) {
        lazyOp = Alu.LAZY_NONE;
        cfBit = (int) v & 1;
        pfBit = (int) (v >>> 2) & 1;
        afBit = (int) (v >>> 4) & 1;
        zfBit = (int) (v >>> 6) & 1;
        sfBit = (int) (v >>> 7) & 1;
        ofBit = (int) (v >>> 11) & 1;
        iflag = (v & IF) != 0;
        df = (v & DF) != 0;
        rflagsOther = v & ~(CF | PF | AF | ZF | SF | OF | IF | DF) | 2;
    }

    /** The condition {@code cc} (0-15: O NO B AE E NE BE A S NS P NP L GE LE G) of Jcc/SETcc/CMOVcc. */
    public boolean cond(int cc) {
        boolean t = switch (cc >>> 1) {
            case 0 -> of() != 0;
            case 1 -> cf() != 0;
            case 2 -> zf() != 0;
            case 3 -> (cf() | zf()) != 0;
            case 4 -> sf() != 0;
            case 5 -> pf() != 0;
            case 6 -> sf() != of();
            default -> zf() != 0 || sf() != of();
        };
        return (cc & 1) != 0 ? !t : t;
    }

    // ---------------------------------------------------------------- byte/word/dword register access

    /** A byte register in the decoder's coding: 0-15 the low byte of r[n], 16-19 AH, CH, DH, BH. */
    public long reg8(int code) {
        return code < 16 ? r[code] & 0xff : r[code - 16] >>> 8 & 0xff;
    }

    public void setReg8(int code, long v) {
        if (code < 16) {
            r[code] = r[code] & ~0xffL | v & 0xff;
        } else {
            r[code - 16] = r[code - 16] & ~0xff00L | (v & 0xff) << 8;
        }
    }

    /** Register {@code n} read at {@code size} bits (16, 32, 64), zero-extended. */
    public long reg(int n, int size) {
        return switch (size) {
            case 64 -> r[n];
            case 32 -> r[n] & 0xffffffffL;
            case 16 -> r[n] & 0xffff;
            default -> throw new IllegalArgumentException("size " + size);
        };
    }

    /** Writes register {@code n} at {@code size} bits: 32-bit writes zero the upper half, 16-bit ones merge. */
    public void setReg(int n, int size, long v) {
        switch (size) {
            case 64 -> r[n] = v;
            case 32 -> r[n] = v & 0xffffffffL;
            case 16 -> r[n] = r[n] & ~0xffffL | v & 0xffff;
            default -> throw new IllegalArgumentException("size " + size);
        }
    }

    // ---------------------------------------------------------------- faults raised by ops

    /** A fault without an error code. Use as {@code throw c.fault(Vectors.UD);}. */
    public X86Exception fault(int vector) {
        excVector = vector;
        excHasError = false;
        excError = 0;
        return X86Exception.INSTANCE;
    }

    /** A fault with an error code (#GP, #PF, #TS, #NP, #SS, #AC, #DF). */
    public X86Exception fault(int vector, int errorCode) {
        excVector = vector;
        excHasError = true;
        excError = errorCode;
        return X86Exception.INSTANCE;
    }

    /** Tells the run loop to look at interrupts, mode and translation before the next instruction. */
    public void endBlock() {
        leave = true;
        interruptsStale = true;
    }

    /** The interrupt controller's answer may have changed (a device access, WRMSR): the next check asks it again. */
    void interruptsMayChange() {
        interruptsStale = true;
    }

    // ---------------------------------------------------------------- modes and segments (SystemOps owner)

    /** Recomputes {@link #codeBits}, {@link #stackBits} and {@link #cpl} after CS, SS, CR0 or EFER changed. */
    public void updateMode() {
        Segment cs = seg[CS];
        if ((cr0 & CR0_PE) == 0) {
            codeBits = 16;
            stackBits = 16;
            cpl = 0;
        } else {
            codeBits = (efer & EFER_LMA) != 0 && cs.longMode() ? 64 : cs.big() ? 32 : 16;
            stackBits = codeBits == 64 ? 64 : seg[SS].big() ? 32 : 16;
            cpl = cs.selector & 3;
        }
        leave = true;
        chainGen++; // the code size and the fetch TLB's privilege key may differ now
    }

    /** Whether the CPU runs 64-bit code (long mode with CS.L). */
    public boolean is64() {
        return codeBits == 64;
    }

    /** The linear address of {@code offset} in segment {@code s}: 64-bit mode uses only FS and GS bases. */
    public long linear(int s, long offset) {
        if (codeBits == 64) {
            return s >= FS ? seg[s].base + offset : offset;
        }
        return (seg[s].base + offset) & 0xffffffffL;
    }

    // ---------------------------------------------------------------- memory by linear address (see Mmu)

    public long read8(long linear) {
        return mmu.read8(linear);
    }

    public long read16(long linear) {
        return mmu.read16(linear);
    }

    public long read32(long linear) {
        return mmu.read32(linear);
    }

    public long read64(long linear) {
        return mmu.read64(linear);
    }

    public void write8(long linear, long v) {
        mmu.write8(linear, v);
    }

    public void write16(long linear, long v) {
        mmu.write16(linear, v);
    }

    public void write32(long linear, long v) {
        mmu.write32(linear, v);
    }

    public void write64(long linear, long v) {
        mmu.write64(linear, v);
    }

    /** Reads {@code size} bits (8, 16, 32, 64) at a linear address, zero-extended. */
    public long read(long linear, int size) {
        return switch (size) {
            case 8 -> mmu.read8(linear);
            case 16 -> mmu.read16(linear);
            case 32 -> mmu.read32(linear);
            default -> mmu.read64(linear);
        };
    }

    public void write(long linear, int size, long v) {
        switch (size) {
            case 8 -> mmu.write8(linear, v);
            case 16 -> mmu.write16(linear, v);
            case 32 -> mmu.write32(linear, v);
            default -> mmu.write64(linear, v);
        }
    }

    // ---------------------------------------------------------------- the stack (SS:RSP at the stack size)

    public void push(long v, int size) {
        if (stackBits == 64 && size == 64) { // the hot case: 64-bit mode, SS has no base
            long sp = r[RSP] - 8;
            mmu.write64(sp, v);
            r[RSP] = sp;
            return;
        }
        long sp = reg(RSP, stackBits) - size / 8;
        write(linear(SS, sp & mask(stackBits)), size, v);
        setReg(RSP, stackBits, sp);
    }

    public long pop(int size) {
        if (stackBits == 64 && size == 64) {
            long sp = r[RSP];
            long v = mmu.read64(sp);
            r[RSP] = sp + 8;
            return v;
        }
        long sp = reg(RSP, stackBits);
        long v = read(linear(SS, sp), size);
        setReg(RSP, stackBits, sp + size / 8);
        return v;
    }

    public static long mask(int bits) {
        return bits == 64 ? -1L : (1L << bits) - 1;
    }

    // ---------------------------------------------------------------- port I/O

    /** IN: an unclaimed port reads all ones. */
    public long in(int port, int bytes) {
        interruptsStale = true; // a read may acknowledge a device's interrupt (a UART's IIR)
        try {
            return io.read(port & 0xffff, bytes);
        } catch (BusError e) {
            return mask(bytes * 8);
        }
    }

    /** OUT: a write to an unclaimed port is dropped. */
    public void out(int port, int bytes, long v) {
        interruptsStale = true;
        try {
            io.write(port & 0xffff, bytes, v);
        } catch (BusError e) {
            // nothing listens there
        }
    }

    // ---------------------------------------------------------------- interrupts

    /** Wires the interrupt controller whose pending vector the CPU takes when IF allows. */
    public void setInterruptSource(InterruptSource source) {
        this.intr = source;
        interruptsStale = true;
    }

    // ---------------------------------------------------------------- the run loop (integer core owner)

    @Override
    public boolean isHalted() {
        return halted && !(intr != null && intr.hasInterrupt() && iflag);
    }

    /** HLT: stop until an interrupt is taken. */
    public void halt() {
        halted = true;
        leave = true;
    }

    private final Insn.Fetcher fetcher = this::fetchByte;

    private int fetchByte(long linear) {
        return (int) mmu.fetch8(linear);
    }

    /** Decoded code per physical page, shared by the CPUs on this bus (see CodeCache). */
    final CodeCache code;

    /**
     * When set (by tests), a fault stops the CPU with its vector instead of being delivered: the run loop halts and
     * calls this with the vector; c.rip stays at the faulting instruction.
     */
    public java.util.function.IntConsumer faultTrap;

    /**
     * The Mmu's hook: a store by this CPU reaches physical address {@code pa} ({@code size} bytes). Cheap when the page
     * holds no decoded code; the Mmu may skip the call for pages where {@link #isCodePage} is false.
     */
    public void codeWritten(long pa, int size) {
        if (code.isCode(pa) || code.isCode(pa + size - 1)) {
            if (jitBackground) {
                code.written(pa, size); // the compiler thread may be decoding from the page: it goes whole
            } else {
                code.stored(pa, size);
            }
            leave = true; // the running block may be the one written
        }
    }

    /** Whether the physical page holding {@code pa} has decoded code (stores to it must call {@link #codeWritten}). */
    public boolean isCodePage(long pa) {
        return code.isCode(pa);
    }

    @Override
    public long run(long budget) {
        executed = 0;
        interruptsStale = true; // timers and devices ran since the last run
        if (X86Stats.ON) {
            X86Stats.runStart();
        }
        while (executed < budget) {
            if (executed != 0 && loop.attention()) {
                break;
            }
            try {
                if (!interruptShadow && interruptPending()) {
                    halted = false;
                    code.recheckIfWritten();
                    interrupts.external(intr.acknowledge());
                    if (X86Stats.ON) {
                        X86Stats.interrupts++;
                    }
                }
                if (halted) {
                    break;
                }
                if ((rflagsOther & TF) != 0) {
                    singleStep();
                } else {
                    // the instruction in an STI/MOV SS shadow runs alone, so a pending interrupt comes right after it
                    runBlock(interruptShadow ? Math.min(budget, executed + 1) : budget);
                }
            } catch (X86Exception e) {
                executed++;
                code.recheckIfWritten();
                if (faultTrap != null) {
                    halted = true;
                    faultTrap.accept(excVector);
                    break;
                }
                interrupts.exception();
                if (X86Stats.ON) {
                    X86Stats.exceptions++;
                }
            }
        }
        retired += executed;
        if (X86Stats.ON) {
            X86Stats.runEnd(retired, jitRetired);
            X86Stats.ranUntil(halted);
        }
        return executed;
    }

    // ---------------------------------------------------------------- single-step (differential-test fixes)

    /** DR6.BS: the #DB was a single-step trap. */
    static final long DR6_BS = 1 << 14;

    /**
     * TF set as an instruction starts (SDM 18.3.1.4): it runs alone and a #DB trap follows it, with DR6.BS set and
     * the next instruction as the return address; not after a fault (delivered instead), nor after INT n, INT3,
     * INTO or INT1, whose delivery clears TF, nor after MOV SS / POP SS (the trap follows the next instruction).
     * An instruction that sets TF (POPF, IRET) ends its block, so the trap comes after the instruction following it.
     */
    private void singleStep() {
        interrupts.softwareRaised = false;
        boolean ifBefore = iflag;
        runBlock(executed + 1);
        // MOV SS / POP SS hold debug traps off for one instruction (SDM 6.8.3): TF still set, the next instruction
        // is stepped and traps after itself; STI's shadow (IF 0 -> 1) does not
        boolean ssShadow = interruptShadow && iflag == ifBefore;
        if (!interrupts.softwareRaised && !ssShadow) {
            dr[6] |= DR6_BS;
            interrupts.trap(Vectors.DB);
        }
    }

    /** Instructions (and faults) run so far in this call of {@link #run}. */
    private long executed;

    /**
     * Runs straight-line code from rip inside one page: until a taken branch, an op that ends the block, the end of
     * the page or the budget. Interrupts and attention are looked at between blocks.
     */
    private void runBlock(long budget) {
        leave = false;
        long lin = linear(CS, rip);
        long pageLin = lin & ~0xfffL;
        int mode = codeBits;
        long mask = mode == 64 ? -1L : mode == 32 ? 0xffffffffL : 0xffff;
        CodeCache.Page page;
        // the fetch TLB entry remembers its decoded page: one compare instead of a translation and a map lookup
        if (mmu.fetchCode(lin) instanceof CodeCache.Page p && p.mode == mode && !p.dead && p.epoch == code.epoch) {
            page = p;
        } else {
            page = code.page(mmu.fetchPhys(lin) & ~0xfffL, mode);
            mmu.rememberCode(lin, page);
        }
        X86Block compiled;
        if (page != null && X86Jit.ENABLED && !interruptShadow && (rflagsOther & TF) == 0
                && (compiled = X86Jit.find(page, (int) (lin & 0xfff), jitThreshold, jitDecay, jitBackground)) != null && budget - executed >= compiled.length) {
            runCompiled(compiled, budget);
            return;
        }
        if (X86Stats.ON) {
            long before = executed;
            int why = X86Stats.whyInterpreted(page, (int) (lin & 0xfff), interruptShadow || (rflagsOther & TF) != 0);
            try {
                interpret(page, lin, pageLin, mode, mask, budget);
            } finally {
                X86Stats.interpreted(why, lin, executed - before);
            }
            if (executed - before > X86Jit.MAX_LENGTH && page != null) {
                X86Jit.ranLong(page, (int) (lin & 0xfff), executed - before, jitThreshold);
            }
        } else {
            long before = executed;
            interpret(page, lin, pageLin, mode, mask, budget);
            if (executed - before > X86Jit.MAX_LENGTH && page != null) {
                X86Jit.ranLong(page, (int) (lin & 0xfff), executed - before, jitThreshold);
            }
        }
    }

    private void interpret(CodeCache.Page page, long lin, long pageLin, int mode, long mask, long budget) {
        while (true) {
            int off = (int) (lin & 0xfff);
            X86Op op;
            int len;
            if (page != null && (op = page.ops[off]) != null) {
                len = page.len[off];
            } else if (page != null && !page.dead) {
                op = slots.decode(page, off, lin, mode); // into the page's slots, once
                len = slots.length;
            } else {
                op = decoder.decode(fetcher, lin, mode); // no page: through the MMU, never cached
                len = decoder.length();
                if (X86Stats.ON) {
                    X86Stats.decodedUncached++;
                }
            }
            long next = (rip + len) & mask;
            nrip = next;
            boolean shadowed = interruptShadow; // this instruction runs in STI's or MOV SS's shadow...
            interruptShadow = false;
            op.exec(this);
            rip = nrip;
            // ...so the block ends after it: a pending interrupt is taken right here, not blocks later
            if (++executed >= budget || leave || nrip != next || shadowed || (page != null && page.dead)) {
                return;
            }
            lin = mode == 64 ? rip : linear(CS, rip); // 64-bit mode: CS has no base
            if ((lin & ~0xfffL) != pageLin) {
                return;
            }
        }
    }

    /**
     * Runs the compiled block {@code b} at rip, then the compiled blocks it goes on to, chained: while the run loop
     * would do nothing but enter the next block ({@link #chains}) and the next rip's fetch TLB entry remembers a
     * decoded page with a compiled block there (the lookup {@link #runBlock} makes first, so a changed translation,
     * a dropped page or a re-check goes back to it), that block is entered here, without the run loop's rounds.
     * The caller checked that a pass of {@code b} fits the budget and no interrupt shadow or single-step is pending.
     * A fault counts the instructions retired before it (run() adds the faulting one).
     */
    private void runCompiled(X86Block b, long budget) {
        while (true) {
            long rip0 = rip;
            jitLooped = 0;
            int n;
            try {
                n = b.run(this, rip0, (int) Math.min(budget - executed, Integer.MAX_VALUE));
            } catch (X86Exception e) {
                executed += b.retiredBefore(this, rip0);
                throw e;
            }
            executed += n;
            jitRetired += n;
            rip = nrip;
            if (X86Stats.ON) {
                X86Stats.jitEntries++;
            }
            if (!CHAIN || !chains()) {
                return;
            }
            long lin = codeBits == 64 ? rip : linear(CS, rip);
            X86Block next;
            if (SUCCESSORS && b.nextLin == lin && b.nextGen == chainGen) {
                next = b.next; // the block this exit led to last, nothing it depends on changed since
                if (X86Stats.ON) {
                    X86Stats.remembered++;
                }
            } else if (SUCCESSORS && b.otherLin == lin && b.otherGen == chainGen) {
                next = b.other;
                if (X86Stats.ON) {
                    X86Stats.remembered++;
                }
            } else {
                X86Block[] blocks;
                if (!(mmu.fetchCode(lin) instanceof CodeCache.Page p && p.mode == codeBits && !p.dead
                        && p.epoch == code.epoch && (blocks = p.blocks) != null && (next = blocks[(int) (lin & 0xfff)]) != null
                        && next != X86Block.NONE && next != X86Block.QUEUED)) {
                    return;
                }
                b.otherLin = b.nextLin;
                b.otherGen = b.nextGen;
                b.other = b.next;
                b.nextLin = lin;
                b.nextGen = chainGen;
                b.next = next;
            }
            if (budget - executed < next.length) {
                return;
            }
            chainedEntries++;
            if (X86Stats.ON) {
                X86Stats.chained++;
            }
            b = next;
        }
    }

    /** Whether compiled blocks are chained (-Djemu.jit.chain=false: every block returns to the run loop). */
    static final boolean CHAIN = !"false".equals(System.getProperty("jemu.jit.chain"));
    /** Whether a chained exit first tries the block it led to last (-Djemu.jit.successors=false: always the full lookup). */
    static final boolean SUCCESSORS = !"false".equals(System.getProperty("jemu.jit.successors"));

    /**
     * Bumped by everything that may change what {@link #runCompiled}'s full lookup finds for a linear address: a
     * fetch-TLB entry filled, remembered or dropped (CR3, INVLPG, paging changes), a mode or CPL change
     * ({@link #updateMode}), and the code cache's changes (a store into code dropping blocks, a page dropped or
     * re-checked, the cache cleared). A block's remembered successor ({@link X86Block#next}) is valid only in
     * the generation it was found in. Starts at 1: a block that never chained remembers generation 0.
     */
    long chainGen = 1;

    /** Something {@link #chainGen} guards changed. */
    void chainsChanged() {
        chainGen++;
    }

    /**
     * Whether the run loop, given the CPU as a compiled block left it, would go straight on to the next block: the
     * block was not ended ({@code leave}: mode or translation changes, HLT, STI, stores to code, device writes...),
     * there is no single-step, and no attention or deliverable interrupt is wanted (the run loop's own checks, at
     * the same instruction boundary).
     */
    private boolean chains() {
        return !leave && !interruptShadow && (rflagsOther & TF) == 0 && !loop.attention() && !interruptPending();
    }

    /** Whether a compiled loop must stop at its back edge: the machine loop has work for this thread, or an interrupt is pending. */
    boolean wantsAttention() {
        return loop.attention() || interruptPending();
    }

    /** Whether IF is set and the interrupt controller has an interrupt for the CPU (it is taken between blocks). */
    private boolean interruptPending() {
        if (!iflag || !interruptsStale || intr == null) {
            return false;
        }
        boolean pending = intr.hasInterrupt();
        interruptsStale = pending; // a "no" holds until something may change it
        return pending;
    }

    /** Instructions retired by compiled blocks (monotonic; a part of {@link #retired()}). */
    public long jitRetired() {
        return jitRetired;
    }

    /** Instructions retired since reset (monotonic). */
    public long retired() {
        return retired;
    }

    // ---------------------------------------------------------------- state

    /**
     * After the CPU's state or RAM was replaced from outside (reset, a boot loader, a loaded snapshot): the mode,
     * the TLBs and the decoded code follow the new state (the code is re-checked against RAM, which no CPU store
     * hook saw change).
     */
    private void stateReplaced() {
        updateMode();
        mmu.flushTlb();
        code.recheck();
    }

    @Override
    public String stateId() {
        return "cpu" + cpuIndex;
    }

    @Override
    public int stateVersion() {
        return STATE_VERSION;
    }

    @Override
    public void saveState(StateWriter out) {
        for (int i = 0; i < 16; i++) out.putLong("r" + i, r[i]);
        out.putLong("rip", rip);
        out.putLong("rflags", rflags());
        for (int i = 0; i < 6; i++) putSegment(out, "seg" + i, seg[i]);
        putSegment(out, "ldtr", ldtr);
        putSegment(out, "tr", tr);
        out.putLong("gdt_base", gdtBase);
        out.putInt("gdt_limit", gdtLimit);
        out.putLong("idt_base", idtBase);
        out.putInt("idt_limit", idtLimit);
        out.putLong("cr0", cr0);
        out.putLong("cr2", cr2);
        out.putLong("cr3", cr3);
        out.putLong("cr4", cr4);
        out.putLong("cr8", cr8);
        for (int i = 0; i < 8; i++) out.putLong("dr" + i, dr[i]);
        out.putLong("efer", efer);
        for (int i = 0; i < 32; i++) out.putLong("xmm" + i, xmm[i]);
        out.putInt("mxcsr", mxcsr);
        out.putInt("halted", halted ? 1 : 0);
        out.putInt("interrupt_shadow", interruptShadow ? 1 : 0);
        msrs.saveState(out);
        x87.saveState(out);
    }

    @Override
    public void loadState(StateReader in) {
        for (int i = 0; i < 16; i++) r[i] = in.getLong("r" + i);
        rip = in.getLong("rip");
        setRflags(in.getLong("rflags"));
        for (int i = 0; i < 6; i++) getSegment(in, "seg" + i, seg[i]);
        getSegment(in, "ldtr", ldtr);
        getSegment(in, "tr", tr);
        gdtBase = in.getLong("gdt_base");
        gdtLimit = in.getInt("gdt_limit");
        idtBase = in.getLong("idt_base");
        idtLimit = in.getInt("idt_limit");
        cr0 = in.getLong("cr0");
        cr2 = in.getLong("cr2");
        cr3 = in.getLong("cr3");
        cr4 = in.getLong("cr4");
        cr8 = in.getLong("cr8");
        for (int i = 0; i < 8; i++) dr[i] = in.getLong("dr" + i);
        efer = in.getLong("efer");
        for (int i = 0; i < 32; i++) xmm[i] = in.getLong("xmm" + i);
        mxcsr = in.getInt("mxcsr");
        halted = in.getInt("halted") != 0;
        interruptShadow = in.getInt("interrupt_shadow") != 0;
        msrs.loadState(in);
        x87.loadState(in);
        stateReplaced(); // RAM was restored behind the CPU's back
    }

    private static void putSegment(StateWriter out, String name, Segment s) {
        out.putInt(name + ".selector", s.selector);
        out.putLong(name + ".base", s.base);
        out.putLong(name + ".limit", s.limit);
        out.putInt(name + ".attr", s.attr);
    }

    private static void getSegment(StateReader in, String name, Segment s) {
        s.set(in.getInt(name + ".selector"), in.getLong(name + ".base"), in.getLong(name + ".limit"),
                in.getInt(name + ".attr"));
    }
}
