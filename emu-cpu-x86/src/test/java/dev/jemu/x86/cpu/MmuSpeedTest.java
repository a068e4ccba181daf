package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The TLB hit path's cost, measured without JMH: 64-bit loads and stores through {@link Mmu} over 64 KiB of
 * 4 KiB pages in long mode (all TLB hits after the first pass). Prints ns per access; asserts the data.
 * {@code -Djemu.mmu.speed.rounds=N} runs longer.
 */
class MmuSpeedTest {
    @Test
    void tlbHitsAreCheap() {
        MmuRig r = new MmuRig().longMode();
        long base = 0xffff_c900_0000_0000L;
        int pages = 16;
        for (int i = 0; i < pages; i++) {
            r.map4k(base + i * 4096L, 0x20_0000 + i * 4096L, MmuRig.RW | MmuRig.G);
        }
        int rounds = Integer.getInteger("jemu.mmu.speed.rounds", 300);
        long sum = 0;
        long best = Long.MAX_VALUE;
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            for (long off = 0; off < pages * 4096L; off += 8) {
                r.mmu.write64(base + off, off);
            }
            for (long off = 0; off < pages * 4096L; off += 8) {
                sum += r.mmu.read64(base + off);
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        long accesses = 2L * pages * 4096 / 8;
        System.out.printf("MmuSpeedTest: %.2f ns per TLB-hit access (best of %d rounds of %d accesses, RawMemory %s)%n",
                (double) best / accesses, rounds, accesses, dev.jemu.core.memory.RawMemory.ENABLED ? "on" : "off");
        long words = pages * 4096L / 8;
        assertEquals(rounds * (words * (words - 1) / 2 * 8), sum);
    }
}
