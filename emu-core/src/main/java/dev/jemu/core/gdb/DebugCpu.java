package dev.jemu.core.gdb;

/**
 * One CPU as a debugger sees it; each CPU module implements it (riscv64: {@code dev.jemu.riscv.cpu.HartGdb}).
 * Registers are numbered as the CPU's target description numbers them; values are in the target's byte order.
 * Every method runs on the machine-loop thread with the CPUs stopped at an instruction boundary.
 */
public interface DebugCpu {
    /**
     * A file of the target description: {@code target.xml} and the files it includes, by name; null when there
     * is no such file.
     */
    String targetDescription(String annex);

    /** How many registers (numbers 0 to n-1) the {@code g} packet carries. */
    int generalRegisterCount();

    /** The program counter's register number ({@code c ADDR} / {@code s ADDR} resume there). */
    int pcRegister();

    /** Register {@code n}'s value, or null when the CPU has no such register. */
    byte[] readRegister(int n);

    /** Writes register {@code n}; false when the CPU has no such register or {@code value} has the wrong size. */
    boolean writeRegister(int n, byte[] value);

    /**
     * Reads guest memory at a virtual address through the CPU's current translation, as a debugger does: no
     * fault raised, no accessed/dirty bit set, physical addresses while translation is off; RAM and ROM only.
     * Returns how many bytes were read before the first inaccessible one.
     */
    int readMemory(long addr, byte[] into, int len);

    /** Writes guest memory as {@link #readMemory} reads it (ROM too, as a debugger may); returns bytes written. */
    int writeMemory(long addr, byte[] from, int len);

    /**
     * The debugger's breakpoints and watchpoints apply to this CPU from now on ({@code points} non-null), or no
     * longer (null: the CPU checks nothing and runs at full speed). Also called after every change of the set,
     * so the CPU can drop what it cached (translated code, TLB entries of watched pages).
     */
    void attachDebugger(DebugPoints points, int cpuIndex);

    /** The next resume runs exactly one instruction (an exception it raises is taken), then stops. */
    void setSingleStep(boolean on);
}
