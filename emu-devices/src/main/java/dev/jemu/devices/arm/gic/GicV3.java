package dev.jemu.devices.arm.gic;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * PLACEHOLDER, replaced by the GIC branch at merge: only the API the virt board codes against
 * ({@code new GicV3(cpus, spis)}, {@link #distributor()}, {@link #redistributors()}, {@link #cpuInterface(int)}).
 */
public final class GicV3 implements Gic {
    private static final MmioDevice ZERO = new MmioDevice() {
        @Override
        public long read(long offset, int size) {
            return 0;
        }

        @Override
        public void write(long offset, int size, long value) {
        }
    };

    private final GicV3CpuInterface[] cpuInterfaces;

    public GicV3(int cpus, int spis) {
        cpuInterfaces = new GicV3CpuInterface[cpus];
        for (int i = 0; i < cpus; i++) {
            cpuInterfaces[i] = new GicV3CpuInterface();
        }
    }

    public MmioDevice distributor() {
        return ZERO;
    }

    public MmioDevice redistributors() {
        return ZERO;
    }

    public GicV3CpuInterface cpuInterface(int cpu) {
        return cpuInterfaces[cpu];
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
        return 3;
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
