package dev.jemu.core.state;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One object's saved state: its id, version and named fields. Serialized as
 * {@code id, version, count, (name, tag, value)*} with {@link DataOutput}'s big-endian encodings, which is
 * the one format for snapshots and migration.
 */
public final class StateRecord implements StateWriter, StateReader {
    private static final int MAX_FIELDS = 1 << 16;
    private static final int MAX_ARRAY = 1 << 30;
    private static final byte T_LONG = 1, T_INT = 2, T_BOOL = 3, T_BYTES = 4, T_LONGS = 5, T_INTS = 6, T_STRING = 7;

    private final String id;
    private final int version;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    public StateRecord(String id, int version) {
        this.id = id;
        this.version = version;
    }

    /** Saves {@code s} into a new record. */
    public static StateRecord of(Stateful s) {
        StateRecord r = new StateRecord(s.stateId(), s.stateVersion());
        s.saveState(r);
        return r;
    }

    /** Loads this record into {@code s}, refusing a record of another object or a newer version. */
    public void restore(Stateful s) {
        if (!id.equals(s.stateId())) {
            throw new StateException("state of " + id + " cannot be loaded into " + s.stateId());
        }
        if (version > s.stateVersion()) {
            throw new StateException(id + ": state version " + version + " is newer than this jemu's "
                    + s.stateVersion());
        }
        s.loadState(this);
    }

    public String id() {
        return id;
    }

    @Override
    public int version() {
        return version;
    }

    private StateRecord put(String name, Object v) {
        if (fields.put(name, v) != null) {
            throw new IllegalStateException(id + ": field " + name + " written twice");
        }
        return this;
    }

    @Override public StateRecord putLong(String n, long v) { return put(n, v); }
    @Override public StateRecord putInt(String n, int v) { return put(n, v); }
    @Override public StateRecord putBoolean(String n, boolean v) { return put(n, v); }
    @Override public StateRecord putBytes(String n, byte[] v) { return put(n, v.clone()); }
    @Override public StateRecord putLongs(String n, long[] v) { return put(n, v.clone()); }
    @Override public StateRecord putInts(String n, int[] v) { return put(n, v.clone()); }
    @Override public StateRecord putString(String n, String v) { return put(n, v); }

    @Override
    public boolean has(String name) {
        return fields.containsKey(name);
    }

    private <T> T get(String name, Class<T> type) {
        Object v = fields.get(name);
        if (v == null) {
            throw new StateException(id + ": field " + name + " missing");
        }
        if (!type.isInstance(v)) {
            throw new StateException(id + ": field " + name + " is " + v.getClass().getSimpleName()
                    + ", expected " + type.getSimpleName());
        }
        return type.cast(v);
    }

    @Override public long getLong(String n) { return get(n, Long.class); }
    @Override public long getLong(String n, long d) { return has(n) ? getLong(n) : d; }
    @Override public int getInt(String n) { return get(n, Integer.class); }
    @Override public int getInt(String n, int d) { return has(n) ? getInt(n) : d; }
    @Override public boolean getBoolean(String n) { return get(n, Boolean.class); }
    @Override public boolean getBoolean(String n, boolean d) { return has(n) ? getBoolean(n) : d; }
    @Override public byte[] getBytes(String n) { return get(n, byte[].class).clone(); }
    @Override public long[] getLongs(String n) { return get(n, long[].class).clone(); }
    @Override public int[] getInts(String n) { return get(n, int[].class).clone(); }
    @Override public String getString(String n) { return get(n, String.class); }

    public void writeTo(DataOutput out) throws IOException {
        out.writeUTF(id);
        out.writeInt(version);
        out.writeInt(fields.size());
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            out.writeUTF(e.getKey());
            switch (e.getValue()) {
                case Long v -> { out.writeByte(T_LONG); out.writeLong(v); }
                case Integer v -> { out.writeByte(T_INT); out.writeInt(v); }
                case Boolean v -> { out.writeByte(T_BOOL); out.writeBoolean(v); }
                case byte[] v -> { out.writeByte(T_BYTES); out.writeInt(v.length); out.write(v); }
                case long[] v -> {
                    out.writeByte(T_LONGS);
                    out.writeInt(v.length);
                    for (long x : v) out.writeLong(x);
                }
                case int[] v -> {
                    out.writeByte(T_INTS);
                    out.writeInt(v.length);
                    for (int x : v) out.writeInt(x);
                }
                case String v -> { out.writeByte(T_STRING); out.writeUTF(v); }
                default -> throw new IllegalStateException("unreachable");
            }
        }
    }

    public static StateRecord readFrom(DataInput in) throws IOException {
        return readFrom(in, Long.MAX_VALUE);
    }

    /**
     * Reads a record whose arrays cannot together exceed {@code maxBytes} (the bytes left in the stream), so a
     * corrupt length is refused before anything is allocated for it.
     */
    public static StateRecord readFrom(DataInput in, long maxBytes) throws IOException {
        long[] budget = {maxBytes};
        StateRecord r = new StateRecord(in.readUTF(), in.readInt());
        int n = in.readInt();
        if (n < 0 || n > MAX_FIELDS) {
            throw new StateException(r.id + ": bad field count " + n);
        }
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            byte tag = in.readByte();
            Object v = switch (tag) {
                case T_LONG -> in.readLong();
                case T_INT -> in.readInt();
                case T_BOOL -> in.readBoolean();
                case T_BYTES -> {
                    byte[] b = new byte[arrayLength(in, r, 1, budget)];
                    in.readFully(b);
                    yield b;
                }
                case T_LONGS -> {
                    long[] a = new long[arrayLength(in, r, 8, budget)];
                    for (int k = 0; k < a.length; k++) a[k] = in.readLong();
                    yield a;
                }
                case T_INTS -> {
                    int[] a = new int[arrayLength(in, r, 4, budget)];
                    for (int k = 0; k < a.length; k++) a[k] = in.readInt();
                    yield a;
                }
                case T_STRING -> in.readUTF();
                default -> throw new StateException(r.id + ": field " + name + " has unknown type tag " + tag);
            };
            r.fields.put(name, v);
        }
        return r;
    }

    private static int arrayLength(DataInput in, StateRecord r, int elementBytes, long[] budget) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > MAX_ARRAY || (long) len * elementBytes > budget[0]) {
            throw new StateException(r.id + ": bad array length " + len);
        }
        budget[0] -= (long) len * elementBytes;
        return len;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StateRecord s) || !id.equals(s.id) || version != s.version
                || !fields.keySet().equals(s.fields.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (!Arrays.deepEquals(new Object[] {e.getValue()}, new Object[] {s.fields.get(e.getKey())})) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + version;
    }

    @Override
    public String toString() {
        return "StateRecord[" + id + " v" + version + ", " + fields.keySet() + "]";
    }
}
