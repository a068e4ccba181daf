package dev.jemu.cli.monitor;

import dev.jemu.cli.chardev.ChardevSpec;
import dev.jemu.cli.chardev.UnixListen;
import dev.jemu.core.control.MachineControl;
import dev.jemu.core.gdb.GdbServer;
import dev.jemu.core.gdb.GdbStub;
import dev.jemu.core.machine.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The gdb stub of one machine as the command line and HMP start it: {@code -s} ({@code tcp::1234}),
 * {@code -gdb DEV} and {@code gdbserver [DEV|none]}. DEV is a chardev in {@code -serial}'s short form (parsed
 * by {@link ChardevSpec}): {@code tcp:[HOST]:PORT} (always a server that does not wait, as QEMU makes it) or
 * {@code unix:PATH,server=on[,wait=off]}; {@code none} stops the stub. One stub at a time: starting another
 * replaces it, as QEMU's {@code gdbserver_start} does.
 */
public final class GdbServers implements AutoCloseable {
    public static final String DEFAULT_DEVICE = "tcp::1234";

    private final MachineControl control;
    private volatile Function<String, CompletableFuture<String>> hmp = line -> CompletableFuture.completedFuture("");
    private GdbServer current;

    GdbServers(MachineControl control) {
        this.control = control;
    }

    /** Where gdb's {@code monitor CMD} goes: one HMP command line, its output. */
    void monitor(Function<String, CompletableFuture<String>> hmp) {
        this.hmp = hmp;
    }

    /** A listening socket for DEV and whether gdb must connect before the machine runs (wait=on). */
    record Listen(ServerSocketChannel channel, boolean waitForClient, String description) {
    }

    /**
     * Starts the stub on {@code device} (null or {@code none}: none), replacing the one before; with wait=on
     * the caller waits for the first client ({@link #awaitClient}).
     */
    synchronized Listen start(String device, String origin) throws ConfigException {
        stop();
        if (device == null || device.equals("none")) {
            return null;
        }
        if (control.debugCpus().isEmpty()) {
            throw new ConfigException(origin + ": this machine has no CPU a debugger can use");
        }
        Listen l = listen(device, origin);
        current = new GdbServer(new GdbStub(control, control.debugCpus(), line -> hmp.apply(line)), l.channel(), l.description());
        return l;
    }

    synchronized void stop() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    void awaitClient(PrintStream err, Listen l) {
        GdbServer s;
        synchronized (this) {
            s = current;
        }
        if (s == null) {
            return;
        }
        err.println("jemu: waiting for connection on: disconnected:" + l.description());
        try {
            s.awaitFirstClient();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static Listen listen(String device, String origin) throws ConfigException {
        String dev = device.startsWith("tcp:") ? device + ",server=on,wait=off" : device; // QEMU's rule for tcp:
        ChardevSpec c = ChardevSpec.parseShort("-gdb", dev, "gdb");
        if (!c.backend().equals("socket")) {
            throw new ConfigException(origin + ": the gdb stub needs a listening socket: tcp:[HOST]:PORT or "
                    + "unix:PATH,server=on");
        }
        SocketAddress a = MonitorSpec.listenAddress(origin, c, "gdb", "server=on");
        try {
            ServerSocketChannel ch;
            String description;
            if (a instanceof UnixDomainSocketAddress u) {
                ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                UnixListen.bind(ch, u.getPath(), 1);
                description = "unix:" + u.getPath() + ",server=on";
            } else {
                ch = ServerSocketChannel.open();
                ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
                ch.bind(a, 1);
                InetSocketAddress i = (InetSocketAddress) a;
                description = "tcp:" + i.getHostString() + ":" + i.getPort() + ",server=on";
            }
            return new Listen(ch, c.flag("wait", true) && a instanceof UnixDomainSocketAddress, description);
        } catch (IOException e) {
            throw new ConfigException(origin + (a instanceof UnixDomainSocketAddress ? ": Failed to bind socket: "
                    : ": Failed to find an available port: ") + e.getMessage());
        }
    }
}
