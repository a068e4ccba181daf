package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.machine.ConfigException;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * {@code -serial file:PATH}, {@code -chardev file,path=PATH[,append=on]}: output goes to a file (created, and
 * truncated unless {@code append=on}, as QEMU does); no input.
 */
public final class FileBackend implements CharBackend {
    private final OutputBuffer out;

    public FileBackend(Path path) throws ConfigException {
        this(path, false);
    }

    public FileBackend(Path path, boolean append) throws ConfigException {
        try {
            out = new OutputBuffer(new FileOutputStream(path.toFile(), append), "jemu-serial-file");
        } catch (IOException e) {
            throw new ConfigException("Could not open '" + path + "': " + reason(e));
        }
    }

    /** The OS's reason, without Java's "PATH (...)" wrapping of it. */
    static String reason(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof FileNotFoundException && m.endsWith(")") && m.contains(" (")) {
            return m.substring(m.lastIndexOf(" (") + 2, m.length() - 1);
        }
        return m;
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
