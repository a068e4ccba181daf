package dev.jemu.cli.monitor;

import dev.jemu.core.control.ControlException;
import dev.jemu.core.control.MachineEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * One QMP client: greeting, capabilities negotiation, then commands, answered one at a time in the order they
 * came (as QEMU's monitor does without out-of-band execution), and events once negotiated. Every message is
 * checked as QEMU checks it, with QEMU's error classes and texts; {@code id} is echoed. Replies and events are
 * JSON lines ending in CR LF, as QEMU writes them.
 */
final class QmpSession implements MonitorSession, QmpStreamer.Sink {
    private final MonitorContext ctx;
    private final Channel channel;
    private final QmpStreamer streamer = new QmpStreamer(this);
    private final Consumer<MachineEvent> events = this::event;
    // guarded by this
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean busy;
    private volatile boolean negotiated;
    private volatile boolean oob;
    private volatile boolean closed;

    QmpSession(MonitorContext ctx, Channel channel) {
        this.ctx = ctx;
        this.channel = channel;
    }

    @Override
    public void opened() {
        send(QmpCommands.ordered("QMP", QmpCommands.ordered("version", QmpCommands.version(ctx),
                "capabilities", List.of("oob"))));
        ctx.control().addListener(events);
    }

    @Override
    public void closed() {
        closed = true;
        ctx.control().removeListener(events);
    }

    @Override
    public void input(byte[] data, int off, int len) {
        streamer.feed(data, off, len);
    }

    @Override
    public void message(String text) {
        enqueue(() -> handle(text));
    }

    @Override
    public void error(String desc) {
        enqueue(() -> reply(null, false, errorBody("GenericError", desc)));
    }

    private void enqueue(Runnable r) {
        synchronized (this) {
            if (busy) {
                queue.add(r);
                return;
            }
            busy = true;
        }
        r.run();
    }

    /** The current message is answered: take the next one. */
    private void next() {
        Runnable r;
        synchronized (this) {
            r = queue.poll();
            if (r == null) {
                busy = false;
                return;
            }
        }
        r.run();
    }

    private void handle(String text) {
        Object msg;
        try {
            msg = QmpJson.parse(text);
        } catch (QmpJson.JsonException e) {
            reply(null, false, errorBody("GenericError", e.getMessage()));
            return;
        }
        if (!(msg instanceof Map<?, ?> raw)) {
            reply(null, false, errorBody("GenericError", "QMP input must be a JSON object"));
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) raw;
        boolean hasId = m.containsKey("id");
        Object id = m.get("id");
        String name = null;
        Map<String, Object> args = Map.of();
        try {
            for (Map.Entry<String, Object> e : m.entrySet()) {
                switch (e.getKey()) {
                    case "execute", "exec-oob" -> {
                        if (e.getKey().equals("exec-oob") && !oob) {
                            throw QmpCommands.QmpError.generic("QMP input member 'exec-oob' is unexpected");
                        }
                        if (!(e.getValue() instanceof String s)) {
                            throw QmpCommands.QmpError.generic("QMP input member '" + e.getKey() + "' must be a string");
                        }
                        name = s;
                    }
                    case "arguments" -> {
                        if (!(e.getValue() instanceof Map<?, ?> a)) {
                            throw QmpCommands.QmpError.generic("QMP input member 'arguments' must be an object");
                        }
                        @SuppressWarnings("unchecked")
                        Map<String, Object> typed = (Map<String, Object>) a;
                        args = typed;
                    }
                    case "id" -> { }
                    default -> throw QmpCommands.QmpError.generic("QMP input member '" + e.getKey() + "' is unexpected");
                }
            }
            if (name == null) {
                throw QmpCommands.QmpError.generic("QMP input lacks member 'execute'");
            }
            boolean capabilities = name.equals("qmp_capabilities");
            if (!negotiated && !capabilities) {
                throw new QmpCommands.QmpError("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
            }
            if (negotiated && capabilities) {
                throw new QmpCommands.QmpError("CommandNotFound", "Capabilities negotiation is already complete, command ignored");
            }
            QmpCommands.Command c = QmpCommands.find(name);
            if (c == null) {
                throw new QmpCommands.QmpError("CommandNotFound", "The command " + name + " has not been found");
            }
            QmpCommands.check(c, args);
            if (capabilities) {
                negotiate(args);
                reply(id, hasId, QmpCommands.ordered("return", Map.of()));
                return;
            }
            CompletableFuture<Object> result = c.handler().run(ctx, args);
            result.whenComplete((v, t) -> {
                if (t != null) {
                    reply(id, hasId, failure(t));
                } else if (v instanceof QmpCommands.AfterReply after) {
                    send(replyMessage(id, hasId, QmpCommands.ordered("return", after.value())));
                    after.then().run();
                    next();
                } else {
                    reply(id, hasId, QmpCommands.ordered("return", v));
                }
            });
        } catch (RuntimeException e) {
            reply(id, hasId, failure(e));
        }
    }

    private void negotiate(Map<String, Object> args) {
        Object enable = args.get("enable");
        boolean wantOob = false;
        if (enable instanceof List<?> l) {
            for (Object cap : l) {
                if (!"oob".equals(cap)) {
                    // QEMU's own wording for an unknown capability
                    throw QmpCommands.QmpError.generic("Parameter 'null' does not accept value '" + cap + "'");
                }
                wantOob = true;
            }
        }
        oob = wantOob;
        negotiated = true;
    }

    private static Map<String, Object> failure(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof QmpCommands.QmpError q) {
            return errorBody(q.errorClass, q.getMessage());
        }
        if (c instanceof ControlException) {
            return errorBody("GenericError", c.getMessage());
        }
        return errorBody("GenericError", "internal error: " + c);
    }

    private static Map<String, Object> errorBody(String errorClass, String desc) {
        return QmpCommands.ordered("error", QmpCommands.ordered("class", errorClass, "desc", desc));
    }

    /** Sends a reply (QEMU puts {@code id} after {@code return} and before {@code error}) and takes the next message. */
    private void reply(Object id, boolean hasId, Map<String, Object> body) {
        send(replyMessage(id, hasId, body));
        next();
    }

    private static Map<String, Object> replyMessage(Object id, boolean hasId, Map<String, Object> body) {
        if (!hasId) {
            return body;
        } else if (body.containsKey("return")) {
            return QmpCommands.ordered("return", body.get("return"), "id", id);
        }
        return QmpCommands.ordered("id", id, "error", body.get("error"));
    }

    private void event(MachineEvent e) {
        if (!negotiated || closed) {
            return;
        }
        Map<String, Object> m = QmpCommands.ordered("timestamp", QmpCommands.ordered(
                "seconds", e.timestampMicros() / 1_000_000, "microseconds", e.timestampMicros() % 1_000_000),
                "event", e.name());
        if (!e.data().isEmpty()) {
            m.put("data", e.data());
        }
        send(m);
    }

    private void send(Object json) {
        if (!closed) {
            channel.send((QmpJson.write(json) + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
    }
}
