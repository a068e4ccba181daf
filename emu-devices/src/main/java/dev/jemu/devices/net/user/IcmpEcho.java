package dev.jemu.devices.net.user;

import dev.jemu.devices.net.user.wire.Bytes;
import dev.jemu.devices.net.user.wire.Icmp;
import dev.jemu.devices.net.user.wire.Ipv4;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ICMP echo: the gateway and the DNS proxy answer at once. An outside address is probed with the JDK's
 * reachability check (ICMP where the JVM may open such a socket, else a TCP echo-port probe, as libslirp falls back
 * to a UDP probe) on a virtual thread, and answered with the guest's own payload when it is reachable; blocked
 * under {@code restrict=on}. Other ICMP messages from the guest are dropped.
 */
final class IcmpEcho {
    private static final int MAX_PROBES = 16;
    private static final int PROBE_TIMEOUT_MS = 1000;
    private final UserStack stack;
    private final ConcurrentLinkedQueue<byte[]> answers = new ConcurrentLinkedQueue<>();
    private final AtomicInteger probes = new AtomicInteger();
    private volatile boolean closed;

    IcmpEcho(UserStack stack) {
        this.stack = stack;
    }

    void input(byte[] f, Ipv4 ip, Icmp icmp) {
        if (icmp.type() != Icmp.ECHO_REQUEST) {
            stack.counters.add("icmp.ignored");
            return;
        }
        byte[] reply = Icmp.echoFrame(0, stack.hostMac, ip.destination(), ip.source(), Icmp.ECHO_REPLY,
                icmp.identifier(), icmp.sequence(), f, icmp.dataOffset(), icmp.dataLength(), stack.nextIpId());
        if (stack.isOurs(ip.destination())) {
            stack.sendToGuest(ip.source(), reply);
            return;
        }
        InetSocketAddress host = stack.hostAddressFor(ip.destination(), 7);
        if (stack.config.restrict() || host == null) {
            stack.counters.add(stack.config.restrict() ? "restricted.dropped" : "icmp.unroutable");
            return;
        }
        if (probes.incrementAndGet() > MAX_PROBES) {
            probes.decrementAndGet();
            stack.counters.add("icmp.probesBusy");
            return;
        }
        byte[] answer = Arrays.copyOf(reply, reply.length);
        int guest = ip.source();
        Thread.ofVirtual().name("user-net ping").start(() -> {
            try {
                if (!closed && host.getAddress().isReachable(PROBE_TIMEOUT_MS)) {
                    // the guest's address rides in front of the frame until the selector thread sends it
                    byte[] tagged = new byte[answer.length + 4];
                    Bytes.put32(tagged, 0, guest);
                    System.arraycopy(answer, 0, tagged, 4, answer.length);
                    answers.add(tagged);
                    stack.selector.wakeup();
                }
            } catch (java.io.IOException e) {
                // unreachable: no answer, as a lost ping
            } finally {
                probes.decrementAndGet();
            }
        });
    }

    /** Sends the answers the probes found (selector thread). */
    void poll() {
        byte[] tagged;
        while ((tagged = answers.poll()) != null) {
            int guest = Bytes.i32(tagged, 0);
            stack.sendToGuest(guest, Arrays.copyOfRange(tagged, 4, tagged.length));
        }
    }

    void close() {
        closed = true;
        answers.clear();
    }
}
