package dev.jemu.devices.block;

import dev.jemu.core.machine.ConfigException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An opened {@code -drive}: the image (or, with {@code snapshot=on} / {@code -snapshot}, a temporary qcow2
 * overlay over it that is deleted on close) and its cache mode. Every driver call goes through this object's
 * lock, so the device's I/O thread and the board (reading the disk to boot it) never overlap.
 */
public final class Drive implements AutoCloseable {
    /**
     * Drives not closed yet. With a volatile cache, image metadata waits in memory for the guest's flush;
     * a jemu ended by a signal (SIGTERM, SIGINT) writes it at JVM exit, as qemu flushes its images when
     * it terminates on a signal. (kill -9 loses what the guest has not flushed, as with qemu.)
     */
    private static final java.util.Set<Drive> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Drive::flushAllAtExit, "jemu-drive-flush"));
    }

    private final DriveOptions options;
    private volatile BlockDriver driver; // replaced only by activate/inactivate, under this object's lock
    private final Path overlay;
    private boolean closed;
    // live migration: the image is open read-only with shared locks (QEMU's inactive node), see inactivate()
    private volatile boolean inactive;

    private Drive(DriveOptions options, BlockDriver driver, Path overlay) {
        this.options = options;
        this.driver = driver;
        this.overlay = overlay;
        if (overlay == null && !readOnly()) {
            OPEN.add(this);
        }
    }

    /** The shutdown hook: every open drive's pending metadata written (and synced unless cache=unsafe). */
    static void flushAllAtExit() {
        for (Drive d : OPEN) {
            try {
                d.flushAtExit();
            } catch (BlockException | RuntimeException e) {
                System.err.println("jemu: " + d.options.file() + ": flush at exit failed: " + e.getMessage());
            }
        }
    }

    private synchronized void flushAtExit() throws BlockException {
        if (!closed) {
            driver.flush();
        }
    }

    /** Whether the exit hook will flush this drive (tests). */
    boolean flushedAtExit() {
        return OPEN.contains(this);
    }

    /** Opens the drive's image; {@code globalSnapshot} is {@code -snapshot}. Errors name the option. */
    public static Drive open(DriveOptions o, boolean globalSnapshot) throws ConfigException {
        return open(o, globalSnapshot, false);
    }

    /**
     * {@link #open(DriveOptions, boolean)}, inactive when {@code incoming} ({@code -incoming}: the source
     * still runs on the image; the drive takes it over with {@link #activate} once the migration is loaded).
     */
    public static Drive open(DriveOptions o, boolean globalSnapshot, boolean incoming) throws ConfigException {
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
                if (incoming && !o.readOnly()) {
                    Drive d = new Drive(o, openInactive(o), null);
                    d.inactive = true;
                    return d;
                }
                ImageUse use = ImageUse.device(o.readOnly(), o.locking());
                return new Drive(o, BlockFormats.open(file, format, openOptions(o).withUse(use)), null);
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
                // the overlay is locked as a writer's qcow2; the drive, its backing, as QEMU locks a backing
                // file, with the drive's file.locking
                ImageUse overlayUse = ImageUse.device(false, Locking.AUTO).withLocking(Locking.AUTO, o.locking());
                OpenOptions oo = OpenOptions.readWrite().withBarriers(false).withWriteback(true).withUse(overlayUse);
                return new Drive(o, BlockFormats.open(tmp, "qcow2", oo), tmp);
            } catch (ImageLockedException e) {
                deleteQuietly(tmp);
                // the overlay names the drive by its absolute path: name it as the user did, as QEMU does
                throw new ImageLockedException(e.getMessage().replace("[" + file.toAbsolutePath() + "]", "[" + file + "]"));
            } catch (BlockException e) {
                deleteQuietly(tmp);
                throw e;
            }
        } catch (BlockException e) {
            throw DriveOptions.error(o.spec(), e.getMessage());
        }
    }

    /**
     * How the image is opened for a cache mode. The modes with a volatile write cache (writeback, none,
     * unsafe: the guest is told to send FLUSH) keep image metadata in memory until a guest flush, as
     * qemu's do, and write it then in dependency order; the write-through modes write every update at
     * once. unsafe never syncs the host file.
     */
    static OpenOptions openOptions(DriveOptions o) {
        if (o.readOnly()) return OpenOptions.readOnlyOpts();
        DriveOptions.Cache c = o.cache();
        return OpenOptions.readWrite().withWriteback(!c.writeThrough()).withBarriers(!c.ignoresFlush());
    }

    /** A drive over an image opened elsewhere (tests, embedders): no overlay; closing the drive closes it. */
    public static Drive of(DriveOptions o, BlockDriver driver) {
        return new Drive(o, driver, null);
    }

    /** The image read-only, denying nobody anything: how a migration's other side may hold it meanwhile. */
    private static BlockDriver openInactive(DriveOptions o) throws BlockException {
        return BlockFormats.open(Path.of(o.file()), o.format(), OpenOptions.readOnlyOpts().withUse(ImageUse.read(true)));
    }

    /**
     * Live migration's source at the switch-over (QEMU's bdrv_inactivate): everything durable, the image
     * reopened read-only without locks that bar anyone, so the destination can take it. A read-only drive or a
     * {@code -snapshot} overlay (private to this process) stays as it is.
     */
    public synchronized void inactivate() throws BlockException {
        if (inactive || closed || overlay != null || options.readOnly()) {
            return;
        }
        driver.flush();
        driver.close();
        driver = openInactive(options);
        inactive = true;
    }

    /**
     * Takes the image back with the device's locks (the destination once the migration is loaded, the source on
     * {@code cont} after one): fails, changing nothing, while another process holds it.
     */
    public synchronized void activate() throws BlockException {
        if (!inactive || closed) {
            return;
        }
        ImageUse use = ImageUse.device(false, options.locking());
        BlockDriver active = BlockFormats.open(Path.of(options.file()), options.format(), openOptions(options).withUse(use));
        BlockDriver old = driver;
        driver = active;
        inactive = false;
        old.close();
    }

    /** Whether {@link #inactivate} (or an incoming migration) left the image to another process. */
    public boolean inactive() {
        return inactive;
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
        return options.readOnly() || (!inactive && driver.readOnly());
    }

    public synchronized void read(long offset, byte[] buf, int off, int len) throws BlockException {
        driver.read(offset, buf, off, len);
    }

    /** Reads {@code dst.byteSize()} bytes; a native segment is filled without a bounce copy (raw, qcow2). */
    public synchronized void read(long offset, MemorySegment dst) throws BlockException {
        driver.read(offset, dst);
    }

    /** Writes, flushing at once in the write-through cache modes. */
    public synchronized void write(long offset, byte[] buf, int off, int len) throws BlockException {
        driver.write(offset, buf, off, len);
        if (options.cache().writeThrough()) {
            driver.flush();
        }
    }

    /** {@link #write(long, byte[], int, int)} from a memory segment. */
    public synchronized void write(long offset, MemorySegment src) throws BlockException {
        driver.write(offset, src);
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

    // Internal snapshots and the VM state (savevm/loadvm): see BlockDriver; under the drive's lock like I/O.

    /** The image format's name ("qcow2", "raw"). */
    public String formatName() {
        return driver.formatName();
    }

    public synchronized java.util.List<SnapshotInfo> snapshots() throws BlockException {
        return driver.snapshots();
    }

    public synchronized boolean hasVmStateArea() {
        return driver.hasVmStateArea();
    }

    public synchronized void snapshotCreate(String name, long vmStateSize, long vmClockNsec) throws BlockException {
        driver.snapshotCreate(name, vmStateSize, vmClockNsec);
    }

    public synchronized void snapshotApply(String nameOrId) throws BlockException {
        driver.snapshotApply(nameOrId);
    }

    public synchronized void snapshotDelete(String nameOrId) throws BlockException {
        driver.snapshotDelete(nameOrId);
    }

    public synchronized void writeVmState(long pos, MemorySegment src) throws BlockException {
        driver.writeVmState(pos, src);
    }

    public synchronized void readSnapshotVmState(String nameOrId, long pos, MemorySegment dst) throws BlockException {
        driver.readSnapshotVmState(nameOrId, pos, dst);
    }

    public synchronized void discardVmState() throws BlockException {
        driver.discardVmState();
    }

    /** Makes every write durable on the host, whatever the cache mode (a snapshot is taken). */
    public synchronized void flushAll() throws BlockException {
        driver.flush();
    }

    /** Closes the image (flushing it) and deletes a snapshot overlay. Idempotent. */
    @Override
    public synchronized void close() throws BlockException {
        if (closed) {
            return;
        }
        closed = true;
        OPEN.remove(this);
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
