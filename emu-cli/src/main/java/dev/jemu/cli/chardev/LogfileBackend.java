package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.ForwardingCharBackend;
import dev.jemu.core.machine.ConfigException;
import java.io.FileOutputStream;
import java.io.IOException;

/** QEMU's {@code logfile=PATH[,logappend=on]}: everything the guest sends is also written to a file. */
public final class LogfileBackend extends ForwardingCharBackend {
    private final OutputBuffer log;

    public LogfileBackend(CharBackend inner, String path, boolean append) throws ConfigException {
        super(inner);
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
    public void close() {
        inner.close();
        log.close();
    }
}
