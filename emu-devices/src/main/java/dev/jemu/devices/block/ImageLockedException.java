package dev.jemu.devices.block;

/** Another process (or another opener in this one) holds lock bytes that exclude ours: QEMU's message and hint. */
public final class ImageLockedException extends BlockException {
    public ImageLockedException(String message) {
        super(message);
    }
}
