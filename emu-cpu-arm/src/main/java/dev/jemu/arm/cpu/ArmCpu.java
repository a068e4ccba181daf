package dev.jemu.arm.cpu;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.machine.Cpu;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.time.Timebase;

/**
 * One ARMv8.0-A processing element running A64 at EL0 and EL1.
 *
 * <p>Execution: instruction words are decoded once into {@link ArmOp}s, cached per physical page
 * ({@link CodeCache}); {@link #run} translates the pc once per page and then runs the page's ops in a row.
 * Decoding is split by the A64 encoding groups ({@link A64Decoder}); each group's decoder lives in its own class.
 *
 * <p>Ownership inside this class, so that parallel work merges cleanly: registers and flags (here), the run loop
 * (here), memory access ({@link Mmu}), exceptions and interrupts ({@link Exceptions}), system registers
 * ({@link SysRegs}), FP/SIMD state (here, used by the SIMD decoder).
 */
public final class ArmCpu implements Cpu {
    public static final int STATE_VERSION = 1;

    final int cpuIndex;
    final CpuModelInfo model;
    final AddressSpace bus;
    final MachineLoop loop;
    /** The system counter (CNTFRQ_EL0 ticks, 62.5 MHz on virt). */
    final Timebase timebase;
    final CodeCache code;
    public final Mmu mmu;
    public final SysRegs sysregs;
    public final Exceptions exceptions;
    public final GenericTimer timer;

    // ---- general registers: see Regs for the layout (31 = current SP, 32 = XZR, 33 = write sink)
    public final long[] x = new long[Regs.COUNT];
    /** The banked stack pointers SP_EL0..SP_EL3; the one in use lives in x[SP] and is written back on a switch. */
    public final long[] spEl = new long[4];
    public long pc;
    /** The next pc: pc + 4 before an op runs; a branch sets it. */
    public long npc;

    // ---- PSTATE
    /** Condition flags, each 0 or 1. */
    public int nf, zf, cf, vf;
    /** Current exception level 0..3. */
    public int el = 1;
    /** PSTATE.SP: true when ELx (x > 0) uses SP_ELx, false for SP_EL0. */
    public boolean spsel = true;
    /** PSTATE.{D,A,I,F} as DAIF bits 9:6 are laid out, shifted down: D=8, A=4, I=2, F=1. */
    public int daif = 0xf;

    // ---- FP/SIMD: V0..V31 as (low, high) 64-bit halves, v[2n] low, v[2n + 1] high
    public final long[] v = new long[64];
    public int fpcr, fpsr;
    /**
     * True while FP/SIMD use traps at the current EL (CPACR_EL1.FPEN): kept up to date by the system registers
     * on every change of CPACR_EL1 or EL; every FP/SIMD op starts with {@code if (c.fpDisabled) throw c.fpAccessTrap();}.
     */
    public boolean fpDisabled;
    /** The IEEE core the FP/SIMD ops round through (ARM detects tininess before rounding); see ArmFp. */
    final dev.jemu.core.fpu.SoftFloat softFloat = new dev.jemu.core.fpu.SoftFloat(true);

    // ---- synchronous exception being raised (see ArmException)
    public int excClass, excIss;
    public long excFar;
    /** Whether excFar is valid for this exception. */
    public boolean excFarValid;
    /** Preferred return address of the exception being raised (pc, or pc + 4 for SVC/HVC/SMC). */
    public long excReturn;
    /** Target exception level (normally max(1, el)). */
    public int excTarget;

    // ---- exclusive monitor (LDXR/STXR)
    public long exclusiveAddr = -1;
    public long exclusiveValue, exclusiveValueHigh;
    public int exclusiveSize;

    // ---- run control
    boolean halted;
    /** Set by an op whose effect the run loop must see before the next instruction (see ArmOp). */
    boolean leave;
    /** Levels of the IRQ and FIQ inputs from the interrupt controller. */
    boolean irqLine, fiqLine;
    long retired;

    public ArmCpu(int cpuIndex, CpuModelInfo model, AddressSpace bus, MachineLoop loop, Timebase timebase) {
        this.cpuIndex = cpuIndex;
        this.model = model;
        this.bus = bus;
        this.loop = loop;
        this.timebase = timebase;
        this.code = CodeCache.of(bus); // shared by the CPUs on this bus
        this.timer = new GenericTimer(this);
        this.mmu = new Mmu(this);
        this.sysregs = new SysRegs(this);
        this.exceptions = new Exceptions(this);
        reset();
    }

    public int cpuIndex() {
        return cpuIndex;
    }

    public CpuModelInfo model() {
        return model;
    }

    public AddressSpace bus() {
        return bus;
    }

    public MachineLoop loop() {
        return loop;
    }

    @Override
    public void reset() {
        java.util.Arrays.fill(x, 0);
        java.util.Arrays.fill(spEl, 0);
        java.util.Arrays.fill(v, 0);
        pc = 0;
        nf = zf = cf = vf = 0;
        el = 1;
        spsel = true;
        daif = 0xf;
        fpcr = fpsr = 0;
        exclusiveAddr = -1;
        halted = false;
        sysregs.reset();
        mmu.flushTlb();
        code.clear();
    }

    // ---------------------------------------------------------------- registers for boards, gdb and tests

    public long reg(int n) {
        return x[n];
    }

    public void setReg(int n, long value) {
        if (n < 0 || n > 31) throw new IllegalArgumentException("x" + n);
        x[n] = value;
    }

    public long pc() {
        return pc;
    }

    public void setPc(long pc) {
        this.pc = pc;
    }

    /** NZCV as the NZCV system register holds it (bits 31:28). */
    public long nzcv() {
        return (long) nf << 31 | (long) zf << 30 | (long) cf << 29 | (long) vf << 28;
    }

    public void setNzcv(long value) {
        nf = (int) (value >>> 31) & 1;
        zf = (int) (value >>> 30) & 1;
        cf = (int) (value >>> 29) & 1;
        vf = (int) (value >>> 28) & 1;
    }

    /** ConditionHolds(cond) for the 4-bit condition field. */
    public boolean cond(int cond) {
        boolean r = switch (cond >>> 1) {
            case 0 -> zf != 0; // EQ/NE
            case 1 -> cf != 0; // CS/CC
            case 2 -> nf != 0; // MI/PL
            case 3 -> vf != 0; // VS/VC
            case 4 -> cf != 0 && zf == 0; // HI/LS
            case 5 -> nf == vf; // GE/LT
            case 6 -> nf == vf && zf == 0; // GT/LE
            default -> true; // AL/NV
        };
        return (cond & 1) != 0 && cond != 0xf ? !r : r;
    }

    /** Switches the SP in use (x[SP]) after el or spsel changed: saves the old bank, loads the new. */
    public void switchSp(int oldEl, boolean oldSpsel) {
        spEl[oldSpsel ? oldEl : 0] = x[Regs.SP];
        x[Regs.SP] = spEl[spsel ? el : 0];
    }

    /** The saved SP of {@code level} (SP_EL0..SP_EL3), reading the live copy when it is the one in use. */
    public long spOf(int level) {
        return level == (spsel ? el : 0) ? x[Regs.SP] : spEl[level];
    }

    public void setSpOf(int level, long value) {
        if (level == (spsel ? el : 0)) {
            x[Regs.SP] = value;
        } else {
            spEl[level] = value;
        }
    }

    // ---------------------------------------------------------------- exceptions raised by ops

    /** An UNDEFINED instruction: EC 0 (Unknown reason). Use as {@code throw c.undefined();}. */
    public ArmException undefined() {
        return syncException(Syndrome.EC_UNKNOWN, 0);
    }

    /** A synchronous exception with preferred return pc, taken to max(1, el). */
    public ArmException syncException(int ec, int iss) {
        excClass = ec;
        excIss = iss;
        excFarValid = false;
        excReturn = pc;
        excTarget = Math.max(1, el);
        return ArmException.INSTANCE;
    }

    /** The FP/SIMD access trap (EC 0x07) of an op that found {@link #fpDisabled}. */
    public ArmException fpAccessTrap() {
        return syncException(Syndrome.EC_FP_ACCESS, 1 << 24 | 0xe << 20); // from A64: CV 1, COND 0b1110, as QEMU
    }

    /** Tells the run loop to look at interrupts, translation and EL before the next instruction. */
    public void endBlock() {
        leave = true;
    }

    // ---------------------------------------------------------------- memory (see Mmu)

    public long read8(long va) {
        return mmu.read8(va);
    }

    public long read16(long va) {
        return mmu.read16(va);
    }

    public long read32(long va) {
        return mmu.read32(va);
    }

    public long read64(long va) {
        return mmu.read64(va);
    }

    public void write8(long va, long value) {
        mmu.write8(va, value);
    }

    public void write16(long va, long value) {
        mmu.write16(va, value);
    }

    public void write32(long va, long value) {
        mmu.write32(va, value);
    }

    public void write64(long va, long value) {
        mmu.write64(va, value);
    }

    // ---------------------------------------------------------------- interrupts (inputs from the GIC)

    /** Called on the machine thread (devices run there), so the run loop sees it at its next check. */
    public void setIrq(boolean level) {
        irqLine = level;
    }

    public void setFiq(boolean level) {
        fiqLine = level;
    }

    /**
     * The generic timer's outputs (level interrupts, wired by the board to the GIC's PPIs): EL1 physical
     * (CNTP, PPI 30 on virt), virtual (CNTV, 27), EL2 physical (CNTHP, 26), secure physical (CNTPS, 29).
     */
    public void connectTimers(IrqLine physical, IrqLine virtual, IrqLine hypervisor, IrqLine secure) {
        timer.connect(physical, virtual, hypervisor, secure);
    }

    /** Firmware that answers HVC/SMC itself (the board's PSCI, as QEMU's virt does without firmware), or null. */
    public FirmwareCall firmware;

    public void setFirmware(FirmwareCall firmware) {
        this.firmware = firmware;
    }

    public void setSysRegDevice(SysRegDevice device) {
        sysregs.device = device;
    }

    // ---------------------------------------------------------------- the run loop

    @Override
    public boolean isHalted() {
        return halted && !exceptions.wakeUp(); // WFI ends when an interrupt is pending, even a masked one
    }

    /** Whether hot blocks are compiled ({@link ArmJit}; {@code -Djemu.jit=false} turns it off) and after how many entries. */
    boolean jit = ArmJit.ENABLED;
    int jitThreshold = ArmJit.THRESHOLD;

    /**
     * For a block that loops back to its start (a JVM loop): the instructions its completed passes retired (so an
     * exception in a later pass counts them) and how many more it may run before it must return.
     */
    int jitDone, jitBudget;

    /** blockPc while no compiled block runs (an odd pc never starts one). */
    private static final long NO_BLOCK = 1;

    @Override
    public long run(long budget) {
        long n = 0, traps = 0;
        if (ArmStats.ON) ArmStats.runner = Thread.currentThread();
        while (n < budget && traps < budget) {
            if ((n | traps) != 0 && loop.attention()) {
                break;
            }
            if (ArmStats.ON) ArmStats.dispatches++;
            if (exceptions.interruptPending()) {
                if (ArmStats.ON) ArmStats.interrupts++;
                exceptions.takeInterrupt();
                halted = false;
            } else if (halted && exceptions.wakeUp()) {
                halted = false; // WFI with the interrupt masked: execution goes on after the WFI
            }
            if (halted) {
                break;
            }
            leave = false;
            long pc = this.pc;
            long blockPc = NO_BLOCK;
            try {
                CodeCache.Page page = fetchPage(pc);
                ArmOp[] ops = page.ops;
                long base = pc & ~0xfffL;
                boolean target = true; // pc is a jump target (or the first of this page): a block may start here
                do {
                    int idx = (int) (pc - base) >>> 2;
                    if (target && jit) {
                        ArmBlock b = page.enter(idx, jitThreshold);
                        if (b != null && n + b.length <= budget) {
                            blockPc = pc;
                            jitDone = 0;
                            jitBudget = (int) Math.min(Integer.MAX_VALUE, budget - n - b.length);
                            int ran = b.run(this, pc);
                            n += ran;
                            if (ArmStats.ON) ArmStats.block(pc, ran, b.length);
                            blockPc = NO_BLOCK;
                            pc = npc;
                            continue; // the next pc is a block start again
                        }
                    }
                    ArmOp op = ops[idx];
                    if (op == null) {
                        op = page.decode(idx);
                    }
                    this.pc = pc;
                    npc = pc + 4;
                    if (ArmStats.ON) ArmStats.interp(pc, ArmStats.PCS ? page.word(idx) : 0);
                    op.exec(this);
                    target = npc != pc + 4;
                    pc = npc;
                    n++;
                } while (!leave && ((pc - base) & ~0xffcL) == 0 && n < budget && page.valid); // same page, aligned
                this.pc = pc;
            } catch (ArmException e) {
                if (blockPc != NO_BLOCK) {
                    n += jitDone + ((this.pc - blockPc) >>> 2); // the block's ops before the faulting one retired
                }
                traps++;
                if (ArmStats.ON) ArmStats.syncExceptions++;
                exceptions.takeSync();
            }
        }
        retired += n;
        return n;
    }

    /** The decoded page holding {@code pc}, after the instruction-side translation and permission checks. */
    private CodeCache.Page fetchPage(long pc) {
        if ((pc & 3) != 0) {
            ArmException e = syncException(Syndrome.EC_PC_ALIGN, 0); // (it clears excFarValid)
            excFar = pc;
            excFarValid = true;
            throw e;
        }
        CodeCache.Page page = mmu.fetchPage(pc);
        if (page != null) {
            exceptions.checkIllegalState();
            return page;
        }
        if (ArmStats.ON) ArmStats.fetchWalks++;
        long pa = mmu.translateFetch(pc);
        try {
            page = code.page(pa & ~0xfffL);
        } catch (BusError e) {
            throw mmu.fetchBusFault(pc);
        }
        mmu.rememberPage(pc, page);
        return page;
    }

    /** Called by memory writers with the physical address written, so decoded code there is dropped. */
    void codeWritten(long pa) {
        code.written(pa);
        leave = true; // the page running may be the one dropped: fetch it again before the next instruction
    }

    /** Instructions retired since reset (monotonic). */
    public long retired() {
        return retired;
    }

    // ---------------------------------------------------------------- state

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
        spEl[spsel ? el : 0] = x[Regs.SP];
        for (int i = 0; i < 31; i++) out.putLong("x" + i, x[i]);
        for (int i = 0; i < 4; i++) out.putLong("sp_el" + i, spEl[i]);
        out.putLong("pc", pc);
        out.putLong("nzcv", nzcv());
        out.putInt("el", el);
        out.putInt("spsel", spsel ? 1 : 0);
        out.putInt("daif", daif);
        for (int i = 0; i < 64; i++) out.putLong("v" + i, v[i]);
        out.putInt("fpcr", fpcr);
        out.putInt("fpsr", fpsr);
        out.putInt("halted", halted ? 1 : 0);
        sysregs.saveState(out);
    }

    @Override
    public void loadState(StateReader in) {
        for (int i = 0; i < 31; i++) x[i] = in.getLong("x" + i);
        for (int i = 0; i < 4; i++) spEl[i] = in.getLong("sp_el" + i);
        pc = in.getLong("pc");
        setNzcv(in.getLong("nzcv"));
        el = in.getInt("el");
        spsel = in.getInt("spsel") != 0;
        daif = in.getInt("daif");
        x[Regs.SP] = spEl[spsel ? el : 0];
        for (int i = 0; i < 64; i++) v[i] = in.getLong("v" + i);
        fpcr = in.getInt("fpcr");
        fpsr = in.getInt("fpsr");
        halted = in.getInt("halted") != 0;
        exclusiveAddr = -1;
        sysregs.loadState(in);
        mmu.flushTlb();
        code.clear();
    }
}
