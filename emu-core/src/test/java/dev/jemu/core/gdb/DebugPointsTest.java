package dev.jemu.core.gdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DebugPointsTest {
    private final List<StopReason> stops = new ArrayList<>();
    private final DebugPoints p = new DebugPoints(stops::add);

    @Test
    void breakpointsAreFoundByPageAndAddress() {
        assertFalse(p.breakpointPage(0x80000000L));
        p.addBreakpoint(0x80000ffeL, false);
        p.addBreakpoint(0x80000ffeL, true); // a software one at the same address wins
        p.addBreakpoint(0x80001000L, false);
        assertTrue(p.breakpointPage(0x80000000L));
        assertTrue(p.breakpointPage(0x80001000L));
        assertFalse(p.breakpointPage(0x80002000L));
        assertEquals(Boolean.TRUE, p.breakpointAt(0x80000ffeL));
        assertEquals(Boolean.FALSE, p.breakpointAt(0x80001000L));
        assertNull(p.breakpointAt(0x80000ffcL));
        p.removeBreakpoint(0x80000ffeL);
        assertFalse(p.breakpointPage(0x80000000L), "the page's only breakpoint is gone");
        assertTrue(p.breakpointPage(0x80001000L));
        p.clear();
        assertFalse(p.breakpointPage(0x80001000L));
    }

    @Test
    void watchpointsMatchOverlappingAccessesOfTheirKind() {
        p.addWatch(0x80002004L, 4, DebugPoints.WatchKind.WRITE);
        p.addWatch(0x80003000L, 8, DebugPoints.WatchKind.READ);
        assertTrue(p.hasWatches());
        assertTrue(p.watchesPage(0x80002000L));
        assertFalse(p.watchesPage(0x80004000L));
        assertNull(p.watchHit(0x80002004L, 4, true, false), "a read does not hit a write watchpoint");
        assertEquals(0x80002004L, p.watchHit(0x80002000L, 8, false, true).address(), "an sd covering it");
        assertNull(p.watchHit(0x80002008L, 4, false, true), "the next word");
        assertNull(p.watchHit(0x80002000L, 4, false, true), "the word before");
        assertEquals(0x80003000L, p.watchHit(0x80003007L, 1, true, true).address(), "an AMO reads too");
        p.removeWatch(0x80002004L, 4, DebugPoints.WatchKind.WRITE);
        assertNull(p.watchHit(0x80002004L, 4, false, true));
        p.stop(new StopReason(StopReason.Kind.READ_WATCH, 0, 0x80003000L));
        assertEquals(List.of(new StopReason(StopReason.Kind.READ_WATCH, 0, 0x80003000L)), stops);
    }
}
