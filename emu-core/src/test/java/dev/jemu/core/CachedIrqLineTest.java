package dev.jemu.core;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.irq.CachedIrqLine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CachedIrqLineTest {
    @Test
    void passesOnChangesOnlyUnlessForced() {
        List<Boolean> seen = new ArrayList<>();
        CachedIrqLine line = new CachedIrqLine(seen::add);
        assertFalse(line.level());
        line.set(false);
        assertEquals(List.of(), seen, "starts low: low again is no change");
        line.set(true);
        line.set(true);
        line.raise();
        assertEquals(List.of(true), seen);
        assertTrue(line.level());
        line.lower();
        line.set(false);
        assertEquals(List.of(true, false), seen);
        line.force(false);
        line.force(true);
        assertEquals(List.of(true, false, false, true), seen);
        line.set(true);
        assertEquals(4, seen.size());
        assertTrue(line.level());
    }
}
