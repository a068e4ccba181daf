package dev.jemu.devices.arm.gic;

import dev.jemu.core.state.StateException;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * The per-interrupt state both GIC versions keep: enable, pending latch, active, input level, group,
 * edge/level configuration and priority. SGIs and PPIs (intid 0..31) are banked per CPU, SPIs are shared,
 * so an interrupt is addressed by {@link #index(int, int)}. A level-sensitive interrupt is pending while its
 * line is high or while software set it pending (GICD_ISPENDR); an edge-triggered one latches a rising edge.
 */
final class IrqStates {
    static final int PRIVATE = 32;

    final int cpus;
    final int spis;
    final byte[] enabled, pending, active, level, group, edge;
    final int[] priority;

    IrqStates(int cpus, int spis) {
        this.cpus = cpus;
        this.spis = spis;
        int n = cpus * PRIVATE + spis;
        enabled = new byte[n];
        pending = new byte[n];
        active = new byte[n];
        level = new byte[n];
        group = new byte[n];
        edge = new byte[n];
        priority = new int[n];
    }

    /** Interrupt IDs 0 .. {@code limit() - 1} exist. */
    int limit() {
        return PRIVATE + spis;
    }

    int index(int cpu, int intid) {
        return intid < PRIVATE ? cpu * PRIVATE + intid : cpus * PRIVATE + intid - PRIVATE;
    }

    boolean isPending(int i) {
        return pending[i] != 0 || (edge[i] == 0 && level[i] != 0);
    }

    /** Power-on state (levels kept: they are the devices' wires). SGIs are edge-triggered. */
    void reset() {
        java.util.Arrays.fill(enabled, (byte) 0);
        java.util.Arrays.fill(pending, (byte) 0);
        java.util.Arrays.fill(active, (byte) 0);
        java.util.Arrays.fill(group, (byte) 0);
        java.util.Arrays.fill(edge, (byte) 0);
        java.util.Arrays.fill(priority, 0);
        for (int c = 0; c < cpus; c++) {
            for (int s = 0; s < 16; s++) {
                edge[index(c, s)] = 1;
            }
        }
    }

    /** A device drives an input: an edge-triggered interrupt latches the rising edge. */
    void setLevel(int i, boolean high) {
        if (high && level[i] == 0 && edge[i] != 0) {
            pending[i] = 1;
        }
        level[i] = (byte) (high ? 1 : 0);
    }

    /** Bit {@code bit} of the 32 (or fewer) interrupts from {@code first}, as the set/clear registers show. */
    int bits(byte[] a, int cpu, int first) {
        int v = 0;
        for (int b = 0; b < 32 && first + b < limit(); b++) {
            if (a[index(cpu, first + b)] != 0) {
                v |= 1 << b;
            }
        }
        return v;
    }

    int pendingBits(int cpu, int first) {
        int v = 0;
        for (int b = 0; b < 32 && first + b < limit(); b++) {
            if (isPending(index(cpu, first + b))) {
                v |= 1 << b;
            }
        }
        return v;
    }

    /** Sets (value true) or clears the flags of the interrupts whose bit is set in {@code mask}. */
    void change(byte[] a, int cpu, int first, int mask, boolean value) {
        for (int b = 0; b < 32 && first + b < limit(); b++) {
            if ((mask & 1 << b) != 0) {
                a[index(cpu, first + b)] = (byte) (value ? 1 : 0);
            }
        }
    }

    /** GICD_ICFGR: two bits per interrupt, bit 1 of each set for edge. */
    int config(int cpu, int first) {
        int v = 0;
        for (int k = 0; k < 16 && first + k < limit(); k++) {
            if (edge[index(cpu, first + k)] != 0) {
                v |= 2 << 2 * k;
            }
        }
        return v;
    }

    void setConfig(int cpu, int first, int value) {
        for (int k = 0; k < 16 && first + k < limit(); k++) {
            if (first + k >= 16) { // SGIs are always edge-triggered
                edge[index(cpu, first + k)] = (byte) (value >>> 2 * k + 1 & 1);
            }
        }
    }

    void save(StateWriter out) {
        out.putInt("cpus", cpus).putInt("spis", spis);
        out.putBytes("enabled", enabled).putBytes("pending", pending).putBytes("active", active)
                .putBytes("level", level).putBytes("group", group).putBytes("edge", edge)
                .putInts("priority", priority);
    }

    /** @throws StateException when the state is of a GIC with other CPUs or SPIs (its banks would not line up) */
    void load(StateReader in) {
        int savedCpus = in.getInt("cpus"), savedSpis = in.getInt("spis");
        if (savedCpus != cpus || savedSpis != spis) {
            throw new StateException("gic: state of " + savedCpus + " CPUs and " + savedSpis + " SPIs, this GIC has "
                    + cpus + " and " + spis);
        }
        copy(in.getBytes("enabled"), enabled);
        copy(in.getBytes("pending"), pending);
        copy(in.getBytes("active"), active);
        copy(in.getBytes("level"), level);
        copy(in.getBytes("group"), group);
        copy(in.getBytes("edge"), edge);
        int[] p = in.getInts("priority");
        java.util.Arrays.fill(priority, 0);
        System.arraycopy(p, 0, priority, 0, Math.min(p.length, priority.length));
    }

    static void copy(byte[] src, byte[] dst) {
        java.util.Arrays.fill(dst, (byte) 0);
        System.arraycopy(src, 0, dst, 0, Math.min(src.length, dst.length));
    }
}
