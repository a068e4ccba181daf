package dev.jemu.devices.net.user;

import dev.jemu.devices.net.user.wire.Ipv4;
import dev.jemu.devices.net.user.wire.Tcp;
import java.io.ByteArrayOutputStream;

/**
 * A small TCP endpoint playing the guest's side of one connection in tests: a fixed receive window that it
 * checks the stack keeps to, go-back-N retransmission of its own data, and the option to drop a segment it
 * receives to make the stack retransmit.
 */
final class GuestTcp {
    final TestGuest g;
    final int localPort;
    int remoteIp;
    int remotePort;
    /** The receive window this guest advertises (may change: it is sent with the next ACK). */
    int window;
    /** The window scale this guest offers in its SYN (-1: none), and the one in use once both sides agreed. */
    int offeredScale = -1;
    int ourScale;
    int lastWindowSent;
    /** The furthest sequence number this guest ever allowed (a sender may use a window the guest later shrank). */
    int rightEdge;
    int minPeerWindow = Integer.MAX_VALUE;
    int sndNxt;
    int sndUna;
    int rcvNxt;
    int lastAckSent;
    int peerWindow;
    int peerScale;
    int dataStart;
    byte[] out = new byte[0];
    boolean closing;
    boolean finSent;
    boolean finAcked;
    boolean finReceived;
    boolean reset;
    int windowViolations;
    int dropData;
    int dropped;
    int duplicates;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private long lastProgress = System.nanoTime();

    private GuestTcp(TestGuest g, int localPort, int window) {
        this.g = g;
        this.localPort = localPort;
        this.window = window;
        this.sndNxt = 0x1000_0000 + localPort * 7;
    }

    /** Connects to {@code remoteIp:remotePort}; {@code reset} is set when the stack answers RST. */
    static GuestTcp connect(TestGuest g, int localPort, int remoteIp, int remotePort, int window)
            throws InterruptedException {
        return connect(g, localPort, remoteIp, remotePort, window, -1);
    }

    /** Connects offering window scale {@code scale} (-1: no option). */
    static GuestTcp connect(TestGuest g, int localPort, int remoteIp, int remotePort, int window, int scale)
            throws InterruptedException {
        GuestTcp c = new GuestTcp(g, localPort, window);
        c.offeredScale = scale;
        c.remoteIp = remoteIp;
        c.remotePort = remotePort;
        c.send(Tcp.SYN, c.sndNxt, null, 0, 0, 1460);
        byte[] f = g.next(c::mine, 10_000);
        if (f == null) {
            throw new AssertionError("no answer to SYN");
        }
        Tcp t = TestGuest.tcpOf(f);
        if (t.has(Tcp.RST)) {
            c.reset = true;
            return c;
        }
        if (!t.has(Tcp.SYN) || !t.has(Tcp.ACK) || t.acknowledgment() != c.sndNxt + 1) {
            throw new AssertionError("bad SYN-ACK " + t);
        }
        c.established(t);
        if (scale >= 0 && t.windowScale() >= 0) {
            c.ourScale = scale;
            c.peerScale = t.windowScale();
        }
        c.send(Tcp.ACK, c.sndNxt, null, 0, 0, 0);
        return c;
    }

    /** Waits for the stack's SYN to {@code localPort} (a forwarded connection) and answers it. */
    static GuestTcp accept(TestGuest g, int localPort, int window) throws InterruptedException {
        GuestTcp c = new GuestTcp(g, localPort, window);
        byte[] f = g.next(x -> {
            Tcp t = TestGuest.tcpOf(x);
            return t != null && t.destinationPort() == localPort && t.has(Tcp.SYN);
        }, 10_000);
        if (f == null) {
            throw new AssertionError("no SYN from the stack");
        }
        Ipv4 ip = TestGuest.ipOf(f);
        Tcp t = TestGuest.tcpOf(f);
        c.remoteIp = ip.source();
        c.remotePort = t.sourcePort();
        c.rcvNxt = t.sequence() + 1;
        c.rightEdge = c.rcvNxt;
        c.peerWindow = t.window();
        c.send(Tcp.SYN | Tcp.ACK, c.sndNxt, null, 0, 0, 1460);
        c.sndNxt++;
        c.sndUna = c.sndNxt;
        c.dataStart = c.sndNxt;
        return c;
    }

    private void established(Tcp t) {
        rcvNxt = t.sequence() + 1;
        rightEdge = rcvNxt;
        sndNxt++;
        sndUna = sndNxt;
        dataStart = sndNxt;
        peerWindow = t.window();
    }

    boolean mine(byte[] f) {
        Ipv4 ip = TestGuest.ipOf(f);
        Tcp t = TestGuest.tcpOf(f);
        return t != null && ip.source() == remoteIp && t.sourcePort() == remotePort && t.destinationPort() == localPort;
    }

    void send(int flags, int seq, byte[] data, int off, int len, int mss) {
        boolean syn = (flags & Tcp.SYN) != 0;
        int field = syn ? Math.min(window, 65535) : Math.min(window >> ourScale, 65535);
        if ((flags & Tcp.ACK) != 0) {
            lastAckSent = rcvNxt;
            lastWindowSent = syn ? field : field << ourScale;
        }
        g.send(g.tcp(localPort, remoteIp, remotePort, seq, rcvNxt, flags, field, mss, syn ? offeredScale : -1, data,
                off, len));
    }

    /** Queues bytes to send. */
    void write(byte[] data) {
        byte[] n = new byte[out.length + data.length];
        System.arraycopy(out, 0, n, 0, out.length);
        System.arraycopy(data, 0, n, out.length, data.length);
        out = n;
    }

    /** Sends FIN after everything written. */
    void close() {
        closing = true;
    }

    /** Resets the connection. */
    void abort() {
        send(Tcp.RST | Tcp.ACK, sndNxt, null, 0, 0, 0);
    }

    /** Runs the connection until {@code done} holds; false on timeout. */
    boolean runUntil(java.util.function.BooleanSupplier done, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end || reset) {
                return done.getAsBoolean();
            }
            transmit();
            byte[] f = g.frames.poll(2, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (f != null && mine(f)) {
                handle(f, TestGuest.tcpOf(f));
            }
            if (sndNxt != sndUna && System.nanoTime() - lastProgress > 300_000_000L) {
                sndNxt = sndUna; // go back N
                if (finSent && !finAcked) {
                    finSent = false;
                }
                lastProgress = System.nanoTime();
            }
        }
        return true;
    }

    private void transmit() {
        while (true) {
            int sent = sndNxt - dataStart;
            int inFlight = sndNxt - sndUna;
            int room = peerWindow - inFlight;
            int n = Math.min(Math.min(out.length - sent, room), 1460);
            if (n <= 0) {
                break;
            }
            send(Tcp.ACK | Tcp.PSH, sndNxt, out, sent, n, 0);
            sndNxt += n;
        }
        if (closing && !finSent && sndNxt - dataStart == out.length) {
            send(Tcp.FIN | Tcp.ACK, sndNxt, null, 0, 0, 0);
            sndNxt++;
            finSent = true;
        }
    }

    private void handle(byte[] f, Tcp t) {
        if (t.has(Tcp.RST)) {
            reset = true;
            return;
        }
        if (t.has(Tcp.ACK) && t.acknowledgment() - sndUna > 0 && t.acknowledgment() - sndNxt <= 0) {
            sndUna = t.acknowledgment();
            lastProgress = System.nanoTime();
            if (finSent && sndUna == sndNxt) {
                finAcked = true;
            }
        } else if (t.has(Tcp.ACK) && finSent && t.acknowledgment() == sndNxt) {
            finAcked = true;
        }
        peerWindow = t.window() << peerScale;
        minPeerWindow = Math.min(minPeerWindow, peerWindow);
        int len = t.dataLength();
        if (len == 0 && !t.has(Tcp.FIN)) {
            if (t.sequence() != rcvNxt) { // not acceptable (RFC 9293 3.10.7.4): answered with an ACK
                duplicates++;
                send(Tcp.ACK, sndNxt, null, 0, 0, 0);
            }
            return;
        }
        if (t.sequence() != rcvNxt) {
            duplicates++;
            send(Tcp.ACK, sndNxt, null, 0, 0, 0);
            return;
        }
        if (len > 0 && dropData > 0) {
            dropData--;
            dropped++;
            return;
        }
        if (lastAckSent + lastWindowSent - rightEdge > 0) {
            rightEdge = lastAckSent + lastWindowSent;
        }
        if (t.sequence() + len - rightEdge > 0) {
            windowViolations++;
        }
        received.write(f, t.dataOffset(), len);
        rcvNxt += len;
        if (t.has(Tcp.FIN)) {
            rcvNxt++;
            finReceived = true;
        }
        send(Tcp.ACK, sndNxt, null, 0, 0, 0);
    }

    String state() {
        return "reset=" + reset + " received=" + received.size() + " finReceived=" + finReceived + " dropped=" + dropped
                + " duplicates=" + duplicates + " violations=" + windowViolations + " ";
    }

    boolean allSent() {
        return sndUna - dataStart >= out.length;
    }
}
