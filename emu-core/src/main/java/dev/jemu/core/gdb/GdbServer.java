package dev.jemu.core.gdb;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A gdb stub listening on a socket (tcp or unix): one client at a time, as QEMU's (a second one waits until the
 * first has gone), each served by a {@link GdbSession} on this server's thread. {@link #close} tells a connected
 * client the machine exited ({@code W00}) and stops listening.
 */
public final class GdbServer implements AutoCloseable {
    private final GdbStub stub;
    private final ServerSocketChannel listener;
    private final String description;
    private final CountDownLatch firstClient = new CountDownLatch(1);
    private volatile GdbSession current;
    private volatile SocketChannel client;
    private volatile boolean closed;

    /**
     * Serves {@code listener} (bound and listening) from now on.
     *
     * @param description how messages name it: {@code tcp::1234}
     */
    public GdbServer(GdbStub stub, ServerSocketChannel listener, String description) {
        this.stub = stub;
        this.listener = listener;
        this.description = description;
        Thread.ofPlatform().name("jemu-gdbstub").daemon().start(this::serve);
    }

    public String description() {
        return description;
    }

    /** Waits until the first client has connected ({@code wait=on}). */
    public void awaitFirstClient() throws InterruptedException {
        firstClient.await();
    }

    private void serve() {
        while (!closed) {
            try (SocketChannel ch = listener.accept()) {
                client = ch;
                stub.control().stop(); // posted now: with wait=on the machine stops before its first instruction
                firstClient.countDown();
                GdbSession s = new GdbSession(stub, Channels.newInputStream(ch), Channels.newOutputStream(ch));
                current = s;
                try {
                    s.run();
                } finally {
                    current = null;
                    client = null;
                }
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                // one client's broken connection or a machine that did not answer: the next may connect
            }
        }
    }

    /** The machine ends: a connected gdb hears {@code W00}; the socket closes (a unix socket's file goes). */
    @Override
    public void close() {
        closed = true;
        GdbSession s = current;
        if (s != null) {
            s.machineExited();
        }
        try {
            SocketChannel c = client;
            if (c != null) {
                c.close();
            }
            var addr = listener.getLocalAddress();
            listener.close();
            if (addr instanceof UnixDomainSocketAddress u) {
                Files.deleteIfExists(Path.of(u.getPath().toString()));
            }
        } catch (IOException e) {
            // closing is best effort
        }
        firstClient.countDown();
    }
}
