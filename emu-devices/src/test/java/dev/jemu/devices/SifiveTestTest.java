package dev.jemu.devices;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.ExitRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SifiveTestTest {
    @Test
    void commandsBecomeExitRequests() {
        List<ExitRequest> exits = new ArrayList<>();
        SifiveTest t = new SifiveTest("test", exits::add);
        t.write(0, 4, 0x5555);
        t.write(0, 4, 0x3333 | 42 << 16);
        t.write(0, 4, 0x7777);
        t.write(0, 4, 0x1234);
        t.write(8, 4, 0x5555);
        assertEquals(List.of(ExitRequest.poweroff(0), ExitRequest.poweroff(42), ExitRequest.reset()), exits);
        assertEquals(0, t.read(0, 4));
    }
}
