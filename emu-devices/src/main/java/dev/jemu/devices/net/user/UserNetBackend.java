package dev.jemu.devices.net.user;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.devices.net.FrameSink;
import dev.jemu.devices.net.NetBackend;
import dev.jemu.devices.net.user.wire.Bytes;
import dev.jemu.devices.net.user.wire.Ethernet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * QEMU's {@code -netdev user} ("slirp"): a NAT router in Java between the guest's Ethernet and host sockets, with
 * QEMU 7.2's defaults (network 10.0.2.0/24, gateway 10.0.2.2, DNS 10.0.2.3, DHCP from 10.0.2.15).
 * <p>
 * Threads: one selector thread ("user-net ID") owns the whole stack, every host socket and every timer. The NIC
 * calls {@link #send} on its own thread: the frame is copied into a bounded queue and the selector woken.
 * Frames for the guest go to {@link FrameSink#deliver}; when it refuses one, that frame and those after it wait
 * (bounded) for {@link #receiveReady}, and TCP stops sending new data meanwhile, so its window does the rest.
 */
public final class UserNetBackend implements NetBackend {
    /** Guest frames waiting for the selector thread before new ones are dropped. */
    static final int MAX_INBOUND = 4096;
    /** Frames for the guest kept while the NIC has no room; TCP pauses above {@link #BACKLOG_HIGH}. */
    static final int MAX_OUTBOUND = 1024;
    static final int BACKLOG_HIGH = 64;
    private static final long MAX_SLEEP_NS = 500_000_000L;
    private static final long RETRY_NS = 100_000_000L;

    private final String id;
    private final UserNetConfig config;
    private final NetCounters counters = new NetCounters();
    private final Selector selector;
    private final UserStack stack;
    private final ConcurrentLinkedQueue<byte[]> inbound = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inboundCount = new AtomicInteger();
    private final AtomicBoolean retryDelivery = new AtomicBoolean();
    private final ArrayDeque<byte[]> outbound = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile FrameSink sink;
    private volatile boolean closed;
    private long lastRetry;

    /**
     * Opens a user-mode network from the {@code -netdev user} options as single-valued pairs (a map can hold one
     * {@code hostfwd} and one {@code dnssearch} only; use {@link #open(String, List)} for several).
     */
    public static UserNetBackend open(String id, Map<String, String> options) throws ConfigException {
        return open(id, new ArrayList<>(options.entrySet()));
    }

    /**
     * Opens a user-mode network from the {@code -netdev user} options in command-line order, repeated keys
     * ({@code hostfwd}, {@code dnssearch}) as several entries: the form the netdev factory should call.
     */
    public static UserNetBackend open(String id, List<Map.Entry<String, String>> options) throws ConfigException {
        return open(id, UserNetConfig.parse(options), HostResolver.fromSystem());
    }

    /** Opens with an explicit resolver for the DNS proxy (tests). */
    static UserNetBackend open(String id, UserNetConfig config, InetSocketAddress nameserver) throws ConfigException {
        try {
            return new UserNetBackend(id, config, nameserver);
        } catch (IOException e) {
            throw new ConfigException("user networking: cannot start: " + e.getMessage());
        }
    }

    private UserNetBackend(String id, UserNetConfig config, InetSocketAddress nameserver) throws IOException,
            ConfigException {
        this.id = id;
        this.config = config;
        this.selector = Selector.open();
        this.stack = new UserStack(config, nameserver, counters, selector, this::toGuest,
                () -> outbound.size() >= BACKLOG_HIGH);
        for (int i = 0; i < config.hostForwards().size(); i++) {
            HostForward f = config.hostForwards().get(i);
            try {
                if (f.udp()) {
                    stack.udp.forward(f);
                } else {
                    stack.tcp.forward(f);
                }
            } catch (IOException e) {
                stack.closeAll();
                selector.close();
                throw new ConfigException("Could not set up host forwarding rule '" + config.hostForwardRules().get(i) + "'");
            }
        }
        this.thread = Thread.ofPlatform().daemon().name("user-net " + id).unstarted(this::run);
        thread.start();
    }

    @Override
    public String id() {
        return id;
    }

    /** QEMU 7.2's {@code info network} line for a user netdev. */
    @Override
    public String describe() {
        return id + ": index=0,type=user,net=" + Bytes.ip(config.network()) + ",restrict="
                + (config.restrict() ? "on" : "off");
    }

    @Override
    public void start(FrameSink toGuest) {
        this.sink = toGuest;
        receiveReady();
    }

    @Override
    public void send(ByteBuffer frame) {
        if (closed) {
            return;
        }
        int len = frame.remaining();
        if (len > Ethernet.MAX_FRAME || len < Ethernet.HEADER) {
            counters.add("ethernet.malformed");
            return;
        }
        if (inboundCount.get() >= MAX_INBOUND) {
            counters.add("fromGuest.queueFull");
            return;
        }
        byte[] copy = new byte[len];
        frame.duplicate().get(copy);
        inbound.add(copy);
        if (inboundCount.getAndIncrement() == 0) {
            selector.wakeup();
        }
    }

    @Override
    public void receiveReady() {
        if (retryDelivery.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The stack's event counters (drops by cause). */
    public NetCounters counters() {
        return counters;
    }

    /** The effective options. */
    public UserNetConfig config() {
        return config;
    }

    /** Host channels open now (connections, UDP flows, forward listeners); 0 once closed. Selector thread's view. */
    public int openChannels() {
        return onLoop(stack::openChannels);
    }

    /** Open TCP connections (any state); asked of the selector thread. */
    public int tcpConnections() {
        return onLoop(stack.tcp::connectionCount);
    }

    /** Shortens the UDP idle times (tests): flows then close after {@code ns} (DNS-only ones too). */
    void udpIdle(long ns) {
        onLoop(() -> {
            stack.udp.idleNs = ns;
            stack.udp.dnsIdleNs = ns;
            return 0;
        });
    }

    /** Runs a question on the selector thread (its data is that thread's only) and waits for the answer. */
    private int onLoop(IntSupplier question) {
        if (!thread.isAlive()) {
            return question.getAsInt();
        }
        CompletableFuture<Integer> answer = new CompletableFuture<>();
        tasks.add(() -> answer.complete(question.getAsInt()));
        selector.wakeup();
        try {
            return answer.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (ExecutionException | TimeoutException e) {
            return thread.isAlive() ? -1 : question.getAsInt();
        }
    }

    /** The host port a forward rule listens on (useful with host port 0); -1 for no such rule. */
    public int forwardedPort(HostForward rule) {
        try {
            return rule.udp() ? stack.udp.boundPort(rule) : stack.tcp.boundPort(rule);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Whether the selector thread is still running. */
    public boolean running() {
        return thread.isAlive();
    }

    private void run() {
        try {
            while (!closed) {
                long now = System.nanoTime();
                long sleep = Math.min(MAX_SLEEP_NS, stack.nextDeadline() - now);
                if (!outbound.isEmpty()) {
                    sleep = Math.min(sleep, RETRY_NS);
                }
                if (inboundCount.get() > 0 || retryDelivery.get() || !tasks.isEmpty() || sleep <= 0) {
                    selector.selectNow();
                } else {
                    selector.select(Math.max(1, sleep / 1_000_000));
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    if (k.isValid() && k.attachment() instanceof IoHandler h) {
                        handle(h, k);
                    }
                }
                selector.selectedKeys().clear();
                drainInbound();
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    task.run();
                }
                now = System.nanoTime();
                if (retryDelivery.getAndSet(false) || (!outbound.isEmpty() && now - lastRetry > RETRY_NS)) {
                    lastRetry = now;
                    retry();
                }
                stack.tick(now);
                stack.flush();
            }
        } catch (IOException | RuntimeException e) {
            counters.add("stack.bug");
            DebugLog.log(DebugLog.Category.GUEST_ERRORS,
                    "user-net %s: selector thread stopped: %s", id, e);
        } finally {
            stack.closeAll();
            try {
                selector.close();
            } catch (IOException e) {
                // closing anyway
            }
            outbound.clear();
            inbound.clear();
        }
    }

    private void handle(IoHandler h, SelectionKey k) {
        try {
            h.ready(k);
        } catch (RuntimeException e) {
            counters.add("stack.bug");
            DebugLog.log(DebugLog.Category.GUEST_ERRORS,
                    "user-net %s: host event failed: %s", id, e);
        }
    }

    private void drainInbound() {
        for (int i = 0; i < 256; i++) {
            byte[] f = inbound.poll();
            if (f == null) {
                return;
            }
            inboundCount.decrementAndGet();
            stack.input(f, f.length);
        }
        if (inboundCount.get() > 0) {
            selector.wakeup();
        }
    }

    private void retry() {
        FrameSink s = sink;
        if (s == null) {
            return;
        }
        boolean wasBacklogged = outbound.size() >= BACKLOG_HIGH;
        while (!outbound.isEmpty() && s.deliver(ByteBuffer.wrap(outbound.peek()))) {
            outbound.poll();
        }
        if (wasBacklogged && outbound.size() < BACKLOG_HIGH) {
            stack.resumeOutput();
        }
    }

    /** A frame for the guest (selector thread). */
    private void toGuest(byte[] frame) {
        FrameSink s = sink;
        if (outbound.isEmpty() && s != null && s.deliver(ByteBuffer.wrap(frame))) {
            return;
        }
        if (outbound.size() >= MAX_OUTBOUND) {
            counters.add("toGuest.queueFull");
            return;
        }
        outbound.add(frame);
    }
}
