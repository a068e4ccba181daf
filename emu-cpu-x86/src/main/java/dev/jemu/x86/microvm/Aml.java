package dev.jemu.x86.microvm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A small AML (ACPI Machine Language, ACPI 6.x chapter 20) encoder: just the terms a DSDT describing microvm's
 * devices needs. Each static method returns the encoded bytes of one term; containers take their contents.
 */
public final class Aml {
    static final int ZERO_OP = 0x00, ONE_OP = 0x01, NAME_OP = 0x08, BYTE_PREFIX = 0x0a, WORD_PREFIX = 0x0b,
            DWORD_PREFIX = 0x0c, STRING_PREFIX = 0x0d, QWORD_PREFIX = 0x0e, SCOPE_OP = 0x10, BUFFER_OP = 0x11,
            PACKAGE_OP = 0x12, METHOD_OP = 0x14, DUAL_NAME = 0x2e, MULTI_NAME = 0x2f, EXT_OP = 0x5b,
            OPREGION_OP = 0x80, FIELD_OP = 0x81, DEVICE_OP = 0x82, LOCAL0 = 0x60, STORE_OP = 0x70, AND_OP = 0x7b,
            NOTIFY_OP = 0x86, LEQUAL_OP = 0x93, IF_OP = 0xa0;

    private Aml() {
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    private static byte[] op(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    /** PkgLength (20.2.4) of a package whose contents after the PkgLength are {@code n} bytes. */
    static byte[] pkgLength(int n) {
        if (n + 1 < 0x40) {
            return op(n + 1);
        }
        for (int size = 2; size <= 4; size++) {
            int total = n + size;
            if (total < 1 << (4 + 8 * (size - 1))) {
                byte[] b = new byte[size];
                b[0] = (byte) ((size - 1) << 6 | total & 0xf);
                for (int i = 1; i < size; i++) {
                    b[i] = (byte) (total >>> (4 + 8 * (i - 1)));
                }
                return b;
            }
        }
        throw new IllegalArgumentException("AML package too large: " + n);
    }

    /** A value in PkgLength's encoding without counting itself (a named field's bit length). */
    static byte[] rawLength(int v) {
        if (v < 0x40) {
            return op(v);
        }
        if (v >= 1 << 12) {
            throw new IllegalArgumentException("field too long: " + v);
        }
        return op(1 << 6 | v & 0xf, v >>> 4);
    }

    private static byte[] pkg(byte[] head, byte[]... body) {
        byte[] content = cat(body);
        return cat(head, pkgLength(content.length), content);
    }

    /**
     * A NameString: "\\" for the root, a path like "\\_SB.PWRB", or a relative "_HID"; each segment is padded to
     * four characters with '_'.
     */
    static byte[] name(String path) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        String p = path;
        while (p.startsWith("\\") || p.startsWith("^")) {
            o.write(p.charAt(0));
            p = p.substring(1);
        }
        if (p.isEmpty()) {
            o.write(0); // NullName
            return o.toByteArray();
        }
        String[] segs = p.split("\\.");
        if (segs.length == 2) {
            o.write(DUAL_NAME);
        } else if (segs.length > 2) {
            o.write(MULTI_NAME);
            o.write(segs.length);
        }
        for (String s : segs) {
            if (s.isEmpty() || s.length() > 4) {
                throw new IllegalArgumentException("bad AML name segment '" + s + "' in " + path);
            }
            o.writeBytes((s + "___").substring(0, 4).getBytes(StandardCharsets.US_ASCII));
        }
        return o.toByteArray();
    }

    /** An integer in its shortest encoding (Zero, One, Byte/Word/DWord/QWord constant). */
    public static byte[] integer(long v) {
        if (v == 0) {
            return op(ZERO_OP);
        }
        if (v == 1) {
            return op(ONE_OP);
        }
        if ((v & ~0xffL) == 0) {
            return op(BYTE_PREFIX, (int) v);
        }
        if ((v & ~0xffffL) == 0) {
            return op(WORD_PREFIX, (int) v, (int) (v >>> 8));
        }
        if ((v & ~0xffffffffL) == 0) {
            return op(DWORD_PREFIX, (int) v, (int) (v >>> 8), (int) (v >>> 16), (int) (v >>> 24));
        }
        byte[] b = new byte[9];
        b[0] = QWORD_PREFIX;
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (byte) (v >>> 8 * i);
        }
        return b;
    }

    public static byte[] string(String s) {
        return cat(op(STRING_PREFIX), s.getBytes(StandardCharsets.US_ASCII), op(0));
    }

    /** A compressed EISA id such as "PNP0501" (a DWord: three 5-bit letters and four hex digits, big-endian). */
    public static byte[] eisaId(String id) {
        if (id.length() != 7) {
            throw new IllegalArgumentException("EISA id must be 7 characters: " + id);
        }
        int v = (id.charAt(0) - 0x40) << 26 | (id.charAt(1) - 0x40) << 21 | (id.charAt(2) - 0x40) << 16
                | Integer.parseInt(id.substring(3), 16);
        return op(DWORD_PREFIX, v >>> 24, v >>> 16, v >>> 8, v);
    }

    public static byte[] nameDecl(String name, byte[] value) {
        return cat(op(NAME_OP), name(name), value);
    }

    public static byte[] scope(String name, byte[]... body) {
        return pkg(op(SCOPE_OP), cat(name(name), cat(body)));
    }

    public static byte[] device(String name, byte[]... body) {
        return pkg(op(EXT_OP, DEVICE_OP), cat(name(name), cat(body)));
    }

    /** Method(name, args, Serialized/NotSerialized) { body }. */
    public static byte[] method(String name, int args, boolean serialized, byte[]... body) {
        return pkg(op(METHOD_OP), cat(name(name), op(args & 7 | (serialized ? 8 : 0)), cat(body)));
    }

    /** Package() { elements } with each element an already-encoded data object. */
    public static byte[] pack(byte[]... elements) {
        return pkg(op(PACKAGE_OP), cat(op(elements.length), cat(elements)));
    }

    public static byte[] buffer(byte[] data) {
        return pkg(op(BUFFER_OP), cat(integer(data.length), data));
    }

    /** OperationRegion(name, space, offset, length); space 0 is SystemMemory, 1 SystemIO. */
    public static byte[] opRegion(String name, int space, long offset, long length) {
        return cat(op(EXT_OP, OPREGION_OP), name(name), op(space), integer(offset), integer(length));
    }

    /** Field(region, flags) { name, bits } with one named field; flags: access type | lock << 4 | update << 5. */
    public static byte[] field(String region, int flags, String fieldName, int bits) {
        byte[] seg = name(fieldName);
        return pkg(op(EXT_OP, FIELD_OP), cat(name(region), op(flags), seg, rawLength(bits)));
    }

    public static byte[] local0() {
        return op(LOCAL0);
    }

    /** A reference to a named object, as an operand. */
    public static byte[] ref(String name) {
        return name(name);
    }

    public static byte[] store(byte[] src, byte[] dst) {
        return cat(op(STORE_OP), src, dst);
    }

    /** And(a, b) with no target. */
    public static byte[] and(byte[] a, byte[] b) {
        return cat(op(AND_OP), a, b, op(0));
    }

    public static byte[] lEqual(byte[] a, byte[] b) {
        return cat(op(LEQUAL_OP), a, b);
    }

    public static byte[] ifThen(byte[] predicate, byte[]... body) {
        return pkg(op(IF_OP), cat(predicate, cat(body)));
    }

    public static byte[] notify(byte[] object, byte[] value) {
        return cat(op(NOTIFY_OP), object, value);
    }

    /** Resource descriptors (6.4) for a ResourceTemplate: wrap them with {@link #resourceTemplate}. */
    public static final class Res {
        private Res() {
        }

        /** Memory32Fixed(ReadWrite/ReadOnly, base, length). */
        public static byte[] memory32Fixed(long base, long length, boolean writable) {
            return op(0x86, 9, 0, writable ? 1 : 0, (int) base, (int) (base >>> 8), (int) (base >>> 16),
                    (int) (base >>> 24), (int) length, (int) (length >>> 8), (int) (length >>> 16),
                    (int) (length >>> 24));
        }

        /** Interrupt(ResourceConsumer, Level/Edge, ActiveHigh, Exclusive) { irq } (extended interrupt). */
        public static byte[] interrupt(int irq, boolean edge) {
            return op(0x89, 6, 0, 1 | (edge ? 2 : 0), 1, irq, irq >>> 8, irq >>> 16, irq >>> 24);
        }

        /** IO(Decode16, min, max, alignment, length). */
        public static byte[] io(int min, int max, int align, int length) {
            return op(0x47, 1, min, min >>> 8, max, max >>> 8, align, length);
        }

        /** IRQNoFlags() { irq }. */
        public static byte[] irqNoFlags(int irq) {
            int mask = 1 << irq;
            return op(0x22, mask, mask >>> 8);
        }
    }

    /** ResourceTemplate() { descriptors } : a Buffer ending with the End Tag (checksum 0: not checked). */
    public static byte[] resourceTemplate(byte[]... descriptors) {
        return buffer(cat(cat(descriptors), op(0x79, 0)));
    }
}
