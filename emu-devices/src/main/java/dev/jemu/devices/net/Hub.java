package dev.jemu.devices.net;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's hub 0, what the legacy {@code -net nic} / {@code -net TYPE} options join: every frame that comes in on
 * one port goes out on all the others (NICs and backends alike). A NIC that cannot take a frame misses it, as on
 * a real hub. The backends start with the first NIC.
 */
public final class Hub {
    private final List<NetBackend> backends = new ArrayList<>();
    private final List<Port> nics = new ArrayList<>();
    private boolean started;

    public void addBackend(NetBackend b) {
        backends.add(b);
    }

    public List<NetBackend> backends() {
        return backends;
    }

    /** A new NIC port: the backend the NIC talks to. */
    public NetBackend nicPort(String name) {
        Port p = new Port(name);
        nics.add(p);
        return p;
    }

    public int nicCount() {
        return nics.size();
    }

    private synchronized void forward(Object from, ByteBuffer frame) {
        for (Port p : nics) {
            if (p != from && p.sink != null) {
                p.sink.deliver(frame.duplicate());
            }
        }
        for (NetBackend b : backends) {
            if (b != from) {
                b.send(frame.duplicate());
            }
        }
    }

    private synchronized void startBackends() {
        if (started) {
            return;
        }
        started = true;
        for (NetBackend b : backends) {
            b.start(frame -> {
                forward(b, frame);
                return true;
            });
        }
    }

    private final class Port implements NetBackend {
        private final String name;
        private volatile FrameSink sink;

        Port(String name) {
            this.name = name;
        }

        @Override
        public String id() {
            return name;
        }

        @Override
        public String describe() {
            StringBuilder s = new StringBuilder("hub 0");
            for (NetBackend b : backends) {
                s.append("\n \\ ").append(b.describe());
            }
            return s.toString();
        }

        @Override
        public void start(FrameSink toGuest) {
            sink = toGuest;
            startBackends();
        }

        @Override
        public void send(ByteBuffer frame) {
            forward(this, frame);
        }

        @Override
        public void close() {
            synchronized (Hub.this) {
                nics.remove(this);
                if (nics.isEmpty()) {
                    backends.forEach(NetBackend::close);
                }
            }
        }
    }
}
