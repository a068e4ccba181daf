package dev.jemu.devices.block;

import dev.jemu.core.machine.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code -drive} option string, parsed as QEMU does: {@code key=value} pairs separated by commas, a
 * doubled comma standing for a comma inside a value ({@code file=a,,b.img}). A first element without
 * {@code =} is the file ({@code -drive disk.qcow2}). Errors are one-line {@link ConfigException}s that quote
 * the option.
 *
 * @param iface null when {@code if=} is absent (the board's default interface)
 * @param index {@code index=}: the unit on its interface, or -1 for the first free one
 * @param locking {@code file.locking=}: whether the image file gets QEMU's lock bytes
 */
public record DriveOptions(String spec, String file, String format, String iface, String id, int index,
                           boolean readOnly, boolean snapshot, Cache cache, Discard discard, Locking locking) {
    /** Units on one interface: QEMU's limit for an interface without buses of fixed size. */
    public static final int MAX_INDEX = 65535;

    /** {@code cache=}: whether guest flushes reach the host, and whether every write is flushed. */
    public enum Cache {
        WRITEBACK, NONE, WRITETHROUGH, DIRECTSYNC, UNSAFE;

        /** Every completed write is made durable before it is reported (no volatile cache for the guest). */
        public boolean writeThrough() {
            return this == WRITETHROUGH || this == DIRECTSYNC;
        }

        /** Guest flushes are ignored. */
        public boolean ignoresFlush() {
            return this == UNSAFE;
        }
    }

    /** {@code discard=}: {@code ignore} (QEMU's default) completes discards without touching the image. */
    public enum Discard { IGNORE, UNMAP }

    public static DriveOptions parse(String spec) throws ConfigException {
        Map<String, String> kv = new LinkedHashMap<>();
        List<String> parts = split(spec);
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            int eq = p.indexOf('=');
            String key, value;
            if (eq < 0) {
                if (i != 0 || p.isEmpty()) {
                    throw error(spec, "Invalid parameter '" + p + "'");
                }
                key = "file";
                value = p;
            } else {
                key = p.substring(0, eq);
                value = p.substring(eq + 1);
            }
            if (kv.put(key, value) != null) {
                throw error(spec, "Parameter '" + key + "' given twice");
            }
        }
        String file = null, format = null, iface = null, id = null;
        int index = -1;
        boolean readOnly = false, snapshot = false;
        Cache cache = Cache.WRITEBACK;
        Discard discard = Discard.IGNORE;
        Locking locking = Locking.AUTO;
        for (Map.Entry<String, String> e : kv.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "file" -> file = v;
                case "format" -> format = v;
                case "if" -> {
                    if (!v.equals("virtio") && !v.equals("none")) {
                        throw error(spec, "interface if=" + v + " is not supported by this machine (use if=virtio or "
                                + "if=none with -device virtio-blk-device)");
                    }
                    iface = v;
                }
                case "id" -> {
                    if (!v.matches("[A-Za-z][A-Za-z0-9_.-]*")) {
                        throw error(spec, "Invalid ID '" + v + "' (letters, digits, '-', '.', '_', starting with a letter)");
                    }
                    id = v;
                }
                case "index" -> index = index(spec, v);
                case "readonly" -> readOnly = bool(spec, e.getKey(), v);
                case "snapshot" -> snapshot = bool(spec, e.getKey(), v);
                case "cache" -> cache = switch (v) {
                    case "writeback" -> Cache.WRITEBACK;
                    case "none" -> Cache.NONE;
                    case "writethrough" -> Cache.WRITETHROUGH;
                    case "directsync" -> Cache.DIRECTSYNC;
                    case "unsafe" -> Cache.UNSAFE;
                    default -> throw error(spec, "invalid cache option '" + v
                            + "' (writeback, none, writethrough, directsync or unsafe)");
                };
                case "media" -> {
                    if (!v.equals("disk")) {
                        throw error(spec, "media=" + v + " is not supported (only media=disk)");
                    }
                }
                case "discard" -> discard = switch (v) {
                    case "ignore", "off" -> Discard.IGNORE;
                    case "unmap", "on" -> Discard.UNMAP;
                    default -> throw error(spec, "Invalid discard option '" + v + "' (ignore or unmap)");
                };
                case "aio" -> {
                    if (!v.equals("threads") && !v.equals("native") && !v.equals("io_uring")) {
                        throw error(spec, "invalid aio option '" + v + "'");
                    }
                }
                case "file.locking" -> {
                    locking = Locking.parse(v);
                    if (locking == null) {
                        throw error(spec, "invalid parameter value: " + v);
                    }
                }
                default -> throw error(spec, "Invalid parameter '" + e.getKey() + "'");
            }
        }
        if (file == null || file.isEmpty()) {
            throw error(spec, "no file given (file=PATH)");
        }
        if ("none".equals(iface) && id == null) {
            throw error(spec, "if=none needs an id= for -device ...,drive=ID");
        }
        return new DriveOptions(spec, file, format, iface, id, index, readOnly, snapshot, cache, discard, locking);
    }

    /**
     * The {@code -drive} string QEMU makes of a bare image argument ({@code qemu disk.img}): the file on unit
     * 0 of the board's default interface, as a disk. Commas in the name are doubled so they stay in it.
     */
    public static String bareImage(String file) {
        return "file=" + file.replace(",", ",,") + ",index=0,media=disk";
    }

    private static int index(String spec, String v) throws ConfigException {
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw error(spec, "Parameter 'index' expects a number");
        }
        if (n < 0 || n > MAX_INDEX) {
            throw error(spec, "index " + v + " is out of range (0.." + MAX_INDEX + ")");
        }
        return n;
    }

    private static boolean bool(String spec, String key, String v) throws ConfigException {
        return switch (v) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw error(spec, "Parameter '" + key + "' expects 'on' or 'off'");
        };
    }

    static ConfigException error(String spec, String msg) {
        return new ConfigException("-drive " + spec + ": " + msg);
    }

    /** Splits QEMU's option syntax ({@code -drive}, {@code -device}) at single commas; ",," is a literal comma. */
    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',') {
                if (i + 1 < s.length() && s.charAt(i + 1) == ',') {
                    cur.append(',');
                    i++;
                } else {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
