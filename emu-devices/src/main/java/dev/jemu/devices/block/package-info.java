/**
 * The block layer: disk images behind a byte-addressed {@link dev.jemu.devices.block.BlockDriver}.
 *
 * <ul>
 * <li>{@link dev.jemu.devices.block.BlockFormats} opens an image by format name or by probing its first
 *     sector (qcow2, vdi, vmdk by magic; raw as the fallback). A raw image opened by probing refuses
 *     writes that would make its sector 0 probe as another format.</li>
 * <li>Drivers: {@code raw} (files and block devices), {@code qcow2} (v2/v3, backing chains, zero and
 *     compressed clusters, refcount widths 1-64, lazy refcounts, internal snapshots, check/repair),
 *     {@code vdi} (dynamic and static), {@code vmdk} (monolithicSparse read-only, streamOptimized read and append, FLAT extents
 *     read-write).</li>
 * <li>Errors are {@link dev.jemu.devices.block.BlockException}s with one-line messages; a corrupt or
 *     hostile image never causes another exception type, a huge allocation, or a write far outside
 *     the file (see the fuzz tests).</li>
 * <li>Crash consistency: metadata is written through in dependency order, with optional flush barriers
 *     between dependent steps; the order for qcow2 is documented on
 *     {@link dev.jemu.devices.block.qcow2.Qcow2Driver} and {@code Qcow2Refcounts}.</li>
 * <li>Drivers are not thread-safe: one thread (the device's I/O thread or jemu-img) issues requests.</li>
 * </ul>
 */
package dev.jemu.devices.block;
