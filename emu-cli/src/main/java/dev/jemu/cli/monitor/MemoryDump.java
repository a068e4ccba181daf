package dev.jemu.cli.monitor;

/**
 * HMP's {@code x /fmt addr} and {@code xp /fmt addr}: the {@code /fmt} (count, format letter x d u o c, size
 * letter b h w g; what is left out comes from the previous dump, as in QEMU) and the dump itself, laid out as
 * QEMU lays it out (16 bytes a line, 8 for bytes; one {@code Cannot access memory} ends it).
 */
final class MemoryDump {
    /** A parsed {@code /fmt}. */
    record Format(int count, char format, int size) {
    }

    /** What an HMP session remembers between dumps (QEMU's last format and size). */
    static final class Defaults {
        char format = 'x';
        int size = 4;
    }

    static final class FormatException extends Exception {
        FormatException(String message) {
            super(message, null, false, false);
        }
    }

    private MemoryDump() {
    }

    /** Parses {@code fmt} (the text after '/', possibly empty) and updates {@code d}. */
    static Format parse(String fmt, Defaults d) throws FormatException {
        int i = 0;
        int count = 1;
        if (i < fmt.length() && Character.isDigit(fmt.charAt(i))) {
            int start = i;
            while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) {
                i++;
            }
            try {
                count = Integer.parseInt(fmt.substring(start, i));
            } catch (NumberFormatException e) {
                throw new FormatException("invalid count in format");
            }
        }
        char format = 0;
        int size = 0;
        for (; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            switch (c) {
                case 'x', 'd', 'u', 'o', 'c' -> format = c;
                case 'b' -> size = 1;
                case 'h' -> size = 2;
                case 'w' -> size = 4;
                case 'g' -> size = 8;
                case 'i' -> throw new FormatException("format 'i' (disassembly) is not supported by jemu");
                default -> throw new FormatException("invalid char in format: '" + c + "'");
            }
        }
        if (format == 0) {
            format = d.format;
        }
        if (size == 0) {
            size = d.size;
        }
        d.format = format;
        d.size = size;
        return new Format(count, format, size);
    }

    /** Bytes the dump reads. */
    static long length(Format f) {
        return (long) f.count() * f.size();
    }

    /** Lays out {@code readable} of the dump's bytes (the rest could not be read) starting at {@code addr}. */
    static String render(Format f, long addr, byte[] data, int readable) {
        StringBuilder s = new StringBuilder();
        int lineSize = f.size() == 1 ? 8 : 16;
        int digits = switch (f.format()) {
            case 'o' -> (f.size() * 8 + 2) / 3;
            case 'u', 'd' -> (f.size() * 8 * 10 + 32) / 33;
            default -> f.size() * 2;
        };
        int len = data.length;
        for (int at = 0; at < len; at += lineSize) {
            int l = Math.min(lineSize, len - at);
            s.append(String.format("%016x:", addr + at));
            if (at + l > readable) {
                s.append(" Cannot access memory\n");
                break;
            }
            // QEMU sizes a 'c' dump (length, line) by the unit size but prints it byte by byte
            int step = f.format() == 'c' ? 1 : f.size();
            for (int i = 0; i < l; i += step) {
                long v = 0;
                for (int k = step - 1; k >= 0; k--) {
                    v = v << 8 | (data[at + i + k] & 0xff);
                }
                s.append(' ');
                switch (f.format()) {
                    case 'o' -> s.append(pad("0" + Long.toOctalString(v), digits));
                    case 'u' -> s.append(pad(Long.toUnsignedString(v), digits));
                    case 'd' -> s.append(pad(Long.toString(v), digits));
                    case 'c' -> s.append(printable((int) v));
                    default -> s.append("0x").append(zeros(Long.toHexString(v), digits));
                }
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static String pad(String v, int width) {
        return v.length() >= width ? v : " ".repeat(width - v.length()) + v;
    }

    private static String zeros(String v, int width) {
        return v.length() >= width ? v : "0".repeat(width - v.length()) + v;
    }

    /** A byte as QEMU's monitor prints a character: {@code 'a'}, {@code '\n'}, {@code '\x93'}. */
    private static String printable(int c) {
        String inner = switch (c) {
            case '\\' -> "\\\\";
            case '\'' -> "\\'";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            default -> c >= 32 && c <= 126 ? String.valueOf((char) c) : String.format("\\x%02x", c);
        };
        return "'" + inner + "'";
    }
}
