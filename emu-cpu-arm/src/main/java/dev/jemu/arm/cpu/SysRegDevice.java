package dev.jemu.arm.cpu;

/**
 * A device reached through system registers rather than MMIO (GICv3's CPU interface, ICC_*): the board
 * installs it with {@link ArmCpu#setSysRegDevice}; the CPU forwards MRS/MSR of the keys it {@link #handles}.
 */
public interface SysRegDevice {
    boolean handles(int key);

    long read(int key);

    void write(int key, long value);
}
