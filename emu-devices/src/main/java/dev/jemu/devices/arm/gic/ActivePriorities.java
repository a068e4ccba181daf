package dev.jemu.devices.arm.gic;

/**
 * A CPU interface's active priority registers (GICC_APRn/GICC_NSAPRn, ICC_AP0Rn/ICC_AP1Rn): one bit per
 * preemption level per group, set when an interrupt is acknowledged and the lowest set bit cleared by a
 * priority drop (EOI). The running priority is the group priority of the lowest set bit across groups.
 */
final class ActivePriorities {
    /** The running priority when nothing is active (above every real priority). */
    static final int IDLE = 0x100;

    /** [group 0/1][register 0..3] */
    final int[][] apr = new int[2][4];
    /** Group priority = preemption level << shift (GICv2: 1, GICv3 with 5 priority bits: 3). */
    private final int shift;

    ActivePriorities(int shift) {
        this.shift = shift;
    }

    void reset() {
        for (int[] a : apr) {
            java.util.Arrays.fill(a, 0);
        }
    }

    void activate(int group, int groupPriority) {
        int level = (groupPriority & 0xff) >>> shift;
        apr[group][level >>> 5] |= 1 << (level & 31);
    }

    int running() {
        for (int i = 0; i < 4; i++) {
            int a = apr[0][i] | apr[1][i];
            if (a != 0) {
                return (i * 32 + Integer.numberOfTrailingZeros(a)) << shift;
            }
        }
        return IDLE;
    }

    /** The group of the highest priority active interrupt, or -1 if none. */
    int highestGroup() {
        for (int i = 0; i < 4; i++) {
            int g0 = Integer.numberOfTrailingZeros(apr[0][i]), g1 = Integer.numberOfTrailingZeros(apr[1][i]);
            if (g1 < g0) {
                return 1;
            }
            if (g0 < 32) {
                return 0;
            }
        }
        return -1;
    }

    /** Priority drop: clears the group's highest priority active bit. */
    void drop(int group) {
        for (int i = 0; i < 4; i++) {
            if (apr[group][i] != 0) {
                apr[group][i] &= apr[group][i] - 1;
                return;
            }
        }
    }

    boolean any() {
        return running() != IDLE;
    }

    int[] flat() {
        int[] f = new int[8];
        System.arraycopy(apr[0], 0, f, 0, 4);
        System.arraycopy(apr[1], 0, f, 4, 4);
        return f;
    }

    void load(int[] f) {
        reset();
        for (int k = 0; k < Math.min(8, f.length); k++) {
            apr[k >> 2][k & 3] = f[k];
        }
    }
}
