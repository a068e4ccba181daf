package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * User-mode networking with the kit's Debian guest, in one boot: the legacy hub ({@code -net nic -net user
 * -net socket,listen=}) puts the guest's NIC, the user stack and a socket peer (this test) on one segment.
 * The guest gets 10.0.2.15 by DHCP, pings the gateway, wgets a file from an HTTP server of this test
 * through 10.0.2.2 (checksum compared), resolves a name through 10.0.2.3; the test talks to a {@code nc -l}
 * in the guest through hostfwd both ways, makes 100 short connections to a guest loop of {@code nc -l}
 * ({@code -Djemu.net.loops=1000} for a thousand) and 1,000 to a closed guest port (each accepted by jemu, then
 * closed on the guest's RST), and checks that the jemu process has no socket more after them (/proc/PID/fd); then the socket peer sends 2,000 fuzzed frames (which reach the guest's NIC and the user stack),
 * and the guest's network is checked again: an ARP request from the peer is answered, ping and wget work.
 */
@Tag("boot")
class RiscvUserNetBootTest {
    private static final String ARCH = "riscv64";
    private static final Duration STEP = Duration.ofSeconds(Long.getLong("jemu.net.timeout", 120));
    private static final byte[] GUEST_MAC = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
    private static final byte[] PEER_MAC = {0x52, 0x54, 0, 0x77, 0x77, 0x01};
    private static final byte[] GATEWAY_MAC = {0x52, 0x55, 0x0a, 0, 2, 2};

    private int markers;

    @BeforeEach
    void needBoard() {
        Kit.requireBoard(ARCH, "virt");
    }

    @Test
    void guestOnUserNetworking() throws Exception {
        byte[] file = new byte[3 << 20];
        new Random(9).nextBytes(file);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/f", ex -> {
            ex.sendResponseHeaders(200, file.length);
            try (var o = ex.getResponseBody()) {
                o.write(file);
            }
        });
        http.start();
        int fwd = MonitorVm.freePort(), closedFwd = MonitorVm.freePort(), link = MonitorVm.freePort();
        List<String> args = new ArrayList<>(List.of("-M", "virt", "-m", "256M", "-nographic", "-no-reboot",
                "-kernel", Kit.file(ARCH, "Image").toString(), "-initrd", Kit.file(ARCH, "initrd.cpio.gz").toString(),
                "-append", "console=ttyS0 jemu.shell quiet",
                "-net", "nic,model=virtio-net-device",
                "-net", "user,hostfwd=tcp::" + fwd + "-:5000,hostfwd=tcp:127.0.0.1:" + closedFwd + "-:5001",
                "-net", "socket,listen=127.0.0.1:" + link));
        try (MonitorVm vm = MonitorVm.jemu(args)) {
            Peer peer = Peer.connect(link);
            try (peer) {
                vm.awaitOutput("Enter 'help'", STEP);
                long pid = vm.process().pid();

                String dhcp = sh(vm, "ip link set eth0 up; udhcpc -i eth0 -t 10 -T 2 -n -q >/dev/null 2>&1; "
                        + "echo IP=$(ip -4 addr show eth0 | grep -o '10[.0-9]*/24') GW=$(ip route | grep -c "
                        + "'^default via 10.0.2.2') DNS=$(cat /etc/resolv.conf)");
                assertTrue(dhcp.contains("IP=10.0.2.15/24 GW=1 DNS=nameserver 10.0.2.3"), "DHCP: " + dhcp);

                String ping = sh(vm, "ping -c 3 10.0.2.2 | grep -o ' [0-9]*% packet loss'");
                assertTrue(ping.contains(" 0% packet loss"), "ping the gateway: " + ping);

                String wget = sh(vm, "wget -q -O /tmp/f http://10.0.2.2:" + http.getAddress().getPort()
                        + "/f; echo SUM=$(sha256sum /tmp/f | cut -c1-64) SIZE=$(wc -c < /tmp/f)");
                assertEquals(sha256(file), value(wget, "SUM"), "wget: " + wget);

                dns(vm);

                List<String> before = sockets(pid);
                hostForward(vm, fwd);
                guestLoop(vm, fwd, Integer.getInteger("jemu.net.loops", 100)); // 1,000 take ~45 s more
                shortConnections(closedFwd);
                List<String> after = awaitSockets(pid, before.size());
                // none left by the connections (the DNS lookup's UDP flow may have closed meanwhile: 10 s idle)
                assertTrue(before.containsAll(after), "sockets of jemu before " + before + ", after " + after);
                System.out.printf("jemu's sockets before the hostfwd connections %s, after %s%n", before, after);

                peer.fuzz(Integer.getInteger("jemu.net.fuzz.frames", 2000), new Random(Long.getLong("jemu.net.fuzz.seed", 2000)));
                assertTrue(vm.process().isAlive(), "jemu survived the fuzzed frames: " + vm.describe());
                assertTrue(peer.arpAnswered(), "the guest answers ARP on the link after the fuzz");
                String again = sh(vm, "ping -c 2 10.0.2.2 | grep -o ' [0-9]*% packet loss'; wget -q -O /tmp/g "
                        + "http://10.0.2.2:" + http.getAddress().getPort() + "/f; echo SUM=$(sha256sum /tmp/g | cut -c1-64)");
                assertTrue(again.contains(" 0% packet loss"), "ping after the fuzz: " + again);
                assertEquals(sha256(file), value(again, "SUM"), "wget after the fuzz: " + again);
                assertFalse(vm.err().contains("Exception"), vm::describe);
                assertFalse(vm.out().contains("NETDEV WATCHDOG"), vm::describe);
            }
        } finally {
            http.stop(0);
        }
    }

    /** A DNS lookup through 10.0.2.3 of a name the host resolves (the host's resolver answers both). */
    private void dns(MonitorVm vm) throws Exception {
        String name = "deb.debian.org";
        String host;
        try {
            host = InetAddress.getByName(name).getHostAddress();
        } catch (IOException e) {
            host = null;
        }
        String out = sh(vm, "nslookup " + name + " 10.0.2.3 2>&1 | tail -n +3 | grep -o 'Address: [0-9.]*' | head -3");
        if (host == null || !Files.isReadable(Path.of("/etc/resolv.conf"))) {
            System.out.println("the host resolves no " + name + ": the guest's lookup is not compared (" + out + ")");
            return;
        }
        assertTrue(out.contains("Address: "), "the guest resolves " + name + " through 10.0.2.3: " + out);
    }

    /** The test connects to {@code nc -l -p 5000} in the guest through hostfwd: data both ways, then both close. */
    private void hostForward(MonitorVm vm, int port) throws Exception {
        byte[] up = new byte[200_000];
        new Random(1).nextBytes(up);
        String m = marker();
        vm.type("head -c 150000 /dev/urandom > /tmp/out; echo OUT=$(sha256sum /tmp/out | cut -c1-64); "
                + "nc -l -p 5000 < /tmp/out > /tmp/in; echo IN=$(sha256sum /tmp/in | cut -c1-64) " + m + "-$((6*7))\n");
        long end = System.nanoTime() + STEP.toNanos();
        while (!vm.out().matches("(?s).*OUT=[0-9a-f]{64}.*")) {
            if (System.nanoTime() > end) {
                fail("no OUT=: " + vm.describe());
            }
            Thread.sleep(50);
        }
        String guestOut = value(vm.out(), "OUT");
        byte[] down = null;
        for (int attempt = 0; attempt < 100 && down == null; attempt++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout((int) STEP.toMillis());
                Thread writer = Thread.ofPlatform().start(() -> {
                    try {
                        s.getOutputStream().write(up);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        // the read below fails too
                    }
                });
                byte[] got;
                try {
                    got = s.getInputStream().readAllBytes();
                } catch (java.net.SocketException e) {
                    got = new byte[0];
                }
                writer.join();
                if (got.length > 0) {
                    down = got;
                } else {
                    Thread.sleep(200); // nc not listening yet: the guest refused and jemu closed or reset the connection
                }
            }
        }
        assertTrue(down != null, "nothing came back through hostfwd: " + vm.describe());
        String done = awaitMarker(vm, m);
        assertEquals(guestOut, sha256(down), "guest to host through hostfwd (" + down.length + " bytes)");
        assertEquals(sha256(up), value(done, "IN"), "host to guest through hostfwd: " + done);
    }

    /** {@code n} short connections through hostfwd to a guest loop of {@code nc -l} that each accept one and see
     *  it closed: the whole handshake and FIN both ways, {@code n} times (connections that arrive while nc restarts
     *  are refused by the guest). */
    private void guestLoop(MonitorVm vm, int port, int n) throws Exception {
        long t0 = System.nanoTime();
        String m = marker();
        vm.type("i=0; while [ $i -lt " + n + " ]; do nc -l -p 5000 </dev/null >/dev/null; i=$((i+1)); done; echo "
                + "LOOPS=$i " + m + "-$((6*7))\n");
        long end = System.nanoTime() + STEP.toNanos();
        int tries = 0;
        while (!vm.out().contains(m + "-42")) {
            if (System.nanoTime() > end) {
                fail("the guest's nc loop did not end after " + tries + " connections: " + vm.describe());
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                tries++;
            }
            Thread.sleep(5);
        }
        String done = awaitMarker(vm, m);
        assertTrue(done.contains("LOOPS=" + n), done);
        System.out.printf("guest nc loop: %d connections accepted by the guest, %d made, %d ms%n", n, tries,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** 1,000 connections through hostfwd to a guest port nobody listens on: jemu accepts each, the guest
     *  answers the SYN with RST, jemu closes the host side. */
    private static void shortConnections(int port) throws Exception {
        for (int i = 0; i < 1000; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(30_000);
                assertEquals(-1, s.getInputStream().read(), "connection " + i + " closed without data");
            } catch (java.net.SocketException e) {
                // a reset is as good as a close
            }
        }
    }

    private static List<String> sockets(long pid) throws IOException {
        List<String> out = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) {
                        out.add(fd.getFileName() + "->" + target);
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return out;
    }

    /** jemu closes the host side of a connection when the guest's FIN or RST arrives: give it a moment. */
    private static List<String> awaitSockets(long pid, int count) throws Exception {
        List<String> now = sockets(pid);
        for (int i = 0; i < 100 && now.size() > count; i++) {
            Thread.sleep(100);
            now = sockets(pid);
        }
        return now;
    }

    /** Types {@code cmd} and returns the output from the command line on, once its end marker is printed. */
    private String sh(MonitorVm vm, String cmd) throws Exception {
        String m = marker();
        vm.type(cmd + "; echo " + m + "-$((6*7))\n");
        return awaitMarker(vm, m);
    }

    private String marker() {
        return "MARK" + (++markers);
    }

    private static String awaitMarker(MonitorVm vm, String m) throws Exception {
        vm.awaitOutput(m + "-42", STEP);
        String out = vm.out();
        int start = out.lastIndexOf(m + "-$((6*7))");
        return out.substring(Math.max(0, start), out.indexOf(m + "-42"));
    }

    private static String value(String out, String key) {
        Matcher m = Pattern.compile(key + "=([0-9a-f]{64})").matcher(out);
        String last = "(no " + key + ")";
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }


    /** The test's end of the socket link: QEMU's stream framing (4-byte big-endian length, then the frame). */
    private static final class Peer implements AutoCloseable {
        private final Socket socket;
        private final DataOutputStream out;
        private final AtomicBoolean arpReply = new AtomicBoolean();
        private final Thread reader;

        private Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            reader = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        byte[] f = new byte[in.readInt()];
                        in.readFully(f);
                        // an ARP reply (opcode 2) from the guest's MAC for 10.0.2.15, to us
                        if (f.length >= 42 && (f[12] & 0xff) == 0x08 && f[13] == 0x06 && f[21] == 2
                                && java.util.Arrays.equals(f, 22, 28, GUEST_MAC, 0, 6)
                                && java.util.Arrays.equals(f, 0, 6, PEER_MAC, 0, 6)) {
                            arpReply.set(true);
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
            });
        }

        static Peer connect(int port) throws Exception {
            long end = System.nanoTime() + 60_000_000_000L;
            while (true) {
                try {
                    return new Peer(new Socket("127.0.0.1", port));
                } catch (IOException e) {
                    if (System.nanoTime() > end) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        }

        void send(byte[] frame) throws IOException {
            out.writeInt(frame.length);
            out.write(frame);
        }

        void fuzz(int count, Random r) throws IOException {
            for (int i = 0; i < count; i++) {
                send(FuzzFrames.next(r, PEER_MAC, GUEST_MAC, GATEWAY_MAC));
            }
            out.flush();
        }

        /** Sends ARP requests for 10.0.2.15 until the guest answers one (or 20 s pass). */
        boolean arpAnswered() throws Exception {
            for (int i = 0; i < 40 && !arpReply.get(); i++) {
                ByteBuffer b = ByteBuffer.allocate(42);
                b.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(PEER_MAC).putShort((short) 0x0806);
                b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
                b.put(PEER_MAC).put(new byte[] {10, 0, 2, 77}).put(new byte[6]).put(new byte[] {10, 0, 2, 15});
                send(b.array());
                out.flush();
                Thread.sleep(500);
            }
            return arpReply.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
