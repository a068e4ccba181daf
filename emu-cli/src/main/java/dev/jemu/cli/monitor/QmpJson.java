package dev.jemu.cli.monitor;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as QMP speaks it: a parser (objects keep their member order; integers are {@code Long}, other numbers
 * {@code Double}, as QEMU's parser makes them; single-quoted strings are accepted, as QEMU accepts them) and a
 * writer in QEMU's compact layout ({@code {"a": 1, "b": [2, 3]}}, non-ASCII escaped as {@code \\uXXXX}). Errors
 * are {@link JsonException}s worded as QEMU's ("JSON parse error, ...").
 */
final class QmpJson {
    static final int MAX_NESTING = 1024;

    /** A parse error, with QEMU's message. */
    static final class JsonException extends Exception {
        JsonException(String message) {
            super(message, null, false, false);
        }
    }

    private final String s;
    private int pos;

    private QmpJson(String s) {
        this.s = s;
    }

    /** Parses one complete JSON value (surrounding white space allowed). */
    static Object parse(String text) throws JsonException {
        QmpJson p = new QmpJson(text);
        p.skipSpace();
        if (p.pos == text.length()) {
            throw new JsonException("JSON parse error, expecting value");
        }
        Object v = p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw new JsonException("JSON parse error, expecting value");
        }
        return v;
    }

    private Object value(int depth) throws JsonException {
        if (depth > MAX_NESTING) {
            throw new JsonException("JSON nesting depth limit exceeded");
        }
        skipSpace();
        if (pos >= s.length()) {
            throw new JsonException("JSON parse error, expecting value");
        }
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"', '\'' -> string();
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                if (Character.isLetter(c)) {
                    yield keyword();
                }
                if (c == '}' || c == ']' || c == ',' || c == ':') {
                    throw new JsonException("JSON parse error, expecting value");
                }
                throw new JsonException("JSON parse error, stray '" + c + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) throws JsonException {
        pos++;
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipSpace();
            char c = peek();
            if (c == '}' || c == '\0') {
                throw new JsonException("JSON parse error, expecting value"); // {"a": 1,}
            }
            if (c != '"' && c != '\'') {
                throw new JsonException("JSON parse error, key is not a string in object");
            }
            String key = string();
            skipSpace();
            if (peek() != ':') {
                throw new JsonException("JSON parse error, missing : in object pair");
            }
            pos++;
            Object v = value(depth + 1);
            if (m.containsKey(key)) {
                throw new JsonException("JSON parse error, duplicate key");
            }
            m.put(key, v);
            skipSpace();
            c = peek();
            pos++;
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw new JsonException("JSON parse error, expected separator in dict");
            }
        }
    }

    private List<Object> array(int depth) throws JsonException {
        pos++;
        List<Object> l = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return l;
        }
        while (true) {
            l.add(value(depth + 1));
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') {
                return l;
            }
            if (c != ',') {
                throw new JsonException("JSON parse error, expected separator in list");
            }
        }
    }

    private String string() throws JsonException {
        char quote = s.charAt(pos++);
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw new JsonException("JSON parse error, missing terminating quote");
            }
            char c = s.charAt(pos++);
            if (c == quote) {
                return b.toString();
            }
            if (c < 0x20) {
                throw new JsonException("JSON parse error, invalid control character in string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= s.length()) {
                throw new JsonException("JSON parse error, missing terminating quote");
            }
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\'', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw new JsonException("JSON parse error, invalid hex escape sequence in string");
                    }
                    try {
                        b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException x) {
                        throw new JsonException("JSON parse error, invalid hex escape sequence in string");
                    }
                    pos += 4;
                }
                default -> throw new JsonException("JSON parse error, invalid escape sequence in string");
            }
        }
    }

    private Object number() throws JsonException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        boolean integer = true;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c >= '0' && c <= '9') {
                pos++;
            } else if (c == '.' || c == 'e' || c == 'E' || ((c == '+' || c == '-') && isExp(s.charAt(pos - 1)))) {
                integer = false;
                pos++;
            } else {
                break;
            }
        }
        String t = s.substring(start, pos);
        if (!t.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
            throw new JsonException("JSON parse error, invalid number '" + t + "'");
        }
        if (integer) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                // QEMU: an integer too large for int64 becomes a double
            }
        }
        return Double.parseDouble(t);
    }

    private static boolean isExp(char c) {
        return c == 'e' || c == 'E';
    }

    private Object keyword() throws JsonException {
        int start = pos;
        while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) {
            pos++;
        }
        String w = s.substring(start, pos);
        return switch (w) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            case "null" -> null;
            default -> throw new JsonException("JSON parse error, invalid keyword '" + w + "'");
        };
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == '\n'
                || s.charAt(pos) == '\r')) {
            pos++;
        }
    }

    // --- writer ---

    static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String str) {
            quote(b, str);
        } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof java.math.BigInteger) {
            b.append(v);
        } else if (v instanceof Double d) {
            b.append(formatDouble(d));
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            String sep = "";
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(sep);
                quote(b, String.valueOf(e.getKey()));
                b.append(": ");
                write(b, e.getValue());
                sep = ", ";
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            String sep = "";
            for (Object o : l) {
                b.append(sep);
                write(b, o);
                sep = ", ";
            }
            b.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass());
        }
    }

    /** C's {@code %.17g}, which QEMU uses for doubles: 1000.0 is {@code 1000}, 1.5e29 {@code 1.5e+29}. */
    static String formatDouble(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        BigDecimal v = new BigDecimal(d).round(new MathContext(17));
        int exp = v.precision() - v.scale() - 1;
        if (exp < -4 || exp >= 17) {
            BigDecimal mant = v.movePointLeft(exp).stripTrailingZeros();
            String m = mant.toPlainString();
            return m + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        return v.stripTrailingZeros().toPlainString();
    }

    private static void quote(StringBuilder b, String str) {
        b.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
