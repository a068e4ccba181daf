package dev.jemu.devices.net;

import dev.jemu.core.machine.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * QEMU's {@code -object filter-dump,id=ID,netdev=NETDEV,file=PATH[,maxlen=N]}: every frame that passes the
 * netdev, both ways, appended to a classic libpcap file (LINKTYPE_ETHERNET, microsecond timestamps, the host's
 * byte order as QEMU writes it), frames cut to {@code maxlen} bytes (65536 by default). As a {@link NetBackend}
 * it wraps the netdev: the NIC talks to it and it to the netdev. Each record is one write, so the file is
 * readable (tcpdump -r) while the VM runs.
 */
public final class PcapDump implements NetBackend {
    public static final int DEFAULT_MAXLEN = 65536;
    private static final int LINKTYPE_ETHERNET = 1;

    private final NetBackend inner;
    private final FileChannel file;
    private final int maxlen;
    private final String filterId;
    private final Path path;
    private final boolean toNetdev, fromNetdev;
    private boolean failed;

    /**
     * @param toNetdev   dump the guest's frames (QEMU's {@code queue=rx}: sent to the netdev)
     * @param fromNetdev dump the frames for the guest ({@code queue=tx})
     */
    public PcapDump(String filterId, NetBackend inner, Path path, int maxlen, boolean toNetdev, boolean fromNetdev,
            String opt) throws ConfigException {
        this.inner = inner;
        this.toNetdev = toNetdev;
        this.fromNetdev = fromNetdev;
        this.maxlen = maxlen;
        this.filterId = filterId;
        this.path = path;
        try {
            file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(maxlen)
                    .putInt(LINKTYPE_ETHERNET).flip();
            file.write(h);
        } catch (IOException e) {
            throw new ConfigException(opt + ": filter-dump: cannot create '" + path + "': " + e.getMessage());
        }
    }

    public String filterId() {
        return filterId;
    }

    public Path path() {
        return path;
    }

    /** Appends one record (any thread). */
    private synchronized void record(ByteBuffer frame) {
        if (failed) {
            return;
        }
        int len = frame.remaining();
        int caplen = Math.min(len, maxlen);
        java.time.Instant now = java.time.Instant.now();
        ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        h.putInt((int) now.getEpochSecond()).putInt(now.getNano() / 1000).putInt(caplen).putInt(len).flip();
        ByteBuffer data = frame.duplicate();
        data.limit(data.position() + caplen);
        try {
            file.write(new ByteBuffer[] {h, data});
        } catch (IOException e) {
            failed = true; // QEMU stops dumping after a write error, the VM goes on
            System.err.println("jemu: filter-dump " + filterId + ": " + e.getMessage() + "; no more packets dumped");
        }
    }

    @Override
    public String id() {
        return inner.id();
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void start(FrameSink toGuest) {
        inner.start(frame -> {
            ByteBuffer seen = frame.duplicate();
            boolean taken = toGuest.deliver(frame);
            if (taken && fromNetdev) {
                record(seen);
            }
            return taken;
        });
    }

    @Override
    public void send(ByteBuffer frame) {
        if (toNetdev) {
            record(frame);
        }
        inner.send(frame);
    }

    @Override
    public void receiveReady() {
        inner.receiveReady();
    }

    @Override
    public void close() {
        inner.close();
        synchronized (this) {
            try {
                file.close();
            } catch (IOException e) {
                // every record was written when it came
            }
        }
    }
}
