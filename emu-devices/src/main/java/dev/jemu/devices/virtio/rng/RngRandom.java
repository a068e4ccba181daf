package dev.jemu.devices.virtio.rng;

import dev.jemu.core.machine.ConfigException;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code -object rng-random,id=ID,filename=FILE}: bytes read from a host file, /dev/urandom by default. The
 * file is opened when the object is made, as QEMU does, so a missing file fails before the machine starts.
 */
public final class RngRandom implements RngBackend {
    public static final String DEFAULT_FILE = "/dev/urandom";

    private final String id;
    private final String file;
    private final FileInputStream in;

    public RngRandom(String id, String file) throws ConfigException {
        this.id = id;
        this.file = file;
        Path p = Path.of(file);
        if (!Files.exists(p)) {
            throw new ConfigException("Could not open '" + file + "': No such file or directory");
        }
        if (Files.isDirectory(p)) {
            throw new ConfigException("Could not open '" + file + "': Is a directory");
        }
        try {
            this.in = new FileInputStream(p.toFile());
        } catch (IOException | SecurityException e) {
            throw new ConfigException("Could not open '" + file + "': Permission denied");
        }
    }

    @Override
    public String id() {
        return id;
    }

    public String file() {
        return file;
    }

    @Override
    public int read(byte[] dst, int off, int n) throws IOException {
        return in.read(dst, off, n);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // nothing was written
        }
    }
}
