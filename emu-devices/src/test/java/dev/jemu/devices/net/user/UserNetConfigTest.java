package dev.jemu.devices.net.user;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.ConfigException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code -netdev user} options: QEMU 7.2's defaults, derived addresses and error texts. */
class UserNetConfigTest {
    static UserNetConfig parse(String... options) throws ConfigException {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            list.add(new AbstractMap.SimpleEntry<>(o.substring(0, eq), o.substring(eq + 1)));
        }
        return UserNetConfig.parse(list);
    }

    static String error(String... options) {
        return assertThrows(ConfigException.class, () -> parse(options)).getMessage();
    }

    @Test
    void defaultsAreQemus() throws Exception {
        UserNetConfig c = parse("id=n0");
        assertEquals(0x0a000200, c.network());
        assertEquals(0xffffff00, c.mask());
        assertEquals(0x0a000202, c.host());
        assertEquals(0x0a000203, c.dns());
        assertEquals(0x0a00020f, c.dhcpStart());
        assertFalse(c.restrict());
        assertTrue(c.hostForwards().isEmpty());
    }

    @Test
    void netDerivesHostDnsAndDhcpStart() throws Exception {
        UserNetConfig c = parse("net=192.168.100.0/24");
        assertEquals(0xc0a86402, c.host());
        assertEquals(0xc0a86403, c.dns());
        assertEquals(0xc0a8640f, c.dhcpStart());
        UserNetConfig b = parse("net=172.16.0.0/255.255.0.0", "host=172.16.9.1", "dns=172.16.9.2", "dhcpstart=172.16.9.100");
        assertEquals(0xffff0000, b.mask());
        assertEquals(0xac100901, b.host());
        assertEquals(0xac100902, b.dns());
        assertEquals(0xac100964, b.dhcpStart());
        assertEquals(0xff000000, parse("net=10.0.0.0").mask(), "classful without a mask");
    }

    @Test
    void badOptionsGiveQemusMessages() {
        assertEquals("Invalid parameter 'foo'", error("foo=1"));
        assertEquals("Failed to parse netmask", error("net=10.0.2.x"));
        assertEquals("Invalid netmask provided (must be in range 4-32)", error("net=10.0.2.0/33"));
        assertEquals("Failed to parse netmask (trailing chars)", error("net=10.0.2.0/24x"));
        assertEquals("Failed to parse host", error("host=x"));
        assertEquals("Host doesn't belong to network", error("host=10.0.3.2"));
        assertEquals("Failed to parse DNS", error("dns=1.2.3.4.5"));
        assertEquals("DNS must be different from host", error("dns=10.0.2.2"));
        assertEquals("DNS doesn't belong to network", error("restrict=on", "dns=8.8.8.8"));
        assertEquals("Failed to parse DHCP start address", error("dhcpstart=no"));
        assertEquals("DHCP doesn't belong to network", error("dhcpstart=10.0.3.15"));
        assertEquals("DHCP must be different from host and DNS", error("dhcpstart=10.0.2.2"));
        assertEquals("Parameter 'restrict' expects 'on' or 'off'", error("restrict=maybe"));
        assertEquals("IPv4 and IPv6 disabled", error("ipv4=off", "ipv6=off"));
        assertTrue(error("ipv6=on").contains("not supported"));
        assertTrue(error("tftp=/srv").contains("not supported"));
        assertEquals("'domainname' parameter cannot be empty", error("domainname="));
    }

    @Test
    void hostForwardRules() throws Exception {
        UserNetConfig c = parse("hostfwd=tcp::2222-:22", "hostfwd=udp:127.0.0.1:5353-10.0.2.20:53", "hostfwd=::8080-:80");
        assertEquals(new HostForward(false, null, 2222, 0x0a00020f, 22), c.hostForwards().get(0));
        assertEquals(new HostForward(true, "127.0.0.1", 5353, 0x0a000214, 53), c.hostForwards().get(1));
        assertEquals(new HostForward(false, null, 8080, 0x0a00020f, 80), c.hostForwards().get(2));
        assertEquals("127.0.0.1", parse("hostfwd=tcp:127.1:22-:22").hostForwards().get(0).hostAddress());
        assertEquals("Invalid host forwarding rule 'sctp::1-:2' (Bad protocol name)", error("hostfwd=sctp::1-:2"));
        assertEquals("Invalid host forwarding rule 'tcp' (No : separators)", error("hostfwd=tcp"));
        assertEquals("Invalid host forwarding rule 'tcp:1-2' (Missing : separator)", error("hostfwd=tcp:1-2"));
        assertEquals("Invalid host forwarding rule 'tcp:1-:2' (Bad host address)", error("hostfwd=tcp:1-:2"));
        assertEquals("Invalid host forwarding rule 'tcp:x:1-:2' (Bad host address)", error("hostfwd=tcp:x:1-:2"));
        assertEquals("Invalid host forwarding rule 'tcp::1:2' (Bad host port separator)", error("hostfwd=tcp::1:2"));
        assertEquals("Invalid host forwarding rule 'tcp::70000-:2' (Bad host port)", error("hostfwd=tcp::70000-:2"));
        assertEquals("Invalid host forwarding rule 'tcp::1-2' (Missing guest address)", error("hostfwd=tcp::1-2"));
        assertEquals("Invalid host forwarding rule 'tcp::1-y:2' (Bad guest address)", error("hostfwd=tcp::1-y:2"));
        assertEquals("Invalid host forwarding rule 'tcp::1-:0' (Bad guest port)", error("hostfwd=tcp::1-:0"));
    }

    @Test
    void theMapFormTakesOneOfEachAndABusyPortIsRefused() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            String rule = "tcp:127.0.0.1:" + busy.getLocalPort() + "-:22";
            ConfigException e = assertThrows(ConfigException.class,
                    () -> UserNetBackend.open("n1", Map.of("hostfwd", rule)));
            assertEquals("Could not set up host forwarding rule '" + rule + "'", e.getMessage());
        }
        try (UserNetBackend n = UserNetBackend.open("n2", Map.of("restrict", "on"))) {
            assertTrue(n.config().restrict());
        }
    }
}
