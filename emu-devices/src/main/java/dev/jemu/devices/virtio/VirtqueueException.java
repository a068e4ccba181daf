package dev.jemu.devices.virtio;

/**
 * The driver broke the virtqueue contract (a descriptor outside RAM, a loop, an index out of range...). The
 * transport answers with DEVICE_NEEDS_RESET; this never reaches the user as an error.
 */
public final class VirtqueueException extends Exception {
    public VirtqueueException(String message) {
        super(message, null, false, false);
    }
}
