package dev.jemu.arm.cpu;

import dev.jemu.core.memory.BusError;

/**
 * Address translation and data access for one {@link ArmCpu}: the VMSAv8-64 stage-1 walk, the TLBs, alignment
 * and permission checks, and the aborts they raise.
 *
 * <p>Placeholder: translation off (VA = PA), no TLB; the MMU work replaces the inside and keeps the API.
 */
public final class Mmu {
    private final ArmCpu c;

    Mmu(ArmCpu c) {
        this.c = c;
    }

    /** Loads {@code size} (1, 2, 4, 8) bytes at virtual {@code va}, zero-extended; aborts are thrown. */
    public long read(long va, int size) {
        long pa = va;
        try {
            return c.bus.read(pa, size);
        } catch (BusError e) {
            throw dataAbort(va, false);
        }
    }

    public void write(long va, int size, long value) {
        long pa = va;
        if (c.code.hasCode(pa)) {
            c.codeWritten(pa);
        }
        try {
            c.bus.write(pa, size, value);
        } catch (BusError e) {
            throw dataAbort(va, true);
        }
    }

    /** LDTR/STTR and friends: the access as EL0 would make it (at EL0, or at EL1 as if from EL0). */
    public long readUnprivileged(long va, int size) {
        return read(va, size);
    }

    public void writeUnprivileged(long va, int size, long value) {
        write(va, size, value);
    }

    /** An alignment fault (DFSC 0b100001) at {@code va}: {@code throw c.mmu.alignmentFault(va, write);}. */
    public ArmException alignmentFault(long va, boolean write) {
        c.excFar = va;
        c.excFarValid = true;
        return c.syncException(c.el == 0 ? Syndrome.EC_DABT_LOWER : Syndrome.EC_DABT_SAME,
                0x21 | (write ? 1 << 6 : 0));
    }

    /** The physical address of an instruction fetch at {@code va}. */
    long translateFetch(long va) {
        return va;
    }

    ArmException fetchBusFault(long va) {
        c.excFar = va;
        c.excFarValid = true;
        return c.syncException(c.el == 0 ? Syndrome.EC_IABT_LOWER : Syndrome.EC_IABT_SAME, 0x10);
    }

    private ArmException dataAbort(long va, boolean write) {
        c.excFar = va;
        c.excFarValid = true;
        return c.syncException(c.el == 0 ? Syndrome.EC_DABT_LOWER : Syndrome.EC_DABT_SAME,
                0x10 | (write ? 1 << 6 : 0));
    }

    public void flushTlb() {
    }
}
