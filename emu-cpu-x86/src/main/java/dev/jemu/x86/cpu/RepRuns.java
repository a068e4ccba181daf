package dev.jemu.x86.cpu;

import dev.jemu.core.memory.RawMemory;

/**
 * The bulk path of REP MOVS and REP STOS (Linux clears and copies pages with them, and copies to and from user
 * memory): the elements that lie inside one page of the destination (and one of the source) run as one host copy or
 * fill, after one translation per page ({@link Mmu#runHost}: the same checks, A/D bits and faults as the run's first
 * element, the dirty log and the decoded-code watch for the stores). The result is the element-by-element one:
 * overlapping source and destination are copied element by element in the direction's order (so a MOVS whose
 * destination is just above its source repeats the pattern, as on hardware), and a run never wraps the address
 * register at the address size. A fault on a page leaves the registers as of the runs before it, as a fault of the
 * page's first element would; a run that cannot go in bulk (an element across the page end, MMIO, ROM, unassigned
 * memory) is left to {@link StringOps}'s element path.
 */
@SuppressWarnings({"removal", "deprecation"}) // RawMemory's Unsafe, as the TLB hits use it
final class RepRuns {
    private RepRuns() {
    }

    private static final sun.misc.Unsafe U = RawMemory.U;

    /**
     * Runs at most {@code max} (at least 1) of the {@code n} (unsigned, not 0) elements left of a REP MOVS
     * ({@code movs}) or REP STOS of {@code s} bits at address size {@code as}, source segment {@code seg}, in one
     * page run; updates rSI and rDI (not rCX). Returns the elements done: 0 when the next element must go alone.
     */
    static long run(X86Cpu c, boolean movs, int s, int as, int seg, long n, long max) {
        int bytes = s >>> 3;
        boolean down = c.df;
        long di = Alu.get(c, X86Cpu.RDI, as);
        long laD = c.linear(X86Cpu.ES, di);
        long k = Long.compareUnsigned(n, max) < 0 ? n : max;
        k = Math.min(k, room(laD, di, as, bytes, down));
        long si = 0, laS = 0;
        if (movs) {
            si = Alu.get(c, X86Cpu.RSI, as);
            laS = c.linear(seg, si);
            k = Math.min(k, room(laS, si, as, bytes, down));
        }
        if (k <= 0) {
            return 0;
        }
        int len = (int) k * bytes;
        int span = down ? len - bytes : 0; // from the first element to the run's lowest byte
        long hS = 0;
        if (movs && (hS = c.mmu.runHost(laS, (int) (laS & 0xfff) - span, len, false)) == 0) {
            return 0;
        }
        long hD = c.mmu.runHost(laD, (int) (laD & 0xfff) - span, len, true);
        if (hD == 0) {
            return 0;
        }
        if (movs) {
            copy(hS, hD, k, bytes, down, len, span);
        } else {
            fill(hD - span, len, bytes, Alu.get(c, X86Cpu.RAX, s));
        }
        long delta = down ? -(long) len : len;
        Alu.set(c, X86Cpu.RDI, as, di + delta);
        if (movs) {
            Alu.set(c, X86Cpu.RSI, as, si + delta);
        }
        return k;
    }

    /**
     * How many elements from offset {@code off} (linear {@code la}) fit in la's page going up (or down) without the
     * offset wrapping at the address size.
     */
    private static long room(long la, long off, int as, int bytes, boolean down) {
        int at = (int) (la & 0xfff);
        if (at + bytes > 4096) {
            return 0; // the first element crosses into the next page
        }
        if (down) {
            long n = at / bytes + 1;
            return as == 64 ? n : Math.min(n, off / bytes + 1);
        }
        long n = (4096 - at) / bytes;
        return as == 64 ? n : Math.min(n, ((1L << as) - off) / bytes);
    }

    /** MOVS: k elements from host hS to hD (the first elements; down: the run goes to lower addresses). */
    private static void copy(long hS, long hD, long k, int bytes, boolean down, int len, int span) {
        long lowS = hS - span, lowD = hD - span;
        if (Math.abs(lowD - lowS) >= len) {
            U.copyMemory(lowS, lowD, len);
            return;
        }
        long step = down ? -bytes : bytes; // overlapping: each element reads what the ones before it wrote
        for (long i = 0, d = 0; i < k; i++, d += step) {
            switch (bytes) {
                case 1 -> U.putByte(hD + d, U.getByte(hS + d));
                case 2 -> U.putShort(hD + d, U.getShort(hS + d));
                case 4 -> U.putInt(hD + d, U.getInt(hS + d));
                default -> U.putLong(hD + d, U.getLong(hS + d));
            }
        }
    }

    /** STOS: {@code len} bytes from host {@code low} filled with the element value {@code v}. */
    private static void fill(long low, int len, int bytes, long v) {
        if (Alu.trunc(0x0101_0101_0101_0101L * (v & 0xff), bytes * 8) == v) {
            U.setMemory(low, len, (byte) v); // one repeated byte (zero: clear_page)
            return;
        }
        for (int i = 0; i < len; i += bytes) {
            switch (bytes) {
                case 2 -> U.putShort(low + i, (short) v);
                case 4 -> U.putInt(low + i, (int) v);
                default -> U.putLong(low + i, v);
            }
        }
    }
}
