package dev.jemu.cli.chardev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.machine.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of what users and peers send: malformed -chardev and -serial strings must each be accepted
 * or refused with one line (no other exception, no hang); random bytes to a socket backend must all reach
 * the device unchanged (raw) or as telnet allows, without an exception.
 */
@Timeout(120)
class ChardevFuzzTest {
    private static final List<String> WORDS = List.of("socket", "pty", "file", "stdio", "null", "serial", "tty",
            "udp", "id=a", "id=", "id=1", "id=a.b-c_d", "host=", "host=127.0.0.1", "port=", "port=0", "port=99999",
            "port=-1", "port=x", "path=", "path=/nonexistent/dir/x", "server", "server=on", "server=maybe", "nowait",
            "wait=off", "wait=", "nodelay", "telnet", "telnet=on", "mux=on", "mux=", "logfile=", "append=on",
            "signal=off", "noserver", "=", ",", ",,", "backend=null", "reconnect=1", "tls-creds=x", "\u0000", "é", " ");
    private static final List<String> SERIAL_HEADS = List.of("tcp:", "telnet:", "unix:", "file:", "mon:", "chardev:",
            "/dev/", "vc:", "udp:", "pty", "stdio", "null", "none", "tcp::", "tcp:[::1]:", "tcp:host:");

    private static String randomOpts(Random rnd, List<String> heads) {
        StringBuilder sb = new StringBuilder();
        if (heads != null) {
            sb.append(heads.get(rnd.nextInt(heads.size())));
        }
        int n = rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(8) == 0) {
                sb.append((char) rnd.nextInt(128));
            } else {
                sb.append(WORDS.get(rnd.nextInt(WORDS.size())));
            }
            if (rnd.nextInt(4) != 0) {
                sb.append(',');
            }
        }
        return sb.toString();
    }

    private static void assertOneLine(ConfigException e, String prefix) {
        String m = e.getMessage();
        assertTrue(m.startsWith(prefix), m);
        assertFalse(m.contains("\n") || m.contains("Exception"), m);
    }

    @Test
    void thousandMalformedOptionStringsGetOneLineEach() {
        Random rnd = new Random(13);
        int refused = 0;
        for (int i = 0; i < 1000; i++) {
            boolean chardev = i % 2 == 0;
            String opts = randomOpts(rnd, chardev ? null : SERIAL_HEADS);
            try {
                if (chardev) {
                    ChardevSpec.parseChardev(opts);
                } else {
                    ChardevSpec.parseShort("-serial", opts, "serial0");
                }
            } catch (ConfigException e) {
                refused++;
                assertOneLine(e, (chardev ? "-chardev " : "-serial ") + ChardevSpec.shown(opts) + ": ");
            }
        }
        assertTrue(refused > 500, "most of the random strings are malformed: " + refused);
    }

    /** Each fuzzed string that parses is also created (sockets on free ports, files in a temp dir) and closed. */
    @Test
    void createdBackendsOpenOrRefuseCleanly(@TempDir Path dir) {
        Random rnd = new Random(1313);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        for (int i = 0; i < 200; i++) {
            String opts = randomOpts(rnd, null).replace("path=/nonexistent/dir/x", "path=" + dir.resolve("f" + i))
                    .replace("port=0", "port=0,wait=off").replace("server", "server=off,x");
            Chardevs c = new Chardevs(new Chardevs.Host(InputStream.nullInputStream(), quiet, () -> false, quiet, quiet,
                    false));
            try {
                c.define(opts);
            } catch (ConfigException e) {
                assertOneLine(e, "-chardev " + ChardevSpec.shown(opts) + ": ");
            } finally {
                c.closeAll();
            }
        }
    }

    @Test
    void randomBytesFromASocketClientReachTheDevice() throws Exception {
        Random rnd = new Random(7);
        for (boolean telnet : new boolean[] {false, true}) {
            try (SocketBackend b = SocketBackend.open("f", new SocketBackend.Address("127.0.0.1", 0, null), true, false,
                    false, telnet, System.err, "fuzz");
                 Socket s = new Socket("127.0.0.1", ((InetSocketAddress) b.localAddress()).getPort())) {
                Receiver r = new Receiver();
                b.connect(r, r.posted::add);
                ByteArrayOutputStream sent = new ByteArrayOutputStream();
                for (int i = 0; i < 500; i++) {
                    byte[] chunk = new byte[1 + rnd.nextInt(64)];
                    rnd.nextBytes(chunk);
                    if (telnet) {
                        for (int k = 0; k < chunk.length; k++) {
                            if ((chunk[k] & 0xff) == 255) {
                                chunk[k] = 0;   // commands are tested apart; here every byte is data
                            }
                        }
                    }
                    sent.write(chunk);
                    s.getOutputStream().write(chunk);
                }
                assertTrue(r.pumpBytes(sent.size(), b), "got " + r.bytes().length + " of " + sent.size());
                assertEquals(new String(sent.toByteArray(), StandardCharsets.ISO_8859_1),
                        new String(r.bytes(), StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void randomTelnetCommandsNeverThrow() {
        Random rnd = new Random(99);
        TelnetFilter f = new TelnetFilter();
        for (int i = 0; i < 1000; i++) {
            byte[] chunk = new byte[rnd.nextInt(32)];
            rnd.nextBytes(chunk);
            for (int k = 0; k < chunk.length; k++) {
                if (rnd.nextInt(3) == 0) {
                    chunk[k] = (byte) (240 + rnd.nextInt(16));
                }
            }
            TelnetFilter.Result res = f.filter(chunk, chunk.length);
            assertTrue(res.data().length <= chunk.length);
        }
    }
}
