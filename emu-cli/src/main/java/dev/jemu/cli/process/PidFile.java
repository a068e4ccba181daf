package dev.jemu.cli.process;

import dev.jemu.core.machine.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * {@code -pidfile FILE}, as QEMU writes it: created with mode 0600, write-locked (a POSIX record lock over the
 * whole file, the kind QEMU's {@code lockf} takes, so a second jemu or QEMU on the same file is refused while
 * this one runs), truncated, the process id and a newline written; removed at exit.
 */
public final class PidFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final Thread hook;
    private boolean closed;

    private PidFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.hook = new Thread(this::close, "jemu-pidfile");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public static PidFile create(String file) throws ConfigException {
        Path p;
        try {
            p = Path.of(file).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new ConfigException("cannot create PID file: invalid file name '" + file + "'");
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(p, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (NoSuchFileException e) {
            throw new ConfigException("cannot create PID file: Could not create '" + file + "': No such file or directory");
        } catch (AccessDeniedException e) {
            throw new ConfigException("cannot create PID file: Could not create '" + file + "': Permission denied");
        } catch (IOException | UnsupportedOperationException e) {
            throw new ConfigException("cannot create PID file: Could not create '" + file + "': " + e.getMessage());
        }
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                throw new ConfigException("cannot create PID file: Cannot lock pid file: Resource temporarily unavailable");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new PidFile(p, ch, lock);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new ConfigException("cannot create PID file: Failed to write pid file: " + e.getMessage());
        }
    }

    /** Removes the file, then releases the lock (so no other process finds our pid in it). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // QEMU does its best too
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // closing
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // we are the hook
        }
    }
}
