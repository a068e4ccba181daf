package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A full TLB flush clears the entries the fill log names: every valid entry must be among them, for a new hart
 * (whose arrays held zeros), after a few fills, and after the log overflowed (then the flush visits every index).
 */
class TlbFillLogTest {
    static void assertEmpty(Hart h, String when) {
        for (int i = 0; i < Hart.TLB_SIZE; i++) {
            assertEquals(-1, h.ftag[i], when + ": fetch entry " + i);
            assertEquals(-1, h.ltag[i], when + ": load entry " + i);
            assertEquals(-1, h.stag[i], when + ": store entry " + i);
        }
    }

    static void fill(Hart h, long pa) {
        h.storeSlow(pa, 8, h.loadSlow(pa, 8, RAM_BASE), RAM_BASE);
    }

    @Test
    void aFullFlushEmptiesEveryFilledEntry() {
        TestRig rig = new TestRig();
        Hart h = rig.hart;
        h.run(0); // picks the RAM region
        assertEmpty(h, "new hart");
        for (long pa = RAM_BASE; pa < RAM_BASE + RAM_SIZE; pa += 4096 * 97) {
            fill(h, pa);
        }
        h.flushTlb();
        assertEmpty(h, "after a few fills");
        // every fill after a page flush logs the index again: more than the log holds
        for (int k = 0; k < Hart.TLB_SIZE; k++) {
            fill(h, RAM_BASE + 0x3000);
            h.flushTlbPage(RAM_BASE + 0x3000);
        }
        for (long pa = RAM_BASE; pa < RAM_BASE + RAM_SIZE; pa += 4096 * 13) {
            fill(h, pa);
        }
        h.flushTlb();
        assertEmpty(h, "after the log overflowed");
        fill(h, RAM_BASE + 0x5000);
        h.flushTlb();
        assertEmpty(h, "after a fill following the overflow");
    }
}
