package dev.jemu.devices.block;

/**
 * How to open an image.
 *
 * @param readOnly  refuse every write
 * @param probed    the format was guessed from the content (raw then guards sector 0)
 * @param barriers  flush the host file between dependent metadata updates, so that the image stays
 *                  consistent after a power loss too, and at flush and close; off: qcow2 never syncs the
 *                  host file (throw-away output, convert's default cache=unsafe, a drive's cache=unsafe)
 * @param forCheck  open for `check`: no automatic repair of a dirty image
 * @param noBacking do not open the backing chain
 * @param writeback keep metadata updates in memory until {@link BlockDriver#flush()} (or a cache limit),
 *                  then write them in dependency order with a flush between the steps (qemu's
 *                  cache=writeback); otherwise every update is written at once (write-through)
 * @param use       who uses the image, for its lock bytes (QEMU's); null: no locks (internal reads, tests)
 */
public record OpenOptions(boolean readOnly, boolean probed, boolean barriers, boolean forCheck, boolean noBacking,
                          boolean writeback, ImageUse use) {
    public static OpenOptions readOnlyOpts() {
        return new OpenOptions(true, false, true, false, false, false, null);
    }

    public static OpenOptions readWrite() {
        return new OpenOptions(false, false, true, false, false, false, null);
    }

    public OpenOptions withProbed(boolean p) {
        return new OpenOptions(readOnly, p, barriers, forCheck, noBacking, writeback, use);
    }

    public OpenOptions withBarriers(boolean b) {
        return new OpenOptions(readOnly, probed, b, forCheck, noBacking, writeback, use);
    }

    public OpenOptions withForCheck(boolean c) {
        return new OpenOptions(readOnly, probed, barriers, c, noBacking, writeback, use);
    }

    public OpenOptions withNoBacking(boolean n) {
        return new OpenOptions(readOnly, probed, barriers, forCheck, n, writeback, use);
    }

    public OpenOptions withWriteback(boolean w) {
        return new OpenOptions(readOnly, probed, barriers, forCheck, noBacking, w, use);
    }

    public OpenOptions withUse(ImageUse u) {
        return new OpenOptions(readOnly, probed, barriers, forCheck, noBacking, writeback, u);
    }

    /** The options for this image's backing image: read-only, its own chain, locked for the backing's user. */
    public OpenOptions forBacking() {
        return readOnlyOpts().withUse(use == null ? null : use.forBacking());
    }
}
