package dev.jemu.riscv.cpu;

import java.util.List;

/**
 * The harts of one machine, by hart id, and what one of them may ask of the others: the built-in SBI's IPI,
 * RFENCE and HSM calls go through here (the ACLINT and PLIC reach harts through their own IRQ lines). Every
 * method is safe from any hart's thread; see {@link Hart}'s "other harts" section for how requests act.
 */
public final class HartGroup {
    private final List<Hart> harts;

    public HartGroup(List<Hart> harts) {
        for (int i = 0; i < harts.size(); i++) {
            if (harts.get(i).hartId() != i) {
                throw new IllegalArgumentException("hart " + i + " has id " + harts.get(i).hartId());
            }
        }
        this.harts = List.copyOf(harts);
    }

    public int size() {
        return harts.size();
    }

    /** The hart with id {@code id}, or null if there is none. */
    public Hart hart(long id) {
        return id >= 0 && id < harts.size() ? harts.get((int) id) : null;
    }

    public List<Hart> harts() {
        return harts;
    }
}
