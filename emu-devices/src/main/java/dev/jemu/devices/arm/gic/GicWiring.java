package dev.jemu.devices.arm.gic;

import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;

/**
 * What both GIC versions wire the same way: the per-interrupt state, the input lines devices get (SPIs
 * shared, PPIs per CPU) and each CPU's IRQ and FIQ outputs, driven from what {@link #signal} says.
 */
abstract sealed class GicWiring implements Gic permits GicV2, GicV3 {
    static final int NONE = 0, IRQ = 1, FIQ = 2;

    final int cpus;
    final IrqStates irqs;
    private final CachedIrqLine[] irqOut, fiqOut;

    GicWiring(int cpus, int spis) {
        this.cpus = cpus;
        this.irqs = new IrqStates(cpus, spis);
        this.irqOut = new CachedIrqLine[cpus];
        this.fiqOut = new CachedIrqLine[cpus];
        for (int c = 0; c < cpus; c++) {
            irqOut[c] = new CachedIrqLine(IrqLine.NONE);
            fiqOut[c] = new CachedIrqLine(IrqLine.NONE);
        }
    }

    @Override
    public final String stateId() {
        return "gic";
    }

    /** What CPU {@code cpu}'s interface signals now: {@link #NONE}, {@link #IRQ} or {@link #FIQ}. */
    abstract int signal(int cpu);

    @Override
    public IrqLine spi(int intid) {
        if (intid < IrqStates.PRIVATE || intid >= irqs.limit()) {
            throw new IllegalArgumentException("GICv" + version() + " SPI " + intid);
        }
        return input(irqs.index(0, intid));
    }

    @Override
    public IrqLine ppi(int cpu, int intid) {
        checkCpu(cpu);
        if (intid < 16 || intid >= IrqStates.PRIVATE) {
            throw new IllegalArgumentException("GICv" + version() + " PPI " + intid);
        }
        return input(irqs.index(cpu, intid));
    }

    private IrqLine input(int i) {
        return l -> {
            irqs.setLevel(i, l);
            update();
        };
    }

    @Override
    public void attachCpu(int cpu, IrqLine irq, IrqLine fiq) {
        checkCpu(cpu);
        irqOut[cpu] = new CachedIrqLine(irq);
        fiqOut[cpu] = new CachedIrqLine(fiq);
        drive(true);
    }

    void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= cpus) {
            throw new IllegalArgumentException("GICv" + version() + " CPU " + cpu);
        }
    }

    /** Drives every output after a change of state (each line only when its level changes). */
    void update() {
        drive(false);
    }

    /** {@code force}: drive every line whatever it was thought to be (after attaching or loading state). */
    void drive(boolean force) {
        for (int c = 0; c < cpus; c++) {
            int s = signal(c);
            if (force) {
                irqOut[c].force(s == IRQ);
                fiqOut[c].force(s == FIQ);
            } else {
                irqOut[c].set(s == IRQ);
                fiqOut[c].set(s == FIQ);
            }
        }
    }
}
