package dev.jemu.devices.net.user;

import dev.jemu.devices.net.user.wire.Tcp;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One TCP connection between a guest port and a host socket. Towards the guest it is a real TCP endpoint
 * (RFC 9293): handshake with MSS and window scaling, a receive window advertised from the free space of the
 * buffer towards the host, the guest's window honoured, retransmission with an RTO from measured round trips
 * (RFC 6298) and fast retransmit, FIN and RST both ways, half-close. Towards the host it is a non-blocking
 * {@link SocketChannel}: the host's kernel does the rest. Segments the guest sends out of order are dropped and
 * acknowledged (the guest resends them): the link to the guest does not reorder.
 */
final class TcpConnection implements IoHandler {
    enum State { CONNECTING, SYN_SENT, SYN_RECEIVED, ESTABLISHED, CLOSED }

    static final int OUR_MSS = 1460;
    static final int OUR_SCALE = 3;
    static final int BUFFER = 256 * 1024;
    static final long MIN_RTO_NS = 200_000_000L;
    static final long MAX_RTO_NS = 60_000_000_000L;
    static final long INITIAL_RTO_NS = 1_000_000_000L;
    static final long CONNECT_TIMEOUT_NS = 75_000_000_000L;
    static final int MAX_RETRIES = 12;
    static final int MAX_SYN_RETRIES = 6;

    final TcpNat nat;
    final TcpNat.Key key;
    private final SocketChannel channel;
    private SelectionKey selectionKey;
    State state;
    boolean dirty;
    /** When the retransmission, persist or connect timer fires (System.nanoTime), or Long.MAX_VALUE. */
    long deadline = Long.MAX_VALUE;

    private final int iss;
    private int sndUna;
    private int sndNxt;
    private int sndWnd;
    private int rcvNxt;
    private int guestMss = 536;
    private int guestScale;
    private int ourScale;
    private final ByteQueue toGuest = new ByteQueue(BUFFER);
    private final ByteQueue toHost = new ByteQueue(BUFFER);
    private boolean hostEof;
    private boolean hostOutputShut;
    private boolean guestFin;
    private boolean finSent;
    private boolean finAcked;
    private boolean ackNeeded;
    private int advertised;
    private long rto = INITIAL_RTO_NS;
    private long srtt = -1;
    private long rttvar;
    private boolean rttTiming;
    private int rttSeq;
    private long rttStart;
    private int retries;
    private int dupAcks;

    private TcpConnection(TcpNat nat, TcpNat.Key key, SocketChannel channel, State state) {
        this.nat = nat;
        this.key = key;
        this.channel = channel;
        this.state = state;
        this.iss = (int) (System.nanoTime() >>> 4) ^ key.hashCode();
        this.sndUna = iss;
        this.sndNxt = iss;
    }

    /** A guest's SYN to the outside: the host connect is under way; the guest hears back when it completes. */
    static TcpConnection outbound(TcpNat nat, TcpNat.Key key, Tcp syn, SocketChannel ch) throws ClosedChannelException {
        TcpConnection c = new TcpConnection(nat, key, ch, State.CONNECTING);
        c.rcvNxt = syn.sequence() + 1;
        c.guestMss = syn.mss() == 0 ? 536 : Math.min(syn.mss(), OUR_MSS);
        if (syn.windowScale() >= 0) {
            c.guestScale = syn.windowScale();
            c.ourScale = OUR_SCALE;
        }
        c.sndWnd = syn.window();
        c.deadline = System.nanoTime() + CONNECT_TIMEOUT_NS;
        c.selectionKey = ch.register(nat.stack.selector, SelectionKey.OP_CONNECT, c);
        return c;
    }

    /** A host client accepted on a forwarded port: the guest is sent a SYN. */
    static TcpConnection inbound(TcpNat nat, TcpNat.Key key, SocketChannel ch) throws ClosedChannelException {
        TcpConnection c = new TcpConnection(nat, key, ch, State.SYN_SENT);
        c.selectionKey = ch.register(nat.stack.selector, 0, c);
        c.sendSyn();
        return c;
    }

    boolean channelOpen() {
        return channel.isOpen();
    }

    @Override
    public void ready(SelectionKey k) {
        try {
            if (k.isConnectable()) {
                finishConnect();
                return;
            }
            if (k.isValid() && k.isWritable()) {
                writeHost();
            }
            if (k.isValid() && k.isReadable()) {
                readHost();
            }
        } catch (CancelledKeyException e) {
            // closed meanwhile
        }
        if (state != State.CLOSED) {
            nat.markDirty(this);
        }
    }

    private void finishConnect() {
        try {
            if (channel.finishConnect()) {
                connected();
            }
        } catch (IOException e) {
            // refused, unreachable or timed out: the guest gets the RST its SYN would have got
            nat.stack.counters.add("tcp.connectFailed");
            emit(Tcp.RST | Tcp.ACK, iss, null, 0, 0);
            closeChannel(false);
        }
    }

    void connected() {
        state = State.SYN_RECEIVED;
        interest(0);
        sendSynAck();
    }

    private void sendSyn() {
        emitSyn(Tcp.SYN);
    }

    private void sendSynAck() {
        emitSyn(Tcp.SYN | Tcp.ACK);
    }

    private void emitSyn(int flags) {
        int scale = state == State.SYN_SENT || ourScale > 0 ? OUR_SCALE : -1;
        byte[] frame = Tcp.frame(0, nat.stack.hostMac, key.remoteIp(), key.remotePort(), key.guestIp(), key.guestPort(),
                iss, (flags & Tcp.ACK) != 0 ? rcvNxt : 0, flags, Math.min(toHost.free(), 65535), OUR_MSS, scale,
                null, 0, 0, nat.stack.nextIpId());
        nat.stack.sendToGuest(key.guestIp(), frame);
        sndNxt = iss + 1;
        deadline = System.nanoTime() + rto;
    }

    /** A segment from the guest for this connection. */
    void segment(byte[] f, Tcp t) {
        switch (state) {
            case CLOSED -> {
                return;
            }
            case CONNECTING -> {
                if (t.has(Tcp.RST)) {
                    closeChannel(true);
                }
                return; // a repeated SYN waits for the host connect
            }
            case SYN_SENT -> {
                synSentSegment(t);
                return;
            }
            default -> {
            }
        }
        if (t.has(Tcp.RST)) {
            if (t.sequence() - rcvNxt >= 0 && t.sequence() - rcvNxt <= Math.max(1, toHost.free())) {
                closeChannel(true);
            }
            return;
        }
        if (t.has(Tcp.SYN)) {
            if (state == State.SYN_RECEIVED) {
                sendSynAck();
            } else {
                ackNeeded = true;
            }
            return;
        }
        if (!t.has(Tcp.ACK)) {
            return;
        }
        if (state == State.SYN_RECEIVED) {
            if (t.acknowledgment() != iss + 1) {
                nat.reset(key, t);
                return;
            }
            establish(t);
        }
        if (!acknowledge(t)) {
            return;
        }
        receive(f, t);
    }

    private void synSentSegment(Tcp t) {
        boolean ackOk = t.has(Tcp.ACK) && t.acknowledgment() == iss + 1;
        if (t.has(Tcp.RST)) {
            if (ackOk) {
                closeChannel(true);
            }
            return;
        }
        if (t.has(Tcp.SYN) && ackOk) {
            rcvNxt = t.sequence() + 1;
            guestMss = t.mss() == 0 ? 536 : Math.min(t.mss(), OUR_MSS);
            if (t.windowScale() >= 0) {
                guestScale = t.windowScale();
                ourScale = OUR_SCALE;
            }
            sndUna = iss + 1;
            sndWnd = t.window();
            state = State.ESTABLISHED;
            retries = 0;
            deadline = Long.MAX_VALUE;
            ackNeeded = true;
            interest(SelectionKey.OP_READ);
        } else if (t.has(Tcp.ACK)) {
            nat.reset(key, t);
        }
    }

    private void establish(Tcp t) {
        state = State.ESTABLISHED;
        sndUna = iss + 1;
        retries = 0;
        deadline = Long.MAX_VALUE;
        sndWnd = t.window() << guestScale;
        interest(SelectionKey.OP_READ);
    }

    /** Processes the acknowledgment and window of a segment; false when the segment is to be ignored. */
    private boolean acknowledge(Tcp t) {
        int ack = t.acknowledgment();
        int window = t.window() << guestScale;
        if (ack - sndNxt > 0) {
            ackNeeded = true; // acknowledges what was never sent
            return false;
        }
        if (ack - sndUna > 0) {
            int acked = ack - sndUna;
            if (finSent && ack == sndNxt) {
                finAcked = true;
                acked--;
            }
            toGuest.consume(Math.min(acked, toGuest.size()));
            sndUna = ack;
            long now = System.nanoTime();
            if (rttTiming && ack - rttSeq > 0) {
                rttTiming = false;
                sampleRtt(now - rttStart);
            }
            retries = 0;
            dupAcks = 0;
            deadline = sndNxt != sndUna ? now + rto : Long.MAX_VALUE;
            sndWnd = window;
            if (!hostEof && toGuest.free() > 0) {
                interest(interestOps() | SelectionKey.OP_READ);
            }
        } else if (ack == sndUna) {
            if (t.dataLength() == 0 && !t.has(Tcp.FIN) && window == sndWnd && sndNxt != sndUna) {
                if (++dupAcks == 3) {
                    fastRetransmit();
                }
            }
            sndWnd = window;
        }
        checkDone();
        return state != State.CLOSED;
    }

    private void sampleRtt(long r) {
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = Math.clamp(srtt + 4 * rttvar, MIN_RTO_NS, MAX_RTO_NS);
    }

    private void fastRetransmit() {
        nat.stack.counters.add("tcp.fastRetransmit");
        int n = Math.min(guestMss, Math.min(toGuest.size(), sndNxt - sndUna));
        if (n > 0) {
            emit(Tcp.ACK, sndUna, toGuest.array(), toGuest.offset(0), n);
        } else if (finSent && !finAcked) {
            emit(Tcp.FIN | Tcp.ACK, sndUna, null, 0, 0);
        }
        rttTiming = false;
    }

    /** Takes the guest's data in order into the buffer towards the host, and its FIN. */
    private void receive(byte[] f, Tcp t) {
        int len = t.dataLength();
        boolean fin = t.has(Tcp.FIN);
        if (len == 0 && !fin) {
            if (t.sequence() != rcvNxt) {
                ackNeeded = true; // a keepalive or zero-window probe: not acceptable, answered with an ACK
            }
            return;
        }
        ackNeeded = true;
        if (guestFin) {
            return; // a retransmission after the FIN
        }
        int already = rcvNxt - t.sequence();
        if (already < 0) {
            nat.stack.counters.add("tcp.outOfOrder");
            return;
        }
        if (already > len) {
            return;
        }
        int take = Math.min(len - already, toHost.free());
        if (take > 0) {
            toHost.append(f, t.dataOffset() + already, take);
            rcvNxt += take;
            advertised -= take;
            // written to the host once per batch of guest frames, in output(): fewer, larger socket writes
        }
        if (fin && already + take == len && state != State.CLOSED) {
            rcvNxt++;
            guestFin = true;
        }
    }

    private void writeHost() {
        if (state == State.CLOSED) {
            return;
        }
        try {
            toHost.writeTo(channel);
        } catch (IOException e) {
            abort();
            return;
        }
        int ops = interestOps();
        interest(toHost.size() > 0 ? ops | SelectionKey.OP_WRITE : ops & ~SelectionKey.OP_WRITE);
        // window update once a good part of the buffer is free again
        if (receiveWindow() - Math.max(advertised, 0) >= Math.min(Math.max(2 * OUR_MSS, BUFFER / 4), 65535 << ourScale)) {
            ackNeeded = true;
            nat.markDirty(this);
        }
        shutdownHostWhenDrained();
    }

    private void shutdownHostWhenDrained() {
        if (guestFin && toHost.size() == 0 && !hostOutputShut && state != State.CLOSED) {
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                // the host end is gone: its reset or EOF reaches us on the read side
            }
            hostOutputShut = true;
            checkDone();
        }
    }

    private void readHost() {
        int n;
        try {
            n = toGuest.readFrom(channel);
        } catch (IOException e) {
            abort();
            return;
        }
        if (n < 0) {
            hostEof = true;
        }
        if (hostEof || toGuest.free() == 0) {
            interest(interestOps() & ~SelectionKey.OP_READ);
        }
    }

    /** Sends what the guest's window allows, then the FIN once the host's data is all sent, then a pending ACK. */
    void output() {
        if (state != State.ESTABLISHED) {
            return;
        }
        if (toHost.size() > 0 || (guestFin && !hostOutputShut)) {
            writeHost();
            if (state != State.ESTABLISHED) {
                return;
            }
        }
        long now = System.nanoTime();
        while (!finSent && !nat.backlogged.getAsBoolean()) {
            int inFlight = sndNxt - sndUna;
            int unsent = toGuest.size() - inFlight;
            int window = sndWnd - inFlight;
            if (unsent <= 0 || window <= 0) {
                break;
            }
            int n = Math.min(Math.min(unsent, window), guestMss);
            emit(Tcp.ACK | (n == unsent ? Tcp.PSH : 0), sndNxt, toGuest.array(), toGuest.offset(inFlight), n);
            if (!rttTiming) {
                rttTiming = true;
                rttSeq = sndNxt;
                rttStart = now;
            }
            sndNxt += n;
            if (deadline == Long.MAX_VALUE) {
                deadline = now + rto;
            }
        }
        if (hostEof && !finSent && sndNxt - sndUna == toGuest.size() && !nat.backlogged.getAsBoolean()) {
            emit(Tcp.FIN | Tcp.ACK, sndNxt, null, 0, 0);
            sndNxt++;
            finSent = true;
            if (deadline == Long.MAX_VALUE) {
                deadline = now + rto;
            }
        }
        if (ackNeeded) {
            emit(Tcp.ACK, sndNxt, null, 0, 0);
        }
        if (sndWnd == 0 && toGuest.size() > sndNxt - sndUna && deadline == Long.MAX_VALUE) {
            deadline = now + rto; // persist timer: probe the closed window
        }
        checkDone();
    }

    /** The window to advertise, in bytes: the free space towards the host, as far as the header can say it. */
    private int receiveWindow() {
        return Math.min(toHost.free() >> ourScale, 65535) << ourScale;
    }

    private void emit(int flags, int seq, byte[] data, int off, int len) {
        int window = receiveWindow() >> ourScale;
        advertised = window << ourScale;
        nat.stack.sendToGuest(key.guestIp(), Tcp.frame(0, nat.stack.hostMac, key.remoteIp(), key.remotePort(),
                key.guestIp(), key.guestPort(), seq, rcvNxt, flags, window, 0, -1, data, off, len, nat.stack.nextIpId()));
        if ((flags & Tcp.ACK) != 0) {
            ackNeeded = false;
        }
    }

    /** The retransmission, persist or connect timer. */
    void timer(long now) {
        if (state == State.CONNECTING) {
            nat.stack.counters.add("tcp.connectTimeout");
            emit(Tcp.RST | Tcp.ACK, iss, null, 0, 0);
            closeChannel(true);
            return;
        }
        if (state == State.ESTABLISHED && sndNxt == sndUna && sndWnd == 0 && toGuest.size() > 0) {
            // zero-window probe: an old sequence number makes the guest answer with its current window
            emit(Tcp.ACK, sndUna - 1, null, 0, 0);
            rto = Math.min(rto * 2, MAX_RTO_NS);
            deadline = now + rto;
            return;
        }
        if (++retries > (state == State.ESTABLISHED ? MAX_RETRIES : MAX_SYN_RETRIES)) {
            nat.stack.counters.add("tcp.retransmitTimeout");
            abort();
            return;
        }
        nat.stack.counters.add("tcp.retransmit");
        rto = Math.min(rto * 2, MAX_RTO_NS);
        rttTiming = false;
        switch (state) {
            case SYN_SENT -> sendSyn();
            case SYN_RECEIVED -> sendSynAck();
            case ESTABLISHED -> {
                if (sndNxt == sndUna) {
                    deadline = Long.MAX_VALUE;
                    return;
                }
                // go back to the oldest unacknowledged byte and send again what the window allows
                sndNxt = sndUna;
                if (!finAcked) {
                    finSent = false;
                }
                deadline = now + rto;
                output();
            }
            default -> deadline = Long.MAX_VALUE;
        }
    }

    private void checkDone() {
        if (state == State.ESTABLISHED && guestFin && hostOutputShut && finAcked) {
            if (ackNeeded) {
                emit(Tcp.ACK, sndNxt, null, 0, 0); // the guest's FIN, when it came last
            }
            closeChannel(false);
        }
    }

    /** Ends the connection on an error: RST to the guest, the host socket reset. */
    private void abort() {
        if (state != State.CLOSED && state != State.CONNECTING && state != State.SYN_SENT) {
            emit(Tcp.RST | Tcp.ACK, sndNxt, null, 0, 0);
        }
        closeChannel(true);
    }

    /** Closes the host socket (with a reset when {@code reset}) and forgets the connection. */
    void closeChannel(boolean reset) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        deadline = Long.MAX_VALUE;
        try {
            if (reset && channel.isOpen() && channel.isConnected()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException e) {
            // closing anyway
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
        nat.removed(this);
    }

    private int interestOps() {
        return selectionKey.isValid() ? selectionKey.interestOps() : 0;
    }

    private void interest(int ops) {
        if (selectionKey.isValid()) {
            selectionKey.interestOps(ops);
        }
    }
}
