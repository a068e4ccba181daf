package dev.jemu.core.machine;

import dev.jemu.core.memory.AddressSpace;

/** A built, loaded machine. */
public interface Machine extends AutoCloseable {
    /** Runs the guest until it powers off (or the user quits); returns the process exit status. */
    int run();

    /** Writes every open drive's data out to its image (Ctrl-A s). Machine-loop thread. */
    default void flushDisks() {
    }

    /** Ends {@link #run} with {@code status} as soon as possible (a signal, the user quitting). Any thread. */
    default void quit(int status) {
    }

    /**
     * The physical address space: RAM, ROM and every device window (name, base, size), whatever the
     * architecture. Tools and the device fuzzer walk it, so every board should expose it.
     */
    default AddressSpace addressSpace() {
        throw new UnsupportedOperationException(getClass().getName() + " does not expose its address space");
    }

    /**
     * The I/O port space (x86: 64 KiB of ports, each device an {@code MmioDevice} at its port, reached by IN/OUT of
     * 1, 2 or 4 bytes), or null on a board without one. The device fuzzer fuzzes its windows too.
     */
    default AddressSpace ioPorts() {
        return null;
    }

    /** The loop running this machine's CPUs, devices, timers and posted work. */
    default MachineLoop loop() {
        throw new UnsupportedOperationException(getClass().getName() + " does not expose its machine loop");
    }

    /**
     * The run control monitors use (pause, resume, reset, quit, events); one per machine, created with it. Every
     * board has one; only a stand-in machine (a test's lambda) may return null, and then gets no monitor.
     */
    default dev.jemu.core.control.MachineControl control() {
        return null;
    }

    @Override
    default void close() {
    }
}
