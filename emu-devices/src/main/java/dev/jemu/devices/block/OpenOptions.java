package dev.jemu.devices.block;

/**
 * How to open an image.
 *
 * @param readOnly  refuse every write
 * @param probed    the format was guessed from the content (raw then guards sector 0)
 * @param barriers  flush the host file between dependent metadata updates, so that the image stays
 *                  consistent after a power loss too (off only for throw-away output such as convert)
 * @param forCheck  open for `check`: no automatic repair of a dirty image
 * @param noBacking do not open the backing chain
 */
public record OpenOptions(boolean readOnly, boolean probed, boolean barriers, boolean forCheck, boolean noBacking) {
    public static OpenOptions readOnlyOpts() {
        return new OpenOptions(true, false, true, false, false);
    }

    public static OpenOptions readWrite() {
        return new OpenOptions(false, false, true, false, false);
    }

    public OpenOptions withProbed(boolean p) {
        return new OpenOptions(readOnly, p, barriers, forCheck, noBacking);
    }

    public OpenOptions withBarriers(boolean b) {
        return new OpenOptions(readOnly, probed, b, forCheck, noBacking);
    }

    public OpenOptions withForCheck(boolean c) {
        return new OpenOptions(readOnly, probed, barriers, c, noBacking);
    }

    public OpenOptions withNoBacking(boolean n) {
        return new OpenOptions(readOnly, probed, barriers, forCheck, n);
    }
}
