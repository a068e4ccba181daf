package dev.jemu.devices.x86;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.Timer;
import dev.jemu.core.time.VirtualClock;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.LongUnaryOperator;

/**
 * An xAPIC local APIC (MMIO window at 0xfee00000, QEMU's version 0x14 with six LVT entries): ID, TPR/PPR, EOI
 * (with the EOI broadcast of level-triggered vectors to the IOAPICs), LDR/DFR, SVR, ISR/TMR/IRR, ESR, ICR (self
 * IPIs and fixed IPIs to itself: the board has one CPU), the LVT (timer, thermal, performance, LINT0, LINT1,
 * error) and the timer in one-shot, periodic and TSC-deadline modes. The timer counts at {@code timerHz} (the
 * core crystal clock the CPU reports in CPUID leaf 0x15) divided by the divide configuration; a TSC deadline is
 * armed at the guest time {@code nanosAtTsc} gives for it (the CPU's TSC, guest writes to it included).
 *
 * <p>It is the CPU's interrupt controller: {@link #hasInterrupt()} / {@link #acknowledge()} give the highest
 * pending vector whose class is above the processor priority, and else the 8259's ExtINT through LINT0 (when
 * LINT0 is unmasked with delivery mode ExtINT, or the APIC is disabled in IA32_APIC_BASE: the PIC then reaches
 * the CPU directly).
 */
public final class LocalApic implements MmioDevice, Stateful, ApicBus {
    public static final long BASE = 0xfee00000L, SIZE = 0x100000;
    public static final int VERSION = 0x14, LVT_ENTRIES = 6;
    static final int LVT_TIMER = 0, LVT_THERMAL = 1, LVT_PERF = 2, LVT_LINT0 = 3, LVT_LINT1 = 4, LVT_ERROR = 5;
    static final int LVT_MASKED = 1 << 16, LVT_LEVEL = 1 << 15;
    static final int TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2;
    static final int SVR_ENABLE = 1 << 8;
    static final int ESR_SEND_ILLEGAL = 0x20, ESR_RECEIVE_ILLEGAL = 0x40, ESR_ILLEGAL_REGISTER = 0x80;
    /** The writable bits of each LVT entry (timer: mode; LINT: trigger, polarity; others: vector, mode, mask). */
    private static final int[] LVT_WRITABLE = {0x700ff, 0x107ff, 0x107ff, 0x1a7ff, 0x1a7ff, 0x100ff};

    private final String name;
    private final int resetId;
    private final boolean bootstrap;
    private final Timebase timerBase;
    /** The guest time (ns) at which the CPU's TSC reaches a value. */
    private final LongUnaryOperator nanosAtTsc;
    private final Timer timer;
    private final IntConsumer eoiBroadcast;
    private BooleanSupplier hardwareEnabled = () -> true;
    private IntSupplier picAcknowledge = () -> -1;

    private int id, tpr, ldr, dfr, svr, esr, pendingErrors, icrLow, icrHigh, divideConfig;
    private final int[] isr = new int[8], tmr = new int[8], irr = new int[8];
    private final int[] lvt = new int[LVT_ENTRIES];
    private boolean lint0Level, lint1Level;
    /** The timer: initial count, the timer tick it was started at, and the TSC deadline. */
    private long initialCount, startTick, tscDeadline;
    /** Cached: highest IRR vector (-1 none) and the processor priority. */
    private int highestIrr = -1, ppr;

    /**
     * @param eoiBroadcast told the vector of an EOI for a level-triggered interrupt (the IOAPICs' remote IRR)
     */
    public LocalApic(String name, int apicId, boolean bootstrap, VirtualClock clock, long timerHz,
            LongUnaryOperator nanosAtTsc, IntConsumer eoiBroadcast) {
        this.name = name;
        this.resetId = apicId;
        this.bootstrap = bootstrap;
        this.timerBase = new Timebase(clock, timerHz);
        this.nanosAtTsc = nanosAtTsc;
        this.timer = clock.newTimer(name + ".timer", this::timerExpired);
        this.eoiBroadcast = eoiBroadcast;
        reset();
    }

    /**
     * The other ends of the CPU's interrupt pins: whether IA32_APIC_BASE enables the APIC (the CPU's MSR), and the
     * 8259's INTA cycle for ExtINT.
     */
    public void connect(BooleanSupplier hardwareEnabled, IntSupplier picAcknowledge) {
        this.hardwareEnabled = hardwareEnabled;
        this.picAcknowledge = picAcknowledge;
    }

    public void reset() {
        id = resetId;
        tpr = ldr = esr = pendingErrors = icrLow = icrHigh = divideConfig = 0;
        dfr = 0xffffffff;
        svr = 0xff;
        java.util.Arrays.fill(isr, 0);
        java.util.Arrays.fill(tmr, 0);
        java.util.Arrays.fill(irr, 0);
        java.util.Arrays.fill(lvt, LVT_MASKED);
        if (bootstrap) {
            lvt[LVT_LINT0] = EXTINT << 8; // as QEMU: the PIC reaches the boot CPU through LINT0 before any set-up
        }
        initialCount = startTick = tscDeadline = 0;
        timer.cancel();
        recompute();
    }

    // ---------------------------------------------------------------- the CPU's side

    private boolean softwareEnabled() {
        return (svr & SVR_ENABLE) != 0;
    }

    private boolean apicPending() {
        return highestIrr >= 0 && softwareEnabled() && hardwareEnabled.getAsBoolean()
                && (highestIrr & 0xf0) > (ppr & 0xf0);
    }

    private boolean extIntPending() {
        if (!lint0Level) {
            return false;
        }
        int l = lvt[LVT_LINT0];
        return !hardwareEnabled.getAsBoolean() || ((l & LVT_MASKED) == 0 && ((l >> 8) & 7) == EXTINT);
    }

    /** Whether the CPU's INTR is asserted (the CPU checks RFLAGS.IF itself). */
    public boolean hasInterrupt() {
        return apicPending() || extIntPending();
    }

    /** The interrupt acknowledge: the vector now in service (the spurious vector if the request went away). */
    public int acknowledge() {
        if (apicPending()) {
            int v = highestIrr;
            clear(irr, v);
            set(isr, v);
            recompute();
            return v;
        }
        if (extIntPending()) {
            return picAcknowledge.getAsInt();
        }
        return svr & 0xff;
    }

    /** TPR as CR8 sees it (bits 7:4). */
    public int tpr() {
        return tpr;
    }

    /** MOV to CR8 writes TPR[7:4]. */
    public void setTpr(int value) {
        tpr = value & 0xff;
        recompute();
    }

    /** The 8259's INT output. */
    public IrqLine lint0() {
        return level -> {
            boolean rising = level && !lint0Level;
            lint0Level = level;
            if (rising) {
                localInterrupt(LVT_LINT0, true);
            }
        };
    }

    /** LINT1 (NMI on PCs; nothing drives it on microvm). */
    public IrqLine lint1() {
        return level -> {
            boolean rising = level && !lint1Level;
            lint1Level = level;
            if (rising) {
                localInterrupt(LVT_LINT1, true);
            }
        };
    }

    /** A local interrupt through LVT entry {@code n} (fixed mode; ExtINT is taken at acknowledge). */
    private void localInterrupt(int n, boolean fromPin) {
        int l = lvt[n];
        if ((l & LVT_MASKED) != 0) {
            return;
        }
        int mode = n == LVT_TIMER || n == LVT_ERROR ? FIXED : (l >> 8) & 7;
        switch (mode) {
            case FIXED -> accept(l & 0xff, fromPin && (l & LVT_LEVEL) != 0);
            case EXTINT -> { } // the PIC's vector, read at acknowledge
            default -> DebugLog.log(DebugLog.Category.UNIMP, "%s: LVT %d delivery mode %d not delivered", name, n, mode);
        }
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public void deliver(int destination, boolean logical, int mode, int vector, boolean level) {
        if (!matches(destination, logical)) {
            DebugLog.log(DebugLog.Category.INT, "%s: interrupt 0x%x for %s destination 0x%x: no such APIC", name, vector,
                    logical ? "logical" : "physical", destination);
            return;
        }
        switch (mode) {
            case FIXED, LOWEST_PRIORITY -> accept(vector, level);
            default -> DebugLog.log(DebugLog.Category.UNIMP, "%s: delivery mode %d (vector 0x%x) not implemented", name,
                    mode, vector);
        }
    }

    private boolean matches(int destination, boolean logical) {
        if (destination == 0xff) {
            return true;
        }
        if (!logical) {
            return destination == id;
        }
        int logicalId = ldr >>> 24;
        if ((dfr >>> 28) == 0xf) { // flat model
            return (logicalId & destination) != 0;
        }
        return (destination >> 4) == (logicalId >> 4) && (destination & logicalId & 0xf) != 0; // cluster model
    }

    /** A fixed interrupt arrives: IRR, and TMR for level-triggered ones; vectors 0-15 are illegal. */
    private void accept(int vector, boolean level) {
        if (vector < 16) {
            error(ESR_RECEIVE_ILLEGAL);
            return;
        }
        set(irr, vector);
        if (level) {
            set(tmr, vector);
        } else {
            clear(tmr, vector);
        }
        recompute();
    }

    private void error(int bits) {
        pendingErrors |= bits;
        if ((lvt[LVT_ERROR] & LVT_MASKED) == 0 && (lvt[LVT_ERROR] & 0xff) >= 16) {
            set(irr, lvt[LVT_ERROR] & 0xff);
            recompute();
        }
    }

    private void eoi() {
        int v = highest(isr);
        if (v < 0) {
            return;
        }
        clear(isr, v);
        boolean level = test(tmr, v);
        recompute();
        if (level) {
            eoiBroadcast.accept(v);
        }
    }

    // ---------------------------------------------------------------- registers

    @Override
    public long read(long offset, int size) {
        if (size != 4 || (offset & 0xf) != 0 || offset >= 0x400) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: %d-byte read at 0x%x", name, size, offset);
            return 0;
        }
        int reg = (int) offset >> 4;
        return switch (reg) {
            case 0x02 -> (long) id << 24;
            case 0x03 -> VERSION | (LVT_ENTRIES - 1) << 16;
            case 0x08 -> tpr;
            case 0x09 -> 0; // APR
            case 0x0a -> ppr;
            case 0x0d -> ldr;
            case 0x0e -> dfr & 0xffffffffL;
            case 0x0f -> svr;
            case 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17 -> isr[reg - 0x10] & 0xffffffffL;
            case 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f -> tmr[reg - 0x18] & 0xffffffffL;
            case 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27 -> irr[reg - 0x20] & 0xffffffffL;
            case 0x28 -> esr;
            case 0x30 -> icrLow & 0xffffffffL;
            case 0x31 -> icrHigh & 0xffffffffL;
            case 0x32, 0x33, 0x34, 0x35, 0x36, 0x37 -> lvt[reg - 0x32] & 0xffffffffL;
            case 0x38 -> initialCount;
            case 0x39 -> currentCount();
            case 0x3e -> divideConfig;
            default -> 0; // EOI and reserved registers read as zero
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        if (size != 4 || (offset & 0xf) != 0 || offset >= 0x400) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: %d-byte write 0x%x at 0x%x", name, size, value, offset);
            return;
        }
        int v = (int) value;
        int reg = (int) offset >> 4;
        switch (reg) {
            case 0x02 -> id = v >>> 24;
            case 0x08 -> setTpr(v);
            case 0x0b -> eoi();
            case 0x0d -> ldr = v & 0xff000000;
            case 0x0e -> dfr = v | 0x0fffffff;
            case 0x0f -> writeSvr(v);
            case 0x28 -> { // writing ESR latches the errors seen since the last write
                esr = pendingErrors;
                pendingErrors = 0;
            }
            case 0x30 -> {
                icrLow = v & ~(1 << 12);
                sendIpi();
            }
            case 0x31 -> icrHigh = v & 0xff000000;
            case 0x32, 0x33, 0x34, 0x35, 0x36, 0x37 -> writeLvt(reg - 0x32, v);
            case 0x38 -> writeInitialCount(v & 0xffffffffL);
            case 0x3e -> writeDivide(v);
            case 0x03, 0x09, 0x0a, 0x0c, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c,
                    0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x39 ->
                DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: write 0x%x to read-only register 0x%x", name, v, offset);
            default -> {
                DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: write 0x%x to reserved register 0x%x", name, v, offset);
                error(ESR_ILLEGAL_REGISTER);
            }
        }
    }

    private void writeSvr(int v) {
        svr = v & 0x13ff;
        if (!softwareEnabled()) {
            for (int i = 0; i < LVT_ENTRIES; i++) {
                lvt[i] |= LVT_MASKED; // a software-disabled APIC masks every LVT entry (SDM 10.4.7.2)
            }
        }
        recompute();
    }

    private void writeLvt(int n, int v) {
        int old = lvt[n];
        int value = v & LVT_WRITABLE[n];
        if (!softwareEnabled()) {
            value |= LVT_MASKED;
        }
        lvt[n] = value | (old & ~LVT_WRITABLE[n] & ~(1 << 12));
        if (n == LVT_TIMER && timerMode(old) != timerMode(lvt[n])) {
            // a mode change stops the timer (the TSC deadline and the count are disarmed)
            timer.cancel();
            initialCount = 0;
            tscDeadline = 0;
        }
        if (n == LVT_LINT0 && lint0Level && (lvt[n] & LVT_MASKED) == 0 && (old & LVT_MASKED) != 0
                && (lvt[n] & LVT_LEVEL) != 0) {
            localInterrupt(LVT_LINT0, true); // a level input unmasked while asserted
        }
    }

    /** Delivers the ICR's interrupt: to itself (self / all-including-self / its own ID); others have no CPU. */
    private void sendIpi() {
        int vector = icrLow & 0xff;
        int mode = (icrLow >> 8) & 7;
        int shorthand = (icrLow >> 18) & 3;
        if ((mode == FIXED || mode == LOWEST_PRIORITY) && vector < 16) {
            error(ESR_SEND_ILLEGAL);
            return;
        }
        switch (shorthand) {
            case 0 -> deliver(icrHigh >>> 24, (icrLow & (1 << 11)) != 0, mode, vector, false);
            case 1, 2 -> deliver(0xff, false, mode, vector, false);
            default -> { } // all excluding self: no other CPU
        }
    }

    // ---------------------------------------------------------------- timer

    private static int timerMode(int lvtTimer) {
        return (lvtTimer >> 17) & 3;
    }

    /** Timer ticks per count: the divide configuration (bits 0, 1, 3) selects 2, 4, ... 128, or 1. */
    private int divisor() {
        int d = (divideConfig & 3) | (divideConfig & 8) >> 1;
        return d == 7 ? 1 : 2 << d;
    }

    private long period() {
        return initialCount * divisor();
    }

    private void writeInitialCount(long count) {
        if (timerMode(lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
            return; // ignored in TSC-deadline mode
        }
        initialCount = count;
        startTick = timerBase.ticks();
        armCountdown();
    }

    private void writeDivide(int v) {
        long count = currentCount();
        int oldDivisor = divisor();
        divideConfig = v & 0xb;
        if (initialCount != 0 && oldDivisor != divisor() && timer.isArmed()) {
            // the count goes on from where it is, at the new rate
            startTick = timerBase.ticks() - (initialCount - count) * divisor();
            armCountdown();
        }
    }

    private void armCountdown() {
        if (initialCount == 0) {
            timer.cancel();
            return;
        }
        timer.armAt(timerBase.nanosAt(startTick + period()));
    }

    private long currentCount() {
        if (initialCount == 0 || timerMode(lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
            return 0;
        }
        long elapsed = (timerBase.ticks() - startTick) / divisor();
        if (timerMode(lvt[LVT_TIMER]) == TIMER_PERIODIC) {
            return initialCount - elapsed % initialCount;
        }
        return elapsed >= initialCount ? 0 : initialCount - elapsed;
    }

    private void timerExpired() {
        int mode = timerMode(lvt[LVT_TIMER]);
        if (mode == TIMER_TSC_DEADLINE) {
            tscDeadline = 0;
        } else if (mode == TIMER_PERIODIC && initialCount != 0) {
            long now = timerBase.ticks();
            startTick += period();
            if (startTick + period() <= now) {
                startTick = now - (now - startTick) % period(); // periods missed while stopped are dropped
            }
            armCountdown();
        }
        localInterrupt(LVT_TIMER, false);
    }

    /** RDMSR IA32_TSC_DEADLINE. */
    public long tscDeadline() {
        return tscDeadline;
    }

    /** WRMSR IA32_TSC_DEADLINE: arms the timer at that TSC value (0 disarms); ignored outside TSC-deadline mode. */
    public void setTscDeadline(long value) {
        if (timerMode(lvt[LVT_TIMER]) != TIMER_TSC_DEADLINE) {
            return;
        }
        tscDeadline = value;
        if (value == 0) {
            timer.cancel();
        } else {
            timer.armAt(nanosAtTsc.applyAsLong(value));
        }
    }

    // ---------------------------------------------------------------- bit vectors

    private static void set(int[] v, int n) {
        v[n >> 5] |= 1 << (n & 31);
    }

    private static void clear(int[] v, int n) {
        v[n >> 5] &= ~(1 << (n & 31));
    }

    private static boolean test(int[] v, int n) {
        return (v[n >> 5] & (1 << (n & 31))) != 0;
    }

    private static int highest(int[] v) {
        for (int i = 7; i >= 0; i--) {
            if (v[i] != 0) {
                return i * 32 + 31 - Integer.numberOfLeadingZeros(v[i]);
            }
        }
        return -1;
    }

    private void recompute() {
        highestIrr = highest(irr);
        int inService = Math.max(highest(isr), 0);
        ppr = (tpr & 0xf0) >= (inService & 0xf0) ? tpr : inService & 0xf0;
    }

    // ---------------------------------------------------------------- state

    @Override
    public String stateId() {
        return name;
    }

    @Override
    public void saveState(StateWriter out) {
        out.putInt("id", id);
        out.putInt("tpr", tpr);
        out.putInt("ldr", ldr);
        out.putInt("dfr", dfr);
        out.putInt("svr", svr);
        out.putInt("esr", esr);
        out.putInt("pending_errors", pendingErrors);
        out.putInt("icr_low", icrLow);
        out.putInt("icr_high", icrHigh);
        out.putInt("divide", divideConfig);
        out.putInts("isr", isr);
        out.putInts("tmr", tmr);
        out.putInts("irr", irr);
        out.putInts("lvt", lvt);
        out.putBoolean("lint0", lint0Level);
        out.putBoolean("lint1", lint1Level);
        out.putLong("initial_count", initialCount);
        out.putLong("start_tick", startTick);
        out.putLong("tsc_deadline", tscDeadline);
        out.putBoolean("timer_armed", timer.isArmed());
    }

    @Override
    public void loadState(StateReader in) {
        id = in.getInt("id");
        tpr = in.getInt("tpr") & 0xff;
        ldr = in.getInt("ldr");
        dfr = in.getInt("dfr");
        svr = in.getInt("svr");
        esr = in.getInt("esr");
        pendingErrors = in.getInt("pending_errors");
        icrLow = in.getInt("icr_low");
        icrHigh = in.getInt("icr_high");
        divideConfig = in.getInt("divide") & 0xb;
        copy(in.getInts("isr"), isr);
        copy(in.getInts("tmr"), tmr);
        copy(in.getInts("irr"), irr);
        copy(in.getInts("lvt"), lvt);
        lint0Level = in.getBoolean("lint0");
        lint1Level = in.getBoolean("lint1");
        initialCount = in.getLong("initial_count") & 0xffffffffL;
        startTick = in.getLong("start_tick");
        tscDeadline = in.getLong("tsc_deadline");
        timer.cancel();
        if (in.getBoolean("timer_armed")) {
            if (timerMode(lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
                timer.armAt(nanosAtTsc.applyAsLong(tscDeadline));
            } else {
                armCountdown();
            }
        }
        recompute();
    }

    private static void copy(int[] from, int[] to) {
        System.arraycopy(from, 0, to, 0, Math.min(from.length, to.length));
    }
}
