package dev.jemu.devices.block;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The host file under an image: positional reads and writes on a {@link FileChannel} that turn every
 * host error and every short read of metadata into a one-line {@link BlockException}. It also refuses
 * writes past {@link #MAX_OFFSET}, so a corrupt pointer can never make us grow a file to exabytes.
 */
public final class ImageFile implements Closeable {
    /** qcow2 host offsets have 56 bits; nothing we write may go beyond. */
    public static final long MAX_OFFSET = 1L << 56;

    private final Path path;
    private final FileChannel channel;
    private final boolean readOnly;
    /** The lock bytes held on the file (QEMU's protocol), or null. */
    private ImageLock lock;
    /**
     * Writable files: the file length, kept up to date by our own writes (we are the only writer), so the
     * hot paths that compare offsets with it need no fstat. -1: not known yet (and always for read-only
     * files, which someone else may be growing).
     */
    private long cachedSize = -1;
    /** Whether we wrote (or resized) since the last successful {@link #force}: a clean file needs no sync. */
    private boolean unsynced;

    private ImageFile(Path path, FileChannel channel, boolean readOnly) {
        this.path = path;
        this.channel = channel;
        this.readOnly = readOnly;
    }

    public static ImageFile open(Path path, boolean readOnly) throws BlockException {
        try {
            FileChannel ch = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new ImageFile(path, ch, readOnly);
        } catch (NoSuchFileException e) {
            throw new BlockException("Could not open '" + path + "': No such file or directory");
        } catch (AccessDeniedException e) {
            throw new BlockException("Could not open '" + path + "': Permission denied");
        } catch (IOException | UnsupportedOperationException e) {
            throw new BlockException("Could not open '" + path + "': " + e.getMessage());
        }
    }

    /**
     * Opens an image's file for {@code use} (null: no locks) and takes its lock bytes, as a file with format
     * metadata ({@code metadata}: qcow2, vmdk, vdi) or as a raw image's. Refused: the file is closed again.
     */
    public static ImageFile open(Path path, boolean readOnly, ImageUse use, boolean metadata) throws BlockException {
        ImageFile f = open(path, readOnly);
        if (use == null) return f;
        try {
            f.lock = metadata ? use.lockFormatFile(path, !readOnly) : use.lockRaw(path, !readOnly);
            return f;
        } catch (BlockException e) {
            f.close();
            throw e;
        }
    }

    /**
     * Creates (or truncates) a file for a new image. As QEMU does, an existing file is locked for writing and
     * resizing before it is truncated, so an image in use elsewhere is refused instead of destroyed.
     */
    public static ImageFile create(Path path) throws BlockException {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        } catch (IOException e) {
            throw new BlockException("Could not create '" + path + "': " + e.getMessage());
        }
        ImageFile f = new ImageFile(path, ch, false);
        try {
            f.lock = ImageLock.acquire(path, true, ImageUse.WRITE | ImageUse.RESIZE, ImageUse.RESIZE, Locking.AUTO);
        } catch (BlockException e) {
            f.close();
            throw new BlockException(path + ": " + e.getMessage());
        }
        try {
            ch.truncate(0);
        } catch (IOException e) {
            f.close();
            throw new BlockException("Could not create '" + path + "': " + e.getMessage());
        }
        return f;
    }

    public Path path() {
        return path;
    }

    public boolean readOnly() {
        return readOnly;
    }

    public long size() throws BlockException {
        if (cachedSize >= 0) return cachedSize;
        try {
            long s = channel.size();
            if (s == 0 && !Files.isRegularFile(path)) s = BlockDeviceSize.of(path);
            if (!readOnly) cachedSize = s;
            return s;
        } catch (IOException e) {
            throw new BlockException("Could not get size of '" + path + "': " + e.getMessage());
        }
    }

    /** After a write or a resize of ours: the file is now at least (or, truncating, exactly) this long. */
    private void grewTo(long end) {
        if (cachedSize >= 0 && end > cachedSize) cachedSize = end;
    }

    /** Reads exactly len bytes; running into end of file is an error (truncated metadata). */
    public void readFully(long pos, byte[] b, int off, int len, String what) throws BlockException {
        int n = readUpTo(pos, b, off, len);
        if (n < len) {
            throw new BlockException("image is truncated: " + what + " at offset " + pos + " ends beyond end of file");
        }
    }

    /** Reads up to len bytes, filling the part beyond end of file with zeroes; returns the bytes read. */
    public int readUpTo(long pos, byte[] b, int off, int len) throws BlockException {
        return readUpTo(pos, ByteBuffer.wrap(b, off, len));
    }

    /**
     * {@link #readUpTo(long, byte[], int, int)} into a memory segment. A native segment is read into
     * directly; a heap one goes through the JDK's temporary direct buffer, as a byte array does.
     */
    public int readUpTo(long pos, MemorySegment dst) throws BlockException {
        return readUpTo(pos, dst.asByteBuffer());
    }

    private int readUpTo(long pos, ByteBuffer bb) throws BlockException {
        if (pos < 0) throw BlockException.corrupt("negative file offset");
        int start = bb.position(), len = bb.remaining();
        int total = 0;
        try {
            while (bb.hasRemaining()) {
                int r = channel.read(bb, pos + total);
                if (r < 0) break;
                total += r;
            }
        } catch (IOException e) {
            throw new BlockException("read error on '" + path + "': " + e.getMessage());
        }
        if (bb.hasRemaining()) MemorySegment.ofBuffer(bb).fill((byte) 0); // beyond end of file reads as zeroes
        bb.position(start);
        return total < len ? total : len;
    }

    public void write(long pos, byte[] b, int off, int len) throws BlockException {
        write(pos, ByteBuffer.wrap(b, off, len));
    }

    /** {@link #write(long, byte[], int, int)} from a memory segment (native ones without a copy). */
    public void write(long pos, MemorySegment src) throws BlockException {
        write(pos, src.asByteBuffer());
    }

    private void write(long pos, ByteBuffer bb) throws BlockException {
        int len = bb.remaining();
        if (readOnly) throw new BlockException("image '" + path + "' is opened read-only");
        if (pos < 0 || pos + len > MAX_OFFSET || pos + len < pos) {
            throw BlockException.corrupt("refusing to write at host offset " + pos + " (out of range)");
        }
        long p = pos;
        unsynced = true;
        try {
            while (bb.hasRemaining()) p += channel.write(bb, p);
        } catch (IOException e) {
            cachedSize = -1; // a partial write may have grown the file
            throw new BlockException("write error on '" + path + "': " + e.getMessage());
        }
        grewTo(p);
    }

    public long readLong(long pos, String what) throws BlockException {
        byte[] b = new byte[8];
        readFully(pos, b, 0, 8, what);
        return Bytes.getLong(b, 0);
    }

    public void writeLong(long pos, long v) throws BlockException {
        byte[] b = new byte[8];
        Bytes.putLong(b, 0, v);
        write(pos, b, 0, 8);
    }

    public void writeInt(long pos, int v) throws BlockException {
        byte[] b = new byte[4];
        Bytes.putInt(b, 0, v);
        write(pos, b, 0, 4);
    }

    public void truncate(long size) throws BlockException {
        cachedSize = -1;
        unsynced = true;
        try {
            if (size < channel.size()) channel.truncate(size);
            else if (size > channel.size()) {
                if (Files.isRegularFile(path)) {
                    // ftruncate: the new part is a hole, as qemu grows files (no block allocated at the end)
                    try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(path.toFile(), "rw")) {
                        raf.setLength(size);
                    }
                } else {
                    channel.write(ByteBuffer.allocate(1), size - 1);
                }
            }
        } catch (IOException e) {
            throw new BlockException("could not resize '" + path + "': " + e.getMessage());
        }
    }

    /** Makes all writes so far durable (fdatasync); nothing to do when we wrote nothing since the last one. */
    public void force() throws BlockException {
        if (readOnly || !unsynced) return;
        try {
            channel.force(false);
            unsynced = false;
        } catch (IOException e) {
            throw new BlockException("flush error on '" + path + "': " + e.getMessage());
        }
    }

    /** Whether a {@link #force} would have anything to sync (tests). */
    boolean unsynced() {
        return unsynced;
    }

    /** Bytes the file occupies on the host (st_blocks * 512), as qemu-img's "disk size". */
    public long allocatedBytes() {
        long b = HostFileStat.allocatedBytes(path);
        if (b >= 0) return b;
        try {
            return channel.size();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() throws BlockException {
        if (lock != null) lock.close();
        try {
            channel.close();
        } catch (IOException e) {
            throw new BlockException("close error on '" + path + "': " + e.getMessage());
        }
    }
}
