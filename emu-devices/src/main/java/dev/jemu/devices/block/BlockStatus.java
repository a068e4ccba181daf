package dev.jemu.devices.block;

/**
 * The state of a run of guest bytes in one layer of an image, as `map` reports it.
 *
 * @param offset     guest offset of the run
 * @param length     bytes in the run (all with the same state)
 * @param kind       whether this layer holds data, reads as zeroes, or defers to the backing file
 * @param hostOffset where the data sits in the image file, or -1 (compressed, zero, unallocated)
 */
public record BlockStatus(long offset, long length, Kind kind, long hostOffset) {
    public enum Kind { DATA, ZERO, UNALLOCATED }
}
