package dev.jemu.x86.cpu;

import dev.jemu.core.memory.BusError;

/**
 * Linear to physical translation and memory access (owner: the MMU work). Skeleton: no paging yet (linear =
 * physical), every access through the bus; an access nothing answers is a #GP(0) for now.
 */
public final class Mmu {
    private final X86Cpu c;

    Mmu(X86Cpu c) {
        this.c = c;
    }

    public void flushTlb() {
    }

    // ---------------------------------------------------------------- x86sys stubs: the MMU work's methods of the
    // same names replace this block on merge (the system ops call them)

    /** INVLPG: drops the translation of {@code linear}. */
    public void invlpg(long linear) {
        flushTlb();
    }

    /** Implicit supervisor-mode reads (GDT, LDT, IDT, TSS) whatever the CPL; {@code size} in bytes. */
    public long readSupervisor(long la, int size) {
        return load(la, size);
    }

    /** Implicit supervisor-mode writes (accessed/busy bits, interrupt frames on a new stack) whatever the CPL. */
    public void writeSupervisor(long la, int size, long v) {
        store(la, size, v);
    }

    /** MOV to CR0 after the caller's checks. */
    public void writeCr0(long v) {
        c.cr0 = v;
        flushTlb();
    }

    /** MOV to CR3. */
    public void writeCr3(long v) {
        c.cr3 = v;
        flushTlb();
    }

    /** MOV to CR4 after the caller's checks. */
    public void writeCr4(long v) {
        c.cr4 = v;
        flushTlb();
    }

    /** EFER changed (LMA set or cleared with paging). */
    public void setEfer(long v) {
        c.efer = v;
        flushTlb();
    }

    // ---------------------------------------------------------------- end of x86sys stubs

    /** An instruction byte at a linear address (fetch permission checks included). */
    public long fetch8(long linear) {
        return load(linear, 1);
    }

    public long read8(long linear) {
        return load(linear, 1);
    }

    public long read16(long linear) {
        return load(linear, 2);
    }

    public long read32(long linear) {
        return load(linear, 4);
    }

    public long read64(long linear) {
        return load(linear, 8);
    }

    public void write8(long linear, long v) {
        store(linear, 1, v);
    }

    public void write16(long linear, long v) {
        store(linear, 2, v);
    }

    public void write32(long linear, long v) {
        store(linear, 4, v);
    }

    public void write64(long linear, long v) {
        store(linear, 8, v);
    }

    private long load(long linear, int size) {
        try {
            return c.bus.read(linear, size);
        } catch (BusError e) {
            throw c.fault(Vectors.GP, 0);
        }
    }

    private void store(long linear, int size, long v) {
        try {
            c.bus.write(linear, size, v);
        } catch (BusError e) {
            throw c.fault(Vectors.GP, 0);
        }
    }
}
