package dev.jemu.core.irq;

/**
 * A device's interrupt output that drives its line only when the level changes. The device computes its
 * level after every change of its state and calls {@link #set}; the controller at the other end sees each
 * change once. After a state load, when the other end may hold anything, {@link #force} drives the line
 * whatever the cached level.
 */
public final class CachedIrqLine implements IrqLine {
    private final IrqLine line;
    private boolean level;

    /** Starts low, as the line is taken to be at power-on. */
    public CachedIrqLine(IrqLine line) {
        this.line = line;
    }

    @Override
    public void set(boolean l) {
        if (l != level) {
            level = l;
            line.set(l);
        }
    }

    /** Drives the line to {@code l} even if that is the level it is thought to have. */
    public void force(boolean l) {
        level = l;
        line.set(l);
    }

    /** The level last driven. */
    public boolean level() {
        return level;
    }
}
