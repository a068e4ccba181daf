package dev.jemu.cli.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.machine.ConfigException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class MonitorSpecTest {
    @Test
    void qemusSpellings() throws ConfigException {
        List<MonitorSpec> s = MonitorSpec.parse(List.of("unix:/tmp/q.sock,server=on,wait=off", "tcp:127.0.0.1:4444,server,nowait"),
                List.of("unix:/tmp/h.sock,server,wait=off", "none"), List.of("chardev=c0,mode=control"),
                List.of("socket,id=c0,host=localhost,port=5555,server=on,wait=off"));
        assertEquals(4, s.size());
        assertEquals(UnixDomainSocketAddress.of("/tmp/q.sock"), s.get(0).address());
        assertTrue(s.get(0).qmp());
        assertFalse(s.get(0).waitForClient());
        assertEquals(4444, ((InetSocketAddress) s.get(1).address()).getPort());
        assertFalse(s.get(2).qmp());
        assertEquals(5555, ((InetSocketAddress) s.get(3).address()).getPort());
        assertTrue(s.get(3).qmp());
        assertTrue(MonitorSpec.parse(List.of("unix:/tmp/q.sock,server=on"), List.of(), List.of(), List.of()).get(0).waitForClient(),
                "QEMU waits for a client unless wait=off");
    }

    @Test
    void oneLineErrors() {
        for (String bad : List.of("foo", "unix:/tmp/q.sock", "tcp:1.2.3.4:99999,server=on", "unix:/x,server=maybe",
                "tcp:nohost,server=on", "unix:/x,server=on,bogus=1")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> MonitorSpec.parse(List.of(bad), List.of(), List.of(), List.of()));
            assertTrue(e.getMessage().startsWith("-qmp " + bad + ": "), e.getMessage());
        }
        assertEquals("-mon chardev=x: chardev \"x\" not found", assertThrows(ConfigException.class,
                () -> MonitorSpec.parse(List.of(), List.of(), List.of("chardev=x"), List.of())).getMessage());
    }
}
