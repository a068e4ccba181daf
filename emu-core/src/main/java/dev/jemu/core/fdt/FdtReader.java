package dev.jemu.core.fdt;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a flattened device tree blob into {@link Node}s: for checking generated trees in tests and for
 * sanity-checking a user's {@code -dtb}. Rejects malformed blobs with an {@link IllegalArgumentException}.
 */
public final class FdtReader {
    /** Far deeper than any real tree (Linux's are under 10 levels); keeps a hostile blob from nesting forever. */
    static final int MAX_DEPTH = 256;

    /** A node: its name, properties in order (raw bytes) and children. */
    public record Node(String name, Map<String, byte[]> props, List<Node> children) {
        public Node child(String n) {
            return children.stream().filter(c -> c.name.equals(n)).findFirst().orElse(null);
        }

        /** The node at a path such as {@code /soc/serial@10000000}, or null. */
        public Node at(String path) {
            Node n = this;
            for (String part : path.split("/")) {
                if (!part.isEmpty() && n != null) {
                    n = n.child(part);
                }
            }
            return n;
        }

        public String string(String prop) {
            List<String> l = strings(prop);
            return l.isEmpty() ? null : l.get(0);
        }

        public List<String> strings(String prop) {
            byte[] b = props.get(prop);
            List<String> out = new ArrayList<>();
            if (b == null) {
                return out;
            }
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return out;
        }

        public int[] cells(String prop) {
            byte[] b = props.get(prop);
            if (b == null) {
                return null;
            }
            ByteBuffer bb = ByteBuffer.wrap(b);
            int[] c = new int[b.length / 4];
            for (int i = 0; i < c.length; i++) {
                c[i] = bb.getInt();
            }
            return c;
        }
    }

    /** The parsed tree and the memory reservations ({address, size} pairs). */
    public record Tree(Node root, List<long[]> reservations, int bootCpuId) {
    }

    private FdtReader() {
    }

    public static Tree parse(byte[] blob) {
        try {
            ByteBuffer b = ByteBuffer.wrap(blob);
            if (b.getInt(0) != FdtBuilder.MAGIC) {
                throw new IllegalArgumentException("not a device tree blob (bad magic)");
            }
            int total = b.getInt(4), structOff = b.getInt(8), stringsOff = b.getInt(12), rsvOff = b.getInt(16);
            int version = b.getInt(20);
            if (total > blob.length || version < 16) {
                throw new IllegalArgumentException("device tree blob truncated or version " + version + " too old");
            }
            if (!within(structOff, total) || stringsOff < 0 || stringsOff > total || !within(rsvOff, total)) {
                throw new IllegalArgumentException("device tree header has a block outside the blob");
            }
            List<long[]> rsv = new ArrayList<>();
            for (int p = rsvOff; ; p += 16) {
                long a = b.getLong(p), s = b.getLong(p + 8);
                if (a == 0 && s == 0) {
                    break;
                }
                rsv.add(new long[] {a, s});
            }
            b.position(structOff);
            Node root = null;
            List<Node> stack = new ArrayList<>();
            while (true) {
                int tag = b.getInt();
                switch (tag) {
                    case FdtBuilder.FDT_BEGIN_NODE -> {
                        int nameEnd = cstringEnd(blob, b.position());
                        String name = new String(blob, b.position(), nameEnd - b.position(), StandardCharsets.UTF_8);
                        int next = align4(nameEnd + 1);
                        if (next > blob.length) {
                            throw new IllegalArgumentException("device tree blob truncated");
                        }
                        b.position(next);
                        Node n = new Node(name, new LinkedHashMap<>(), new ArrayList<>());
                        if (stack.isEmpty()) {
                            if (root != null) {
                                throw new IllegalArgumentException("two root nodes");
                            }
                            root = n;
                        } else {
                            stack.getLast().children.add(n);
                        }
                        if (stack.size() == MAX_DEPTH) {
                            throw new IllegalArgumentException("nodes nested more than " + MAX_DEPTH + " deep");
                        }
                        stack.add(n);
                    }
                    case FdtBuilder.FDT_END_NODE -> {
                        if (stack.isEmpty()) {
                            throw new IllegalArgumentException("unbalanced FDT_END_NODE");
                        }
                        stack.removeLast();
                    }
                    case FdtBuilder.FDT_PROP -> {
                        int len = b.getInt(), nameOff = b.getInt();
                        if (len < 0 || len > b.remaining() || !within(nameOff, total - stringsOff)) {
                            throw new IllegalArgumentException("bad property length or name offset");
                        }
                        byte[] v = new byte[len];
                        b.get(v);
                        b.position(align4(b.position()));
                        if (stack.isEmpty()) {
                            throw new IllegalArgumentException("property outside a node");
                        }
                        stack.getLast().props.put(cstring(blob, stringsOff + nameOff), v);
                    }
                    case FdtBuilder.FDT_NOP -> { }
                    case FdtBuilder.FDT_END -> {
                        if (root == null || !stack.isEmpty()) {
                            throw new IllegalArgumentException("device tree structure incomplete");
                        }
                        return new Tree(root, rsv, b.getInt(28));
                    }
                    default -> throw new IllegalArgumentException("bad structure tag " + tag);
                }
            }
        } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
            throw new IllegalArgumentException("device tree blob truncated");
        }
    }

    private static boolean within(int off, int size) {
        return off >= 0 && off < size;
    }

    private static int align4(int p) {
        return (p + 3) & ~3;
    }

    private static String cstring(byte[] blob, int off) {
        return new String(blob, off, cstringEnd(blob, off) - off, StandardCharsets.UTF_8);
    }

    /** The offset of the NUL that ends the string at {@code off} (an index past the blob if there is none). */
    private static int cstringEnd(byte[] blob, int off) {
        int end = off;
        while (blob[end] != 0) {
            end++;
        }
        return end;
    }
}
