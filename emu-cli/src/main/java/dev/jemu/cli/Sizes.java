package dev.jemu.cli;

import dev.jemu.core.machine.ConfigException;
import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** QEMU's size syntax: a number, optionally with a fraction, and a suffix B, K, M, G, T, P or E. */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)([bBkKmMgGtTpPeE]?)");
    /** QEMU rounds RAM up to 8 KiB. */
    private static final long RAM_ALIGN = 8192;
    private static final long MAX_RAM = 1L << 44;

    private Sizes() {
    }

    /** Parses {@code text}; a number without suffix is in units of {@code defaultUnit} bytes. */
    static long parse(String text, long defaultUnit) throws NumberFormatException {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new NumberFormatException(text);
        }
        long unit = m.group(2).isEmpty() ? defaultUnit : switch (Character.toUpperCase(m.group(2).charAt(0))) {
            case 'B' -> 1L;
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            case 'P' -> 1L << 50;
            default -> 1L << 60;
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new NumberFormatException(text);
        }
        return bytes.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    /** {@code -m [size=]SIZE[,...]}: plain numbers are MiB, the result is rounded up to 8 KiB. */
    static long ramSize(String opt) throws ConfigException {
        String size = null;
        for (String part : opt.split(",", -1)) {
            if (part.startsWith("size=")) {
                size = part.substring(5);
            } else if (!part.contains("=") && size == null) {
                size = part;
            } else if (part.startsWith("slots=") || part.startsWith("maxmem=")) {
                throw new ConfigException("-m " + opt + ": memory hotplug (slots, maxmem) is not supported");
            } else {
                throw new ConfigException("-m " + opt + ": invalid parameter '" + part + "'");
            }
        }
        long bytes;
        try {
            bytes = parse(size == null ? "" : size, 1L << 20);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException("-m " + opt + ": invalid RAM size (examples: 512M, 1G, 2048)");
        }
        if (bytes <= 0) {
            throw new ConfigException("-m " + opt + ": RAM size must be more than 0");
        }
        if (bytes > MAX_RAM) {
            throw new ConfigException("-m " + opt + ": RAM size too large (at most 16T)");
        }
        return (bytes + RAM_ALIGN - 1) / RAM_ALIGN * RAM_ALIGN;
    }
}
