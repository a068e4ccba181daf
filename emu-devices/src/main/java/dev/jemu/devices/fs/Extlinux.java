package dev.jemu.devices.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * extlinux.conf as u-boot's distro boot reads it (and Debian's u-boot-menu writes it): {@code default},
 * {@code label} sections with {@code linux}/{@code kernel}, {@code initrd}, {@code append}, {@code fdt}
 * (or {@code devicetree}); menu, prompt and timeout lines are ignored.
 */
public final class Extlinux {
    /** One boot entry; paths as written (absolute within the partition), null when absent. */
    public record Entry(String label, String kernel, String initrd, String append, String fdt) {
    }

    private final List<Entry> entries;
    private final String defaultLabel;

    private Extlinux(List<Entry> entries, String defaultLabel) {
        this.entries = entries;
        this.defaultLabel = defaultLabel;
    }

    public static Extlinux parse(String text) {
        List<Entry> entries = new ArrayList<>();
        String dflt = null;
        String label = null, kernel = null, initrd = null, append = null, fdt = null;
        boolean inLabel = false;
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int sp = indexOfSpace(line);
            String key = (sp < 0 ? line : line.substring(0, sp)).toLowerCase(Locale.ROOT);
            String value = sp < 0 ? "" : line.substring(sp).strip();
            switch (key) {
                case "default" -> dflt = value;
                case "label" -> {
                    if (inLabel) {
                        entries.add(new Entry(label, kernel, initrd, append, fdt));
                    }
                    inLabel = true;
                    label = value;
                    kernel = initrd = append = fdt = null;
                }
                case "linux", "kernel" -> kernel = value;
                case "initrd" -> initrd = value;
                case "append" -> append = value;
                case "fdt", "devicetree" -> fdt = value;
                default -> { } // menu, prompt, timeout, fdtdir, ...
            }
        }
        if (inLabel) {
            entries.add(new Entry(label, kernel, initrd, append, fdt));
        }
        return new Extlinux(List.copyOf(entries), dflt);
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The {@code default} entry, else the first one with a kernel; null if there is none. */
    public Entry defaultEntry() {
        for (Entry e : entries) {
            if (e.label() != null && e.label().equals(defaultLabel) && e.kernel() != null) {
                return e;
            }
        }
        for (Entry e : entries) {
            if (e.kernel() != null) {
                return e;
            }
        }
        return null;
    }
}
