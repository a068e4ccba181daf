package dev.jemu.core.gdb;

/**
 * Why a CPU stopped for the debugger. {@code address} is the breakpoint's or the watched range's start.
 */
public record StopReason(Kind kind, int cpu, long address) {
    public enum Kind { SOFTWARE_BREAKPOINT, HARDWARE_BREAKPOINT, STEP, WRITE_WATCH, READ_WATCH, ACCESS_WATCH }
}
