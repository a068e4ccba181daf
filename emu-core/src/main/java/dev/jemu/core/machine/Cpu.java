package dev.jemu.core.machine;

import dev.jemu.core.state.Stateful;

/** One CPU (hart) as the machine loop drives it. */
public interface Cpu extends Stateful {
    /**
     * Executes up to {@code budget} instructions and returns how many retired. Returns early when the CPU
     * halts (WFI with no interrupt pending) or when {@link MachineLoop#attention()} is set.
     */
    long run(long budget);

    /** True while waiting for an interrupt: the loop then sleeps until a timer or an event. */
    boolean isHalted();

    void reset();
}
