package dev.jemu.devices.virtio;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * The device half of a virtio device (block, net...), independent of the transport. The transport owns the
 * feature negotiation, status and queues; it calls in here on the machine thread.
 */
public interface VirtioDevice {
    int deviceId();

    /** Device-specific feature bits; the transport adds VERSION_1, INDIRECT_DESC and EVENT_IDX. */
    long deviceFeatures();

    int queueCount();

    /** QueueNumMax of queue {@code q}. */
    int queueNumMax(int q);

    /** Called once by the transport before anything else. */
    void attach(VirtioTransport transport);

    /** Reads {@code size} bytes of the device configuration space at {@code offset} (little-endian). */
    long readConfig(int offset, int size);

    void writeConfig(int offset, int size, long value);

    /** The driver put buffers in queue {@code q}. */
    void queueNotify(int q);

    /** Device reset (status 0 written, or a system reset): forget requests in flight. */
    void reset();

    /**
     * Before state is saved: finish every request taken from the queues and complete it into them (used ring,
     * interrupt), so the saved rings and RAM have nothing in flight. A device without asynchronous work has
     * nothing to do.
     */
    default void drain() {
    }

    void saveState(StateWriter out);

    void loadState(StateReader in);
}
