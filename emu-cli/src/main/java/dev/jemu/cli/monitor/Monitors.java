package dev.jemu.cli.monitor;

import dev.jemu.cli.chardev.MuxBackend;
import dev.jemu.cli.chardev.Terminal;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.migration.Migration;
import dev.jemu.devices.snapshot.SnapshotMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Starts the monitors a command line asks for on a built machine: the socket server for every unix/tcp
 * monitor, a session on stdio for {@code -monitor stdio} / {@code -qmp stdio}, and HMP on the console mux
 * ({@code mon:stdio}, the {@code -nographic} default) behind Ctrl-A c. Closing flushes what clients are owed
 * (the reply to {@code quit}) and removes the unix sockets.
 */
public final class Monitors implements AutoCloseable {
    private final MonitorServer server;
    private Terminal rawStdin;
    private MonitorContext ctx;

    private Monitors(MonitorServer server) {
        this.server = server;
    }

    /**
     * Starts the gdb stub on {@code device} ({@code -s} / {@code -gdb}; null: none); with {@code wait=on} returns
     * once gdb has connected.
     */
    public void startGdb(String device, String origin, PrintStream err) throws ConfigException {
        if (device == null || device.equals("none")) {
            return;
        }
        if (ctx == null) {
            throw new ConfigException(origin + ": this board has no gdb stub support");
        }
        GdbServers.Listen l = ctx.gdb().start(device, origin);
        if (l != null && l.waitForClient()) {
            ctx.gdb().awaitClient(err, l);
        }
    }

    /**
     * @param muxes the serial ports' {@code mon:} muxes (the {@code mon:stdio} console); each gets HMP
     */
    public static Monitors start(List<MonitorSpec> specs, Machine machine, String packageName, String vmName,
                                 String machineName, String architecture, InputStream in, OutputStream out,
                                 boolean terminal, List<MuxBackend> muxes, PrintStream err, Migration migration)
            throws ConfigException {
        if (machine.control() == null) {
            if (!specs.isEmpty()) {
                throw new ConfigException(specs.get(0).origin() + ": the " + machineName + " board has no monitor support");
            }
            return new Monitors(null);
        }
        MonitorContext ctx = new MonitorContext(machine.control(), packageName, vmName, machineName, architecture,
                machine instanceof SnapshotMachine sm ? sm : null, migration);
        MonitorServer server = null;
        Monitors m;
        ctx.gdb().monitor(line -> new Hmp(ctx).execute(line));
        try {
            if (specs.stream().anyMatch(s -> !s.stdio())) {
                server = new MonitorServer();
            }
            m = new Monitors(server);
            m.ctx = ctx;
            for (MonitorSpec s : specs) {
                if (s.stdio()) {
                    m.stdio(s, ctx, in, out, terminal);
                    continue;
                }
                Function<MonitorSession.Channel, MonitorSession> sessions = s.qmp()
                        ? ch -> new QmpSession(ctx, ch) : ch -> new HmpSession(ctx, ch);
                CountDownLatch first;
                try {
                    first = server.listen(s.address(), sessions);
                } catch (IOException e) {
                    throw new ConfigException(s.origin() + ": Failed to bind socket: " + e.getMessage());
                }
                if (s.waitForClient()) {
                    server.start();
                    err.println("jemu: waiting for connection on: disconnected:" + s.describe());
                    try {
                        first.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        } catch (IOException e) {
            if (server != null) {
                server.close();
            }
            throw new ConfigException("monitor: " + e.getMessage());
        } catch (ConfigException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            throw e;
        }
        if (server != null) {
            server.start();
        }
        for (MuxBackend mux : muxes) {
            m.mux(ctx, mux);
        }
        return m;
    }

    private void stdio(MonitorSpec s, MonitorContext ctx, InputStream in, OutputStream out, boolean terminal) {
        if (terminal && rawStdin == null) {
            rawStdin = Terminal.raw(true);
        }
        MonitorSession.Channel ch = new MonitorSession.Channel() {
            @Override
            public void send(byte[] data) {
                synchronized (out) {
                    try {
                        out.write(data);
                        out.flush();
                    } catch (IOException e) {
                        // stdout went away: nothing to tell
                    }
                }
            }

            @Override
            public void close() {
            }
        };
        BiFunction<MonitorContext, MonitorSession.Channel, MonitorSession> make = s.qmp() ? QmpSession::new : HmpSession::new;
        MonitorSession session = make.apply(ctx, ch);
        session.opened();
        Thread.ofPlatform().name("jemu-monitor-stdin").daemon().start(() -> {
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    session.input(buf, 0, n);
                }
            } catch (IOException e) {
                // end of the monitor's input
            }
            // stdout stays open after stdin ends: answers still pending (a quit's) and events are still written
        });
    }

    /** HMP behind the console mux: Ctrl-A c switches the keyboard between the guest's serial port and it. */
    private void mux(MonitorContext ctx, MuxBackend console) {
        MonitorSession.Channel ch = new MonitorSession.Channel() {
            @Override
            public void send(byte[] data) {
                console.monitorOutput(data);
            }

            @Override
            public void close() {
            }
        };
        HmpSession session = new HmpSession(ctx, ch);
        console.attachMonitor(new MuxBackend.MuxMonitor() {
            @Override
            public void focusIn() {
                session.showPrompt();
            }

            @Override
            public void focusOut() {
                ch.send("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }

            @Override
            public void input(byte[] data, int off, int len) {
                session.input(data, off, len);
            }
        });
    }

    @Override
    public void close() {
        if (ctx != null) {
            ctx.gdb().close(); // a connected gdb hears that the machine exited (W00)
        }
        if (server != null) {
            server.close();
        }
        if (rawStdin != null) {
            rawStdin.close();
        }
    }
}
