package dev.jemu.devices.virtio.blk;

import dev.jemu.devices.virtio.DescriptorChain;

/**
 * One virtio-blk request in flight (virtio 1.2, 5.2.6): read from the ring on the machine thread, carried
 * out (data moved) on the I/O thread, completed on the machine thread.
 */
final class VirtioBlkRequest {
    static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WRITE_ZEROES = 13;
    static final byte S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;

    final int queue;
    final DescriptorChain chain;
    final int type;
    final long sector;
    /** GET_ID: the id; DISCARD/WRITE_ZEROES: the segments. (IN/OUT data moves on the I/O thread.) */
    byte[] data;
    /** IN/OUT: bytes of data to transfer. */
    int length;
    /** Bytes written into the chain's writable part, the status byte not counted (used ring length). */
    int dataOut;
    /** A DMA failure on the I/O thread: completion turns it into DEVICE_NEEDS_RESET. */
    String dmaError;
    /** Set when the request was rejected before reaching the I/O thread. */
    byte status = -1;

    VirtioBlkRequest(int queue, DescriptorChain chain, int type, long sector) {
        this.queue = queue;
        this.chain = chain;
        this.type = type;
        this.sector = sector;
    }
}
