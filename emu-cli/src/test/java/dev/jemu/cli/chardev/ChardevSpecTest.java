package dev.jemu.cli.chardev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jemu.core.machine.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChardevSpecTest {
    private static String error(String chardev) {
        return assertThrows(ConfigException.class, () -> ChardevSpec.parseChardev(chardev)).getMessage();
    }

    private static String serialError(String spec) {
        return assertThrows(ConfigException.class, () -> ChardevSpec.parseShort("-serial", spec, "serial0"))
                .getMessage();
    }

    @Test
    void qemusSpellingsOfASocket() throws Exception {
        ChardevSpec s = ChardevSpec.parseChardev("socket,id=s0,host=127.0.0.1,port=4444,server=on,wait=off");
        assertEquals("socket", s.backend());
        assertEquals("s0", s.id());
        assertEquals(true, s.flag("server", false));
        assertEquals(false, s.flag("wait", true));
        // the old short forms: server means server=on, nowait means wait=off
        ChardevSpec old = ChardevSpec.parseChardev("socket,id=s0,port=4444,server,nowait,nodelay");
        assertEquals(Map.of("id", "s0", "port", "4444", "server", "on", "wait", "off", "nodelay", "on"), old.props());
        ChardevSpec unix = ChardevSpec.parseChardev("socket,id=u,path=/tmp/a,,b,server=on");
        assertEquals("/tmp/a,b", unix.get("path"), ",, is a literal comma");
    }

    @Test
    void serialShortForms() throws Exception {
        ChardevSpec tcp = ChardevSpec.parseShort("-serial", "tcp::4444,server,nowait", "serial0");
        assertEquals(Map.of("id", "serial0", "host", "", "port", "4444", "server", "on", "wait", "off"), tcp.props());
        ChardevSpec v6 = ChardevSpec.parseShort("-serial", "tcp:[::1]:5555,server=on,wait=off", "serial0");
        assertEquals("::1", v6.get("host"));
        ChardevSpec telnet = ChardevSpec.parseShort("-serial", "telnet:localhost:4321,server=on,wait=off", "serial0");
        assertEquals("on", telnet.get("telnet"));
        ChardevSpec unix = ChardevSpec.parseShort("-serial", "unix:/tmp/s,server=on,wait=off", "serial0");
        assertEquals("/tmp/s", unix.get("path"));
        assertEquals("serial", ChardevSpec.parseShort("-serial", "/dev/ttyS0", "serial0").backend());
        assertEquals("pty", ChardevSpec.parseShort("-serial", "pty", "serial0").backend());
        ChardevSpec mon = ChardevSpec.parseShort("-serial", "mon:stdio", "serial0");
        assertEquals(Map.of("id", "serial0", "mux", "on", "signal", "off"), mon.props());
        assertEquals("on", ChardevSpec.parseShort("-serial", "mon:tcp::4444,server=on,wait=off", "serial0").get("mux"));
        assertEquals("/x/y", ChardevSpec.parseShort("-serial", "file:/x/y", "serial0").get("path"));
    }

    @Test
    void qemusErrorLines() {
        // the same words as qemu-system-riscv64 7.2 for the same options (checked side by side)
        assertEquals("-chardev bogus,id=a: 'bogus' is not a valid char driver name", error("bogus,id=a"));
        assertEquals("-chardev socket,id=a,host=localhost: chardev: socket: no port given",
                error("socket,id=a,host=localhost"));
        assertEquals("-chardev file,id=a: chardev: file: no filename given", error("file,id=a"));
        assertEquals("-chardev stdio: chardev: no id specified", error("stdio"));
        assertEquals("-chardev null,id=a,foo=bar: Invalid parameter 'foo'", error("null,id=a,foo=bar"));
        assertEquals("-chardev pty,id=a,mux=maybe: Parameter 'mux' expects 'on' or 'off'", error("pty,id=a,mux=maybe"));
        assertEquals("-chardev null,id=1a: Parameter 'id' expects an identifier (letters, digits, '-', '.', '_', "
                + "starting with a letter)", error("null,id=1a"));
        assertEquals("-serial bogus: 'bogus' is not a valid char driver", serialError("bogus"));
        // where QEMU's words are confusing ("Unable to parse FD number"), jemu says what is missing
        assertEquals("-chardev socket,id=a: chardev: socket: no path, nor host and port, given", error("socket,id=a"));
        assertEquals("-chardev socket,id=a,port=x: Parameter 'port' expects a port number (0 to 65535)",
                error("socket,id=a,port=x"));
        assertEquals("-chardev udp,id=a: char driver 'udp' is not supported yet", error("udp,id=a"));
        assertEquals("-serial tcp:4444: expected HOST:PORT after 'tcp:'", serialError("tcp:4444"));
    }
}
