package dev.jemu.devices.block;

/** Size strings as qemu-img takes them: bytes, or a number with a K/M/G/T/P/E suffix (powers of 1024). */
public final class Sizes {
    private Sizes() {
    }

    public static long parse(String s) throws BlockException {
        String t = s.trim();
        if (t.isEmpty()) throw new BlockException("Invalid size ''");
        long mult = 1;
        char last = Character.toUpperCase(t.charAt(t.length() - 1));
        int shift = switch (last) {
            case 'B' -> 0;
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            case 'P' -> 50;
            case 'E' -> 60;
            default -> -1;
        };
        if (shift >= 0) {
            t = t.substring(0, t.length() - 1);
            mult = 1L << shift;
        }
        try {
            if (t.contains(".")) {
                double d = Double.parseDouble(t) * mult;
                if (d < 0 || d >= 9.2e18 || Double.isNaN(d)) throw new NumberFormatException();
                return (long) d;
            }
            long v = Long.parseLong(t);
            if (v < 0 || (mult > 1 && v > Long.MAX_VALUE / mult)) throw new NumberFormatException();
            return v * mult;
        } catch (NumberFormatException e) {
            throw new BlockException("Invalid size '" + s + "' (expected a number with an optional K, M, G, T suffix)");
        }
    }

    /** "10 MiB" style, as qemu-img prints sizes for humans. */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        if (bytes < 1024) return bytes + " B";
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        String num = String.format(java.util.Locale.ROOT, "%.3g", v);
        if (num.contains(".")) num = num.replaceAll("0+$", "").replaceAll("\\.$", "");
        return num + " " + units[u];
    }
}
