package dev.jemu.devices.arm.gic;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * PLACEHOLDER, replaced by the GIC branch at merge: only the API the virt board codes against
 * ({@code new GicV2(cpus, spis)}, {@link #distributor()}, {@link #cpuInterface(int)}). Registers read as zero,
 * inputs go nowhere.
 */
public final class GicV2 implements Gic {
    private static final MmioDevice ZERO = new MmioDevice() {
        @Override
        public long read(long offset, int size) {
            return 0;
        }

        @Override
        public void write(long offset, int size, long value) {
        }
    };

    public GicV2(int cpus, int spis) {
    }

    public MmioDevice distributor() {
        return ZERO;
    }

    public MmioDevice cpuInterface(int cpu) {
        return ZERO;
    }

    @Override
    public IrqLine spi(int intid) {
        return IrqLine.NONE;
    }

    @Override
    public IrqLine ppi(int cpu, int intid) {
        return IrqLine.NONE;
    }

    @Override
    public void attachCpu(int cpu, IrqLine irq, IrqLine fiq) {
    }

    @Override
    public int version() {
        return 2;
    }

    @Override
    public String stateId() {
        return "gic";
    }

    @Override
    public void saveState(StateWriter out) {
    }

    @Override
    public void loadState(StateReader in) {
    }
}
