package dev.jemu.devices.arm.gic;

/**
 * PLACEHOLDER, replaced by the GIC branch at merge: GICv3's CPU interface (ICC_* system registers) as the
 * board adapts it to the CPU's SysRegDevice. Handles nothing.
 */
public final class GicV3CpuInterface {
    public boolean handles(int key) {
        return false;
    }

    public long read(int key) {
        return 0;
    }

    public void write(int key, long value) {
    }
}
