package dev.jemu.core.control;

import java.util.List;

/**
 * What a board tells and does for its monitors, beyond the run control that {@link MachineControl} does itself.
 * Every method runs on the machine-loop thread (the control posts there), with the CPUs stopped between
 * instructions.
 */
public interface ControlledBoard {
    /** One CPU as {@code query-cpus-fast} lists it. */
    record CpuInfo(int index, String qomPath, String target, long threadId) {
    }

    /** One block device as {@code query-block} and {@code info block} list it. */
    record BlockInfo(String device, String file, String format, boolean readOnly, String cacheMode,
                     String attachedTo, long virtualSize) {
    }

    List<CpuInfo> cpus();

    List<BlockInfo> blocks();

    /** The CPU's registers as QEMU's {@code info registers} prints them ({@code \n} line ends). */
    String registerDump(int cpu);

    /**
     * Reads guest memory for a debugger or monitor: page tables are walked without setting A/D bits or
     * faulting; device registers are read as a load would read them (as QEMU's {@code xp} does). {@code physical}: a guest-physical
     * address; otherwise a virtual one through the CPU's current translation. Returns the bytes read before the
     * first inaccessible one.
     */
    int readMemory(int cpu, long addr, byte[] into, boolean physical);

    /** A CPU register by name ("pc", "sp", "a0", ...) for monitor expressions such as {@code x/4x $sp}; null if unknown. */
    Long register(int cpu, String name);

    /** The power button ({@code system_powerdown}): whatever the board wires to it (possibly nothing). */
    void powerButton();

    /** QEMU's {@code info network} text ({@code \n} line ends; empty without a network). */
    default String networkInfo() {
        return "";
    }

    /** {@code set_link NAME on|off} on a NIC or netdev; false when none has that name. */
    default boolean setLink(String name, boolean up) {
        return false;
    }

    /** The CPUs as a debugger sees them (the gdb stub), in CPU index order; empty when the board has none. */
    default List<dev.jemu.core.gdb.DebugCpu> debugCpus() {
        return List.of();
    }
}
