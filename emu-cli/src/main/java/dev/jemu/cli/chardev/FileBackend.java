package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.machine.ConfigException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** {@code -serial file:PATH}: output goes to a file (created or truncated, as QEMU does); no input. */
public final class FileBackend implements CharBackend {
    private final OutputBuffer out;

    public FileBackend(Path path) throws ConfigException {
        try {
            out = new OutputBuffer(new FileOutputStream(path.toFile()), "jemu-serial-file");
        } catch (IOException e) {
            throw new ConfigException("-serial file:" + path + ": cannot open: " + e.getMessage());
        }
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        out.write(data, offset, length);
    }

    @Override
    public void connect(CharReceiver receiver, Consumer<Runnable> poster) {
    }

    @Override
    public void close() {
        out.close();
    }
}
