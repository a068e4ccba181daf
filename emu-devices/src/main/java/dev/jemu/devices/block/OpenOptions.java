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
 */
public record OpenOptions(boolean readOnly, boolean probed, boolean barriers, boolean forCheck, boolean noBacking,
                          boolean writeback) {
    public static OpenOptions readOnlyOpts() {
        return new OpenOptions(true, false, true, false, false, false);
    }

    public static OpenOptions readWrite() {
        return new OpenOptions(false, false, true, false, false, false);
    }

    public OpenOptions withProbed(boolean p) {
        return new OpenOptions(readOnly, p, barriers, forCheck, noBacking, writeback);
    }

    public OpenOptions withBarriers(boolean b) {
        return new OpenOptions(readOnly, probed, b, forCheck, noBacking, writeback);
    }

    public OpenOptions withForCheck(boolean c) {
        return new OpenOptions(readOnly, probed, barriers, c, noBacking, writeback);
    }

    public OpenOptions withNoBacking(boolean n) {
        return new OpenOptions(readOnly, probed, barriers, forCheck, n, writeback);
    }

    public OpenOptions withWriteback(boolean w) {
        return new OpenOptions(readOnly, probed, barriers, forCheck, noBacking, w);
    }
}
