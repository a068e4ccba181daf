package dev.jemu.core;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.time.Timer;
import dev.jemu.core.time.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualClockTest {
    @Test
    void instructionCountTimeIsDeterministicAndTimersFireInOrder() {
        VirtualClock c = VirtualClock.instructionCount(2);
        List<String> fired = new ArrayList<>();
        Timer a = c.newTimer("a", () -> fired.add("a"));
        Timer b = c.newTimer("b", () -> fired.add("b"));
        a.armAt(100);
        b.armAt(40);
        c.addInstructions(10);
        assertEquals(40, c.nanos());
        assertEquals(1, c.runExpired());
        assertEquals(List.of("b"), fired);
        assertEquals(100, c.nextDeadline());
        a.armAt(200);
        c.addInstructions(15);
        assertEquals(0, c.runExpired());
        c.setNanos(200);
        assertEquals(1, c.runExpired());
        assertEquals(List.of("b", "a"), fired);
        assertEquals(Long.MAX_VALUE, c.nextDeadline());
        b.armAt(300);
        b.cancel();
        assertFalse(b.isArmed());
        assertEquals(Long.MAX_VALUE, c.nextDeadline());
    }
}
