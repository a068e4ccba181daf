package dev.jemu.cli.chardev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.machine.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PtyBackendTest {
    @Test
    void printsQemusLineAndCarriesBytesBothWaysToAClientThatComesAndGoes() throws Exception {
        assumeTrue(HostFd.AVAILABLE, "needs Linux and native access");
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        try (PtyBackend b = PtyBackend.open("serial0", new PrintStream(lines, true, StandardCharsets.UTF_8))) {
            Matcher m = Pattern.compile("char device redirected to (/dev/pts/\\d+) \\(label serial0\\)\n")
                    .matcher(lines.toString(StandardCharsets.UTF_8));
            assertTrue(m.matches(), lines.toString(StandardCharsets.UTF_8));
            assertEquals(m.group(1), b.path());
            Receiver r = new Receiver();
            b.connect(r, r.posted::add);
            for (String who : new String[] {"first", "second"}) {
                try (RandomAccessFile slave = new RandomAccessFile(b.path(), "rw")) {
                    slave.write((who + "\r").getBytes(StandardCharsets.US_ASCII));
                    assertTrue(r.pumpUntil(who + "\r", b), r.text());   // raw: CR stays CR, no echo
                    Thread.sleep(250); // the reader's poll sees the client connected
                    byte[] out = ("to " + who + "\n").getBytes(StandardCharsets.US_ASCII);
                    b.write(out, 0, out.length);
                    byte[] got = new byte[out.length];
                    slave.readFully(got);
                    assertEquals("to " + who + "\n", new String(got, StandardCharsets.US_ASCII), "raw: no CR added");
                }
            }
        }
    }

    @Test
    void aHostSerialPortIsADeviceOpenedRaw() throws Exception {
        assumeTrue(HostFd.AVAILABLE, "needs Linux and native access");
        // the pty's slave stands in for /dev/ttyS0: a tty device that TtyBackend opens like any host port
        try (PtyBackend pty = PtyBackend.open("other-end", new PrintStream(new ByteArrayOutputStream()));
             TtyBackend tty = TtyBackend.open(pty.path(), "serial0")) {
            Receiver atPty = new Receiver();
            Receiver atTty = new Receiver();
            pty.connect(atPty, atPty.posted::add);
            tty.connect(atTty, atTty.posted::add);
            Thread.sleep(250);
            byte[] a = "from the guest\n".getBytes(StandardCharsets.US_ASCII);
            tty.write(a, 0, a.length);
            assertTrue(atPty.pumpUntil("from the guest\n", pty), atPty.text());
            byte[] c = "from the host\r".getBytes(StandardCharsets.US_ASCII);
            pty.write(c, 0, c.length);
            assertTrue(atTty.pumpUntil("from the host\r", tty), atTty.text());
        }
    }

    @Test
    void aMissingDeviceIsOneLine() {
        assumeTrue(HostFd.AVAILABLE, "needs Linux and native access");
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> TtyBackend.open("/dev/nonexistent-tty", "serial0"));
        assertEquals("Could not open '/dev/nonexistent-tty': No such file or directory", e.getMessage());
    }
}
