package dev.jemu.devices.net.user;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * TCP throughput through the stack between the test guest and a host socket, each direction on its own
 * connection; prints MiB/s. The test guest is single-threaded Java parsing every frame, so the figure is a lower
 * bound of what the stack moves. {@code -Djemu.net.bench.mib=N} sets the amount (default 32).
 */
class UserNetThroughputTest {
    static final int MIB = Integer.getInteger("jemu.net.bench.mib", 32);
    /** The test guest's receive window (bytes) and the window scale it offers; -Djemu.net.bench.window=65535 without scaling. */
    static final int WINDOW = Integer.getInteger("jemu.net.bench.window", 256 * 1024);
    static final int SCALE = WINDOW > 65535 ? 3 : -1;

    @Test
    void tcpThroughputBothWays() throws Exception {
        byte[] data = new byte[MIB << 20];
        new java.util.Random(1).nextBytes(data);
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             UserNetBackend net = UserNetBackend.open("bench", UserNetConfig.parse(List.of()), (InetSocketAddress) null)) {
            TestGuest g = new TestGuest(net);

            // guest -> host
            CompletableFuture<Long> got = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] b = new byte[65536];
                    long n = 0;
                    for (int r; (r = in.read(b)) > 0; ) {
                        n += r;
                    }
                    got.complete(n);
                } catch (IOException e) {
                    got.completeExceptionally(e);
                }
            });
            GuestTcp up = GuestTcp.connect(g, 45000, TestGuest.GATEWAY, server.getLocalPort(), WINDOW, SCALE);
            long t0 = System.nanoTime();
            up.write(data);
            up.close();
            assertTrue(up.runUntil(() -> up.finAcked, 120_000));
            assertEquals(data.length, got.get(30, TimeUnit.SECONDS));
            double upSeconds = (System.nanoTime() - t0) / 1e9;

            // host -> guest
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                    s.getInputStream().readAllBytes();
                } catch (IOException e) {
                    // reported by the guest side
                }
            });
            GuestTcp down = GuestTcp.connect(g, 45001, TestGuest.GATEWAY, server.getLocalPort(), WINDOW, SCALE);
            long t1 = System.nanoTime();
            assertTrue(down.runUntil(() -> down.finReceived, 120_000));
            double downSeconds = (System.nanoTime() - t1) / 1e9;
            assertEquals(data.length, down.received.size());
            down.close();
            down.runUntil(() -> down.finAcked, 10_000);
            System.out.printf("user-net TCP throughput (%d MiB each way, %d KiB guest window): guest->host %.1f MiB/s,"
                    + " host->guest %.1f MiB/s; counters %s%n", MIB, WINDOW / 1024, MIB / upSeconds, MIB / downSeconds,
                    net.counters().snapshot());
        }
    }
}
