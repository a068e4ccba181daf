package dev.jemu.cli.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** query-migrate's socket-address and info migrate's socket URIs, spelled as QEMU 7.2 spells them. */
class QmpMigrationCommandsTest {
    @Test
    void addressesAreNumericAsGetnameinfoWritesThem() throws Exception {
        for (String[] c : new String[][] {{"::1", "::1"}, {"::", "::"}, {"fe80::1:0:0:2", "fe80::1:0:0:2"},
                {"1:0:0:2:0:0:0:3", "1:0:0:2::3"}, {"1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"}, {"1::", "1::"},
                {"127.0.0.1", "127.0.0.1"}, {"0.0.0.0", "0.0.0.0"}}) {
            assertEquals(c[1], QmpMigrationCommands.numericHost(InetAddress.getByName(c[0])), c[0]);
        }
    }

    @Test
    void socketAddressesHaveQemusMembers() throws Exception {
        assertEquals(Map.of("port", "4444", "ipv6", true, "host", "::1", "type", "inet"),
                QmpMigrationCommands.socketAddress(new InetSocketAddress(InetAddress.getByName("::1"), 4444)));
        assertEquals("[port, ipv4, host, type]", QmpMigrationCommands.socketAddress(
                new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 1)).keySet().toString());
        assertEquals(Map.of("path", "/tmp/m.sock", "type", "unix"),
                QmpMigrationCommands.socketAddress(UnixDomainSocketAddress.of("/tmp/m.sock")));
        assertEquals("tcp:::1:4444", QmpMigrationCommands.socketUri(new InetSocketAddress(InetAddress.getByName("::1"), 4444)));
        assertEquals("unix:/tmp/m.sock", QmpMigrationCommands.socketUri(UnixDomainSocketAddress.of("/tmp/m.sock")));
    }
}
