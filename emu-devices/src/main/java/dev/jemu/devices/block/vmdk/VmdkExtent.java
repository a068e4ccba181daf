package dev.jemu.devices.block.vmdk;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockStatus;

/** One extent of a VMDK disk: a run of sectors stored in one file (flat or hosted sparse). */
interface VmdkExtent {
    long sectors();

    /** Reads len bytes at byte offset off inside this extent. */
    void read(long off, byte[] buf, int at, int len) throws BlockException;

    void write(long off, byte[] buf, int at, int len) throws BlockException;

    /** State of the run at off (offsets relative to the extent). */
    BlockStatus status(long off, long len) throws BlockException;

    void flush() throws BlockException;

    void close() throws BlockException;

    /** Grain size in bytes, 0 for flat extents. */
    int grainBytes();

    long allocatedBytes();
}
