package dev.jemu.core.fdt;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a flattened device tree blob (DTSpec v0.4, chapter 5: format version 17, last compatible 16): a
 * header, the memory reservation block, the structure block built by {@link #beginNode}/{@link #endNode} and
 * the {@code prop*} calls, and a string table of property names (shared, each name stored once). All values
 * are big-endian.
 */
public final class FdtBuilder {
    public static final int MAGIC = 0xd00dfeed;
    public static final int VERSION = 17, LAST_COMP_VERSION = 16;
    static final int FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9;
    static final int HEADER_SIZE = 40;

    private final ByteArrayOutputStream struct = new ByteArrayOutputStream();
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new HashMap<>();
    private final List<long[]> reservations = new ArrayList<>();
    private int depth;
    private int nextPhandle = 1;
    private int bootCpuId;
    private boolean finished;

    /**
     * A blob with the same reservations, boot CPU and nodes as {@code tree} (a parsed and maybe edited blob),
     * in the same order.
     */
    public static byte[] of(FdtReader.Tree tree) {
        FdtBuilder f = new FdtBuilder();
        for (long[] r : tree.reservations()) {
            f.addReservation(r[0], r[1]);
        }
        f.bootCpuId(tree.bootCpuId());
        f.node(tree.root());
        return f.finish();
    }

    private void node(FdtReader.Node n) {
        beginNode(n.name());
        n.props().forEach(this::propBytes);
        for (FdtReader.Node c : n.children()) {
            node(c);
        }
        endNode();
    }

    /** A fresh phandle value (1, 2, ...) to put in a node's {@code phandle} property and refer to. */
    public int allocPhandle() {
        return nextPhandle++;
    }

    /** Makes {@link #allocPhandle} count from {@code first} (QEMU's arm virt numbers phandles from 0x8000). */
    public FdtBuilder phandlesFrom(int first) {
        nextPhandle = first;
        return this;
    }

    public FdtBuilder addReservation(long address, long size) {
        reservations.add(new long[] {address, size});
        return this;
    }

    public FdtBuilder bootCpuId(int id) {
        bootCpuId = id;
        return this;
    }

    /** Opens a node; the root is {@code ""}, others are {@code name@unit-address}. */
    public FdtBuilder beginNode(String name) {
        checkOpen();
        word(FDT_BEGIN_NODE);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        struct.writeBytes(n);
        struct.write(0);
        pad();
        depth++;
        return this;
    }

    public FdtBuilder endNode() {
        checkOpen();
        if (depth == 0) {
            throw new IllegalStateException("endNode without beginNode");
        }
        word(FDT_END_NODE);
        depth--;
        return this;
    }

    public FdtBuilder propBytes(String name, byte[] value) {
        checkOpen();
        if (depth == 0) {
            throw new IllegalStateException("property " + name + " outside any node");
        }
        word(FDT_PROP);
        word(value.length);
        word(stringOffset(name));
        struct.writeBytes(value);
        pad();
        return this;
    }

    /** An empty property, such as {@code interrupt-controller} or {@code ranges}. */
    public FdtBuilder propEmpty(String name) {
        return propBytes(name, new byte[0]);
    }

    public FdtBuilder propU32(String name, int value) {
        return propCells(name, value);
    }

    /** A 64-bit value as two cells, high first. */
    public FdtBuilder propU64(String name, long value) {
        return propCells(name, (int) (value >>> 32), (int) value);
    }

    public FdtBuilder propCells(String name, int... cells) {
        ByteBuffer b = ByteBuffer.allocate(4 * cells.length);
        for (int c : cells) {
            b.putInt(c);
        }
        return propBytes(name, b.array());
    }

    /** A {@code reg}-style list of 64-bit values, each as two cells (for #address-cells = #size-cells = 2). */
    public FdtBuilder propU64s(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length);
        for (long v : values) {
            b.putLong(v);
        }
        return propBytes(name, b.array());
    }

    public FdtBuilder propString(String name, String value) {
        return propStrings(name, value);
    }

    /** A string list: each string NUL-terminated, back to back (e.g. {@code compatible}). */
    public FdtBuilder propStrings(String name, String... values) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String s : values) {
            b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            b.write(0);
        }
        return propBytes(name, b.toByteArray());
    }

    /** Closes the tree and returns the blob. */
    public byte[] finish() {
        checkOpen();
        if (depth != 0) {
            throw new IllegalStateException(depth + " node(s) still open");
        }
        word(FDT_END);
        finished = true;
        int rsvOff = HEADER_SIZE; // already 8-aligned
        int rsvSize = 16 * (reservations.size() + 1);
        int structOff = rsvOff + rsvSize;
        int structSize = struct.size();
        int stringsOff = structOff + structSize;
        int stringsSize = strings.size();
        int total = (stringsOff + stringsSize + 7) & ~7; // padded so whatever follows stays aligned
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(MAGIC).putInt(total).putInt(structOff).putInt(stringsOff).putInt(rsvOff).putInt(VERSION)
                .putInt(LAST_COMP_VERSION).putInt(bootCpuId).putInt(stringsSize).putInt(structSize);
        for (long[] r : reservations) {
            b.putLong(r[0]).putLong(r[1]);
        }
        b.putLong(0).putLong(0);
        b.put(struct.toByteArray());
        b.put(strings.toByteArray());
        return b.array();
    }

    private int stringOffset(String name) {
        return stringOffsets.computeIfAbsent(name, n -> {
            int off = strings.size();
            strings.writeBytes(n.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return off;
        });
    }

    private void word(int v) {
        struct.write(v >>> 24);
        struct.write(v >>> 16);
        struct.write(v >>> 8);
        struct.write(v);
    }

    private void pad() {
        while ((struct.size() & 3) != 0) {
            struct.write(0);
        }
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("device tree already finished");
        }
    }
}
