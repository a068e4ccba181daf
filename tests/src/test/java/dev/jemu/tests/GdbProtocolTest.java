package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gdb stub against a raw socket on the heartbeat guest (which prints a line every 50 ms of guest time, so
 * the test sees whether it runs): bad checksums, unknown, malformed, truncated and huge packets and line noise
 * get {@code -}, an empty reply or an error and nothing else happens; Ctrl-C stops a running machine (T02); a
 * client that drops mid-session, stopped or running, leaves the guest running; HMP's {@code gdbserver} starts
 * and stops the stub; {@code k} ends jemu as QEMU's stub does.
 */
class GdbProtocolTest {
    @Test
    void badPacketsDisconnectsInterruptAndKill() throws Exception {
        Path dir = MonitorVm.tempDir("gdbp");
        Path gdbSock = dir.resolve("gdb.sock");
        Path monSock = dir.resolve("mon.sock");
        List<String> args = MonitorVm.heartbeatArgs();
        args.addAll(List.of("-serial", "stdio", "-gdb", "unix:" + gdbSock + ",server=on,wait=off",
                "-monitor", "unix:" + monSock + ",server=on,wait=off"));
        try (MonitorVm vm = MonitorVm.jemu(args)) {
            vm.awaitOutput("beat 0000000000000002", MonitorVm.seconds(60));
            vm.awaitFile(gdbSock, MonitorVm.seconds(10));
            try (Raw c = Raw.unix(gdbSock)) {
                // connecting stops the machine
                assertTrue(c.command("qSupported:multiprocess+;swbreak+").startsWith("PacketSize=1000;qXfer:features:read+;"));
                assertStopped(vm);
                c.sendRaw("$?#00");                       // bad checksum: gdb would send it again
                assertEquals("-", c.readAck());
                c.sendRaw("$qNoSuchPacket#" + cs("qNoSuchPacket"));
                assertEquals("+", c.readAck());
                assertEquals("", c.readPacket());          // unknown: the empty reply
                c.sendRaw("\u0001garbage+++");             // line noise between packets: ignored
                c.sendRaw("$m8000");                        // truncated: swallowed by the next packet's '#'
                c.sendRaw("$?#3f");
                assertEquals("-", c.readAck());
                assertEquals("T05thread:p01.01;", c.command("?"));
                assertEquals("E22", c.command("mzz,4"));
                assertEquals("E22", c.command("Z0,80000000"));
                assertEquals("E22", c.command("Hx1"));
                assertEquals("E14", c.command("m0,4"));        // nothing mapped at 0
                assertEquals("E14", c.command("p2000"));       // no such register
                assertEquals("E00", c.command("qXfer:features:read:nosuch.xml:0,100"));
                assertEquals("", c.command("Z9,0,4"));          // an unknown point type
                assertEquals("E22", c.command("A".repeat(100_000)));
                assertEquals("vCont;c;C;s;S", c.command("vCont?"));
                String status = c.command("qRcmd," + HexFormat.of().formatHex("info status".getBytes(StandardCharsets.US_ASCII)));
                assertEquals("O" + HexFormat.of().formatHex("VM status: paused\r\n".getBytes(StandardCharsets.US_ASCII)), status);
                assertEquals("OK", c.readPacket());
                // the machine runs until Ctrl-C, which stops it with SIGINT
                c.sendPacket("vCont;c");
                awaitBeats(vm, 2);
                c.sendRaw("\u0003");
                assertEquals("T02thread:p01.01;", c.readPacket());
                assertStopped(vm);
            } // dropped while stopped: the guest runs on
            awaitBeats(vm, 2);
            try (Raw c = Raw.unix(gdbSock)) {
                assertEquals("T05thread:01;", c.command("?"));
                c.sendPacket("c");
            } // dropped while running
            awaitBeats(vm, 2);
            try (Raw mon = Raw.unix(monSock)) {
                int port = MonitorVm.freePort();
                mon.sendRaw("gdbserver tcp::" + port + "\n");
                mon.awaitText("Waiting for gdb connection on device 'tcp::" + port + "'");
                try (Raw c = Raw.tcp(port)) {
                    assertEquals("OK", c.command("QStartNoAckMode"));
                    c.noAck = true;
                    assertEquals("T05thread:01;", c.command("?"));
                    c.sendPacket("k");
                }
                assertEquals(0, vm.awaitExit(MonitorVm.seconds(30)), vm::describe);
                assertTrue(vm.err().contains("Terminated via GDBstub"), vm::describe);
            }
        }
    }

    /**
     * {@code -gdb unix:PATH,server=on} (wait=on): jemu waits for gdb before the guest starts, and the connection
     * stops it before its first instruction (pc at the reset vector), as QEMU's does; {@code D} lets it run.
     */
    @Test
    void waitForTheDebuggerBeforeTheFirstInstruction() throws Exception {
        Path sock = MonitorVm.tempDir("gdbw").resolve("gdb.sock");
        List<String> args = MonitorVm.heartbeatArgs();
        args.addAll(List.of("-serial", "stdio", "-gdb", "unix:" + sock + ",server=on"));
        try (MonitorVm vm = MonitorVm.jemu(args)) {
            vm.awaitFile(sock, MonitorVm.seconds(60));
            try (Raw c = Raw.unix(sock)) {
                assertEquals("0010000000000000", c.command("p20")); // pc: the reset vector, nothing ran
                assertEquals("", vm.out(), "the guest ran before the debugger let it");
                assertTrue(vm.err().contains("waiting for connection on: disconnected:unix:" + sock + ",server=on"),
                        vm::describe);
                assertEquals("OK", c.command("D"));
            }
            vm.awaitOutput("beat 0000000000000002", MonitorVm.seconds(60));
        }
    }

    /** The heartbeat stands still for a while. */
    private static void assertStopped(MonitorVm vm) throws InterruptedException {
        Thread.sleep(300);
        int before = vm.beats();
        Thread.sleep(700);
        assertEquals(before, vm.beats(), "the guest runs while the debugger holds it: " + vm.describe());
    }

    private static void awaitBeats(MonitorVm vm, int more) throws InterruptedException {
        int target = vm.beats() + more;
        long end = System.nanoTime() + 30_000_000_000L;
        while (vm.beats() < target) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the guest does not run: " + vm.describe());
            }
            Thread.sleep(20);
        }
    }

    static String cs(String payload) {
        int sum = 0;
        for (byte b : payload.getBytes(StandardCharsets.ISO_8859_1)) {
            sum += b & 0xff;
        }
        return String.format("%02x", sum & 0xff);
    }

    /** A raw remote-protocol client. */
    static final class Raw implements AutoCloseable {
        private final AutoCloseable socket;
        private final InputStream in;
        private final OutputStream out;
        boolean noAck;

        private Raw(AutoCloseable socket, InputStream in, OutputStream out) {
            this.socket = socket;
            this.in = in;
            this.out = out;
        }

        static Raw unix(Path path) throws IOException {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(path));
            return new Raw(ch, Channels.newInputStream(ch), Channels.newOutputStream(ch));
        }

        static Raw tcp(int port) throws IOException {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(30_000);
            return new Raw(s, s.getInputStream(), s.getOutputStream());
        }

        void sendRaw(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void sendPacket(String payload) throws IOException {
            sendRaw("$" + payload + "#" + cs(payload));
        }

        /** Sends a packet and returns the reply (after the stub's ack in ack mode). */
        String command(String payload) throws IOException {
            sendPacket(payload);
            if (!noAck) {
                assertEquals("+", readAck(), "no ack for " + payload.substring(0, Math.min(40, payload.length())));
            }
            return readPacket();
        }

        String readAck() throws IOException {
            int b = in.read();
            return b < 0 ? "EOF" : String.valueOf((char) b);
        }

        /** Reads one packet (skipping anything before its '$') and acks it. */
        String readPacket() throws IOException {
            int b;
            while ((b = in.read()) != '$') {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
            }
            StringBuilder s = new StringBuilder();
            while ((b = in.read()) != '#') {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                s.append((char) b);
            }
            String sum = "" + (char) in.read() + (char) in.read();
            assertEquals(cs(s.toString()), sum, "checksum of " + s);
            if (!noAck) {
                sendRaw("+");
            }
            return s.toString();
        }

        /** For an HMP socket: reads until {@code text} has appeared. */
        void awaitText(String text) throws IOException {
            StringBuilder s = new StringBuilder();
            int b;
            while (!s.toString().contains(text) && (b = in.read()) >= 0) {
                s.append((char) b);
            }
            assertTrue(s.toString().contains(text), s.toString());
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
