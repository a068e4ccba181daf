package dev.jemu.devices.block;

import dev.jemu.core.machine.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An opened {@code -drive}: the image (or, with {@code snapshot=on} / {@code -snapshot}, a temporary qcow2
 * overlay over it that is deleted on close) and its cache mode. Every driver call goes through this object's
 * lock, so the device's I/O thread and the board (reading the disk to boot it) never overlap.
 */
public final class Drive implements AutoCloseable {
    private final DriveOptions options;
    private final BlockDriver driver;
    private final Path overlay;
    private boolean closed;

    private Drive(DriveOptions options, BlockDriver driver, Path overlay) {
        this.options = options;
        this.driver = driver;
        this.overlay = overlay;
    }

    /** Opens the drive's image; {@code globalSnapshot} is {@code -snapshot}. Errors name the option. */
    public static Drive open(DriveOptions o, boolean globalSnapshot) throws ConfigException {
        Path file = Path.of(o.file());
        String format = o.format();
        try {
            if (format != null) {
                BlockFormats.byName(format);
            }
            if (!Files.exists(file)) {
                throw new BlockException("Could not open '" + file + "': No such file or directory");
            }
            if (Files.isDirectory(file)) {
                throw new BlockException("'" + file + "' is a directory");
            }
            boolean snapshot = (o.snapshot() || globalSnapshot) && !o.readOnly();
            if (!snapshot) {
                OpenOptions oo = o.readOnly() ? OpenOptions.readOnlyOpts() : OpenOptions.readWrite();
                return new Drive(o, BlockFormats.open(file, format, oo), null);
            }
            // Writes go to a throw-away qcow2 whose backing file is the drive (opened read-only by qcow2).
            String fmt = format != null ? format : BlockFormats.probe(file).name();
            Path tmp;
            try {
                tmp = Files.createTempFile("jemu-snapshot-", ".qcow2");
            } catch (IOException e) {
                throw new BlockException("cannot create a temporary snapshot overlay: " + e.getMessage());
            }
            tmp.toFile().deleteOnExit();
            try {
                CreateOptions co = new CreateOptions().put("backing_file", file.toAbsolutePath().toString())
                        .put("backing_fmt", fmt);
                BlockFormats.byName("qcow2").create(tmp, -1, co);
                OpenOptions oo = OpenOptions.readWrite().withBarriers(false);
                return new Drive(o, BlockFormats.open(tmp, "qcow2", oo), tmp);
            } catch (BlockException e) {
                deleteQuietly(tmp);
                throw e;
            }
        } catch (BlockException e) {
            throw DriveOptions.error(o.spec(), e.getMessage());
        }
    }

    /** A drive over an image opened elsewhere (tests, embedders): no overlay; closing the drive closes it. */
    public static Drive of(DriveOptions o, BlockDriver driver) {
        return new Drive(o, driver, null);
    }

    public DriveOptions options() {
        return options;
    }

    public String id() {
        return options.id();
    }

    /** Virtual size in bytes. */
    public long size() {
        return driver.size();
    }

    /** Whether the guest must not write (readonly=on, or an image opened read-only). */
    public boolean readOnly() {
        return options.readOnly() || driver.readOnly();
    }

    public synchronized void read(long offset, byte[] buf, int off, int len) throws BlockException {
        driver.read(offset, buf, off, len);
    }

    /** Writes, flushing at once in the write-through cache modes. */
    public synchronized void write(long offset, byte[] buf, int off, int len) throws BlockException {
        driver.write(offset, buf, off, len);
        if (options.cache().writeThrough()) {
            driver.flush();
        }
    }

    /** A guest flush: durable on the host unless {@code cache=unsafe}. */
    public synchronized void flush() throws BlockException {
        if (!options.cache().ignoresFlush()) {
            driver.flush();
        }
    }

    public synchronized void writeZeroes(long offset, long length) throws BlockException {
        driver.writeZeroes(offset, length);
        if (options.cache().writeThrough()) {
            driver.flush();
        }
    }

    /** Discard as the drive's {@code discard=} says: {@code ignore} does nothing. */
    public synchronized void discard(long offset, long length) throws BlockException {
        BlockDriver.checkRange(offset, length, driver.size());
        if (options.discard() == DriveOptions.Discard.UNMAP) {
            driver.discard(offset, length);
        }
    }

    /** Closes the image (flushing it) and deletes a snapshot overlay. Idempotent. */
    @Override
    public synchronized void close() throws BlockException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            driver.close();
        } finally {
            if (overlay != null) {
                deleteQuietly(overlay);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // the JVM's deleteOnExit will try again
        }
    }
}
