package dev.jemu.devices.block;

import java.nio.file.Path;

/**
 * Who opens an image and what it lets others do, in QEMU's block permissions, from which each file of the
 * chain gets its {@link ImageLock} bytes as QEMU 7.2 computes them (checked against it with /proc/locks and
 * strace on qemu-system-riscv64 and qemu-img):
 * <ul>
 * <li>a raw image's file gets the user's permissions and denials as they are;</li>
 * <li>a format with metadata (qcow2, vmdk, vdi) reads its file whenever the user does I/O, writes and resizes it
 *     when opened read-write, and never lets others write or resize it;</li>
 * <li>a backing file is read (when the user does I/O), and nobody may write or resize it unless the user lets
 *     others write the image (qemu-img map, check, compare do; a guest device and convert's source do not);</li>
 * <li>force-share ({@code -U}) denies nothing, down the whole chain.</li>
 * </ul>
 *
 * @param perm          permissions the user needs ({@link #CONSISTENT_READ}, ...)
 * @param shared        permissions it lets other users have
 * @param locking       whether this image's own files are locked ({@code file.locking=})
 * @param chainLocking  the same for its backing image (QEMU locks backing files whatever the top's
 *                      {@code file.locking}; only a {@code -snapshot} overlay hands the drive's on)
 * @param forceShare    {@code -U}: deny nothing, on every file of the chain
 */
public record ImageUse(int perm, int shared, Locking locking, Locking chainLocking, boolean forceShare) {
    /** QEMU's BLK_PERM_* bits, in the order of their lock bytes. */
    public static final int CONSISTENT_READ = 1, WRITE = 2, WRITE_UNCHANGED = 4, RESIZE = 8, ALL = 15;
    static final int BITS = 4;
    private static final String[] NAMES = {"consistent read", "write", "write unchanged", "resize"};

    /** A guest device (virtio-blk): reads, writes unless read-only, and lets nobody else write. */
    public static ImageUse device(boolean readOnly, Locking locking) {
        return new ImageUse(CONSISTENT_READ | (readOnly ? 0 : WRITE), ALL & ~WRITE, locking, Locking.AUTO, false);
    }

    /** A user that only looks at the metadata (qemu-img info): no I/O permission, shares everything. */
    public static ImageUse inspect(boolean forceShare) {
        return new ImageUse(0, ALL, Locking.AUTO, Locking.AUTO, forceShare);
    }

    /** A reader that lets others do anything the format allows (qemu-img check, map, compare, snapshot -l). */
    public static ImageUse read(boolean forceShare) {
        return new ImageUse(CONSISTENT_READ, ALL, Locking.AUTO, Locking.AUTO, forceShare);
    }

    /** A reader that needs the content to stay put (qemu-img convert's source): nobody may write or resize. */
    public static ImageUse readStable(boolean forceShare) {
        return new ImageUse(CONSISTENT_READ, ALL & ~(WRITE | RESIZE), Locking.AUTO, Locking.AUTO, forceShare);
    }

    /** A writer (qemu-img convert's target; with {@code resize}, qemu-img resize, snapshot, commit, check -r). */
    public static ImageUse write(boolean resize) {
        return new ImageUse(CONSISTENT_READ | WRITE | (resize ? RESIZE : 0), ALL, Locking.AUTO, Locking.AUTO, false);
    }

    /** This use with {@code -U} or without (a writer with it is refused when the image is opened, as QEMU does). */
    public ImageUse withForceShare(boolean force) {
        return new ImageUse(perm, shared, locking, chainLocking, force);
    }

    /**
     * The user of this image's backing image: the format reading it (when this user does I/O), which lets
     * others write and resize the backing file only if this user lets others write the image (QEMU's rule for
     * copy-on-write children: a reader that copes with changing data copes with a changing backing file).
     */
    public ImageUse forBacking() {
        boolean changing = forceShare || (shared & WRITE) != 0;
        return new ImageUse(perm & CONSISTENT_READ, changing ? ALL : ALL & ~(WRITE | RESIZE), chainLocking,
                Locking.AUTO, forceShare);
    }

    /** This use with its own file's locking replaced, its backing's kept ({@code -snapshot}'s overlay). */
    public ImageUse withLocking(Locking own, Locking chain) {
        return new ImageUse(perm, shared, own, chain, forceShare);
    }

    /** Locks the file of a raw image. */
    public ImageLock lockRaw(Path file, boolean writable) throws BlockException {
        return ImageLock.acquire(file, writable, perm, denied(), locking);
    }

    /** Locks a file holding a format's data and metadata (qcow2, vmdk and its extents, vdi). */
    public ImageLock lockFormatFile(Path file, boolean writable) throws BlockException {
        int p = (perm & CONSISTENT_READ) | (writable ? WRITE | RESIZE : 0);
        return ImageLock.acquire(file, writable, p, forceShare ? 0 : denied() | WRITE | RESIZE, locking);
    }

    private int denied() {
        return forceShare ? 0 : ALL & ~shared;
    }

    static String name(int bit) {
        return NAMES[bit];
    }
}
