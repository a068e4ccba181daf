package dev.jemu.core;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.state.StateException;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateRecord;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

class StateRecordTest {
    static final class Counter implements Stateful {
        long count;
        int[] regs = new int[4];
        boolean flag;
        String label = "";

        public String stateId() { return "counter@0"; }
        public int stateVersion() { return 2; }
        public void saveState(StateWriter out) {
            out.putLong("count", count).putInts("regs", regs).putBoolean("flag", flag).putString("label", label);
        }
        public void loadState(StateReader in) {
            count = in.getLong("count");
            regs = in.getInts("regs");
            flag = in.getBoolean("flag", false);
            label = in.version() >= 2 ? in.getString("label") : "v1";
        }
    }

    @Test
    void roundTripsThroughBytes() throws Exception {
        Counter a = new Counter();
        a.count = -5;
        a.regs = new int[] {1, 2, 3, 4};
        a.flag = true;
        a.label = "x";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateRecord.of(a).writeTo(new DataOutputStream(bytes));
        StateRecord r = StateRecord.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(StateRecord.of(a), r);
        Counter b = new Counter();
        r.restore(b);
        assertEquals(-5, b.count);
        assertArrayEquals(new int[] {1, 2, 3, 4}, b.regs);
        assertTrue(b.flag);
        assertEquals("x", b.label);
    }

    @Test
    void olderVersionsLoadAndNewerOnesAreRefused() {
        StateRecord v1 = new StateRecord("counter@0", 1).putLong("count", 7).putInts("regs", new int[4]);
        Counter c = new Counter();
        v1.restore(c);
        assertEquals(7, c.count);
        assertEquals("v1", c.label);
        assertThrows(StateException.class, () -> new StateRecord("counter@0", 3).restore(new Counter()));
        assertThrows(StateException.class, () -> new StateRecord("other", 1).restore(new Counter()));
        assertThrows(StateException.class, () -> new StateRecord("counter@0", 2).restore(new Counter()));
    }

    @Test
    void corruptStreamsAreRejected() {
        byte[] junk = {0, 1, 'a', 0, 0, 0, 1, 0x7f, 0, 0, 0};
        assertThrows(Exception.class,
                () -> StateRecord.readFrom(new DataInputStream(new ByteArrayInputStream(junk))));
    }
}
