package dev.jemu.cli.chardev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jemu.core.machine.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SocketBackendTest {
    private final PrintStream err = new PrintStream(new ByteArrayOutputStream());

    private static SocketBackend tcpServer() throws ConfigException {
        return SocketBackend.open("t", new SocketBackend.Address("127.0.0.1", 0, null), true, false, true, false,
                System.err, "test");
    }

    private static int port(SocketBackend b) {
        return ((InetSocketAddress) b.localAddress()).getPort();
    }

    private static String readUntil(InputStream in, String want) throws Exception {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[256];
        while (!sb.toString().contains(want)) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    @Test
    void aClientTypesAndReadsAndTheNextClientDoesToo() throws Exception {
        try (SocketBackend b = tcpServer()) {
            Receiver r = new Receiver();
            b.connect(r, r.posted::add);
            byte[] lost = "nobody hears this\n".getBytes(StandardCharsets.US_ASCII);
            b.write(lost, 0, lost.length);   // no client: dropped
            for (String who : new String[] {"first", "second"}) {
                try (Socket s = new Socket("127.0.0.1", port(b))) {
                    s.getOutputStream().write((who + " types\n").getBytes(StandardCharsets.US_ASCII));
                    assertTrue(r.pumpUntil(who + " types\n", b), r.text());
                    // output reaches the client once it is connected (the server saw its bytes, so it is)
                    byte[] hello = ("hello " + who + "\n").getBytes(StandardCharsets.US_ASCII);
                    b.write(hello, 0, hello.length);
                    s.setSoTimeout(5000);
                    String got = readUntil(s.getInputStream(), "hello " + who + "\n");
                    assertEquals("hello " + who + "\n", got, "nothing from before this client connected");
                }
                Thread.sleep(100);   // the server notices the disconnect
            }
            assertEquals("first types\nsecond types\n", r.text());
        }
    }

    @Test
    void outputNeverBlocksTheMachineThread() throws Exception {
        try (SocketBackend b = tcpServer(); Socket s = new Socket("127.0.0.1", port(b))) {
            Receiver r = new Receiver();
            b.connect(r, r.posted::add);
            s.getOutputStream().write('x');
            assertTrue(r.pumpUntil("x", b));
            // the client never reads: 64 MiB of guest output must still be written without waiting
            byte[] chunk = new byte[64 * 1024];
            long start = System.nanoTime();
            for (int i = 0; i < 1024; i++) {
                b.write(chunk, 0, chunk.length);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms < 5000, "writes took " + ms + " ms");
        }
    }

    @Test
    void guestFlowControlHoldsBackAFastClient() throws Exception {
        try (SocketBackend b = tcpServer(); Socket s = new Socket("127.0.0.1", port(b))) {
            Receiver r = new Receiver();
            r.room = 0;   // the guest's FIFO is full
            b.connect(r, r.posted::add);
            s.getOutputStream().write("0123456789".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(200);
            Runnable work;
            while ((work = r.posted.poll()) != null) {
                work.run();
            }
            assertEquals("", r.text(), "nothing delivered while the FIFO is full");
            r.room = 16;
            assertTrue(r.pumpUntil("0123456789", b));
        }
    }

    @Test
    void unixSocketServerAndClient(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("s");
        Files.writeString(path, "stale");   // a leftover of an earlier run is replaced, as QEMU does
        try (SocketBackend b = SocketBackend.open("u", new SocketBackend.Address(null, 0, path.toString()), true,
                false, false, false, err, "test")) {
            Receiver r = new Receiver();
            b.connect(r, r.posted::add);
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(path));
                c.write(ByteBuffer.wrap("ls\n".getBytes(StandardCharsets.US_ASCII)));
                assertTrue(r.pumpUntil("ls\n", b));
                byte[] out = "bin\n".getBytes(StandardCharsets.US_ASCII);
                b.write(out, 0, out.length);
                ByteBuffer in = ByteBuffer.allocate(16);
                c.read(in);
                assertEquals("bin\n", new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
            }
        }
        assertTrue(Files.notExists(path), "the server's socket file is removed at exit");
    }

    @Test
    void clientModeConnectsAndRefusalIsOneLine() throws Exception {
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            SocketBackend b = SocketBackend.open("c", new SocketBackend.Address("127.0.0.1", ss.getLocalPort(), null),
                    false, false, false, false, err, "test");
            try (b; Socket peer = ss.accept()) {
                Receiver r = new Receiver();
                b.connect(r, r.posted::add);
                peer.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
                assertTrue(r.pumpUntil("hi", b));
                b.write("yo".getBytes(StandardCharsets.US_ASCII), 0, 2);
                peer.setSoTimeout(5000);
                assertEquals("yo", readUntil(peer.getInputStream(), "yo"));
            }
            int closedPort = ss.getLocalPort();
            ss.close();
            ConfigException e = assertThrows(ConfigException.class, () -> SocketBackend.open("c",
                    new SocketBackend.Address("127.0.0.1", closedPort, null), false, false, false, false, err, "t"));
            assertEquals("Failed to connect to '127.0.0.1:" + closedPort + "': Connection refused", e.getMessage());
        }
    }

    @Test
    void telnetAnnouncesItsOptionsAndFiltersCommands() throws Exception {
        try (SocketBackend b = SocketBackend.open("t", new SocketBackend.Address("127.0.0.1", 0, null), true, false,
                false, true, err, "test"); Socket s = new Socket("127.0.0.1", port(b))) {
            Receiver r = new Receiver();
            b.connect(r, r.posted::add);
            s.setSoTimeout(5000);
            byte[] greeting = s.getInputStream().readNBytes(TelnetFilter.GREETING.length);
            assertEquals(new String(TelnetFilter.GREETING, StandardCharsets.ISO_8859_1),
                    new String(greeting, StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            // a: data; IAC DO ECHO: negotiation; IAC IAC: a 0xff byte; IAC BREAK; b
            out.write(new byte[] {'a', (byte) 255, (byte) 253, 1, (byte) 255, (byte) 255, (byte) 255, (byte) 243, 'b'});
            assertTrue(r.pumpBytes(3, b));
            assertEquals("a\u00ffb", r.text());
            for (int i = 0; i < 100 && r.breaks == 0; i++) {
                Runnable work = r.posted.poll(50, TimeUnit.MILLISECONDS);
                if (work != null) {
                    work.run();
                }
            }
            assertEquals(1, r.breaks, "IAC BREAK is a break for the UART");
        }
    }

    @Test
    void aClientWithReconnectWaitsForItsServerAndComesBackAfterADisconnect() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        try (SocketBackend b = SocketBackend.open("c0", new SocketBackend.Address("127.0.0.1", port, null), false,
                false, false, false, 1, new PrintStream(said, true), "test")) {
            assertEquals("jemu: Unable to connect character device c0: Failed to connect to '127.0.0.1:" + port
                    + "': Connection refused\n", said.toString().replace(System.lineSeparator(), "\n"));
            Receiver r = new Receiver();
            b.connect(r, r.posted::add);
            try (java.net.ServerSocket ss = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                ss.setSoTimeout(10_000);
                for (String round : new String[] {"one", "two"}) {
                    try (Socket peer = ss.accept()) {   // the backend connects within its 1 s period
                        peer.getOutputStream().write(round.getBytes(StandardCharsets.US_ASCII));
                        assertTrue(r.pumpUntil(round, b), r.text());
                    }
                }
            }
        }
    }

    @Test
    void reconnectIsForClientsOnly() {
        ConfigException e = assertThrows(ConfigException.class, () -> ChardevSpec.parseChardev(
                "socket,id=a,host=127.0.0.1,port=4999,server=on,wait=off,reconnect=2"));
        assertEquals("-chardev socket,id=a,host=127.0.0.1,port=4999,server=on,wait=off,reconnect=2: 'reconnect' "
                + "option is incompatible with socket in server listen mode", e.getMessage());
    }
}
