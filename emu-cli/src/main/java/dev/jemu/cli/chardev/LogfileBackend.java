package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.machine.ConfigException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.function.Consumer;

/** QEMU's {@code logfile=PATH[,logappend=on]}: everything the guest sends is also written to a file. */
public final class LogfileBackend implements CharBackend {
    private final CharBackend inner;
    private final OutputBuffer log;

    public LogfileBackend(CharBackend inner, String path, boolean append) throws ConfigException {
        this.inner = inner;
        try {
            log = new OutputBuffer(new FileOutputStream(path, append), "jemu-chardev-log");
        } catch (IOException e) {
            throw new ConfigException("Could not create '" + path + "': " + FileBackend.reason(e));
        }
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        log.write(data, offset, length);
        inner.write(data, offset, length);
    }

    @Override
    public void connect(CharReceiver receiver, Consumer<Runnable> poster) {
        inner.connect(receiver, poster);
    }

    @Override
    public void receiverReady() {
        inner.receiverReady();
    }

    @Override
    public void close() {
        inner.close();
        log.close();
    }
}
