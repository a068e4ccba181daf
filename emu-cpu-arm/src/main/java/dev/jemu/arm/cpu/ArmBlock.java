package dev.jemu.arm.cpu;

/**
 * A hot straight-line run of decoded ops compiled by {@link ArmJit} into one JVM hidden class. {@link #run}
 * executes its ops in order exactly as the interpreter would (c.pc and c.npc set around each), stopping after
 * an op that ends the block ({@link ArmCpu#endBlock}); it returns how many ops ran, and the next pc is
 * {@code c.npc}. An exception leaves c.pc at the faulting instruction, so the ops before it are
 * {@code (c.pc - pc) / 4}.
 */
abstract class ArmBlock {
    /** Ops in the block: the run loop enters it only when its budget has room for all of them. */
    final int length;

    ArmBlock(int length) {
        this.length = length;
    }

    /** Runs the block entered at guest {@code pc} (blocks are position-independent). */
    abstract int run(ArmCpu c, long pc);
}
