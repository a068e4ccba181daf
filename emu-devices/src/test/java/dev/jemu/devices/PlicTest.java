package dev.jemu.devices;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.state.StateRecord;
import org.junit.jupiter.api.Test;

class PlicTest {
    boolean meip, seip;
    final Plic plic = new Plic("plic", 96, l -> meip = l, l -> seip = l);

    void w(int off, int v) {
        plic.write(off, 4, v);
    }

    int r(int off) {
        return (int) plic.read(off, 4);
    }

    static final int S_ENABLE = Plic.ENABLE_BASE + Plic.ENABLE_STRIDE;
    static final int S_THRESHOLD = Plic.CONTEXT_BASE + Plic.CONTEXT_STRIDE, S_CLAIM = S_THRESHOLD + 4;

    @Test
    void claimsHighestPriorityThenLowestId() {
        IrqLine uart = plic.input(10), virtio1 = plic.input(1), virtio2 = plic.input(2);
        w(4 * 10, 1);
        w(4 * 1, 5);
        w(4 * 2, 5);
        assertEquals(5, r(4));
        w(S_ENABLE, 1 << 10 | 1 << 1 | 1 << 2 | 1);
        assertEquals(1 << 10 | 1 << 1 | 1 << 2, r(S_ENABLE), "source 0 cannot be enabled");
        uart.raise();
        virtio2.raise();
        virtio1.raise();
        assertEquals(1 << 10 | 1 << 2 | 1 << 1, r(Plic.PENDING_BASE));
        assertTrue(seip);
        assertFalse(meip, "M context enables nothing");
        assertEquals(1, r(S_CLAIM));
        assertEquals(2, r(S_CLAIM));
        assertEquals(10, r(S_CLAIM));
        assertEquals(0, r(S_CLAIM));
        assertFalse(seip);
        virtio1.lower();
        w(S_CLAIM, 1);
        assertFalse(seip, "completed and no longer asserted");
        w(S_CLAIM, 10);
        assertTrue(seip, "still asserted after completion: pending again");
        assertEquals(10, r(S_CLAIM));
    }

    @Test
    void thresholdAndPriorityZeroMask() {
        IrqLine s = plic.input(5);
        w(S_ENABLE, 1 << 5);
        s.raise();
        assertFalse(seip, "priority 0 never interrupts");
        w(4 * 5, 3);
        assertTrue(seip);
        w(S_THRESHOLD, 3);
        assertEquals(3, r(S_THRESHOLD));
        assertFalse(seip, "priority must exceed the threshold");
        assertEquals(0, r(S_CLAIM));
        w(S_THRESHOLD, 2);
        assertTrue(seip);
        s.lower();
        assertTrue(seip, "a request stays pending until claimed, even when its line drops");
        assertEquals(5, r(S_CLAIM));
        assertFalse(seip, "claimed");
    }

    @Test
    void mContextIsIndependent() {
        IrqLine s = plic.input(3);
        w(4 * 3, 1);
        w(Plic.ENABLE_BASE, 1 << 3);
        s.raise();
        assertTrue(meip);
        assertFalse(seip);
        assertEquals(3, r(Plic.CONTEXT_BASE + 4));
        assertFalse(meip);
    }

    @Test
    void stateRoundTrips() {
        IrqLine s = plic.input(7);
        w(4 * 7, 2);
        w(S_ENABLE, 1 << 7);
        s.raise();
        StateRecord rec = StateRecord.of(plic);
        boolean[] out = new boolean[2];
        Plic p2 = new Plic("plic", 96, l -> out[0] = l, l -> out[1] = l);
        rec.restore(p2);
        assertTrue(out[1]);
        assertEquals(7, p2.read(S_CLAIM, 4));
    }
}
