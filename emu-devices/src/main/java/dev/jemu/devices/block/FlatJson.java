package dev.jemu.devices.block;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON form of QEMU's options ({@code -blockdev '{"driver":"qcow2","file":{"driver":"file",...}}'}),
 * flattened to the dotted keys of the key=value form ({@code file.driver}). Objects, strings, numbers and
 * booleans ({@code true} becomes {@code on}); arrays are not used by any option jemu has.
 */
final class FlatJson {
    private final String s;
    private int i;

    private FlatJson(String s) {
        this.s = s;
    }

    /** The flattened pairs, in order; an {@link IllegalArgumentException} says what is wrong. */
    static Map<String, String> parse(String json) {
        FlatJson p = new FlatJson(json);
        Map<String, String> out = new LinkedHashMap<>();
        p.skip();
        p.object("", out);
        p.skip();
        if (p.i != json.length()) {
            throw new IllegalArgumentException("JSON parse error, unexpected text after the object");
        }
        return out;
    }

    private void object(String prefix, Map<String, String> out) {
        expect('{');
        skip();
        if (peek() == '}') {
            i++;
            return;
        }
        while (true) {
            skip();
            String key = string();
            skip();
            expect(':');
            skip();
            char c = peek();
            if (c == '{') {
                object(prefix + key + ".", out);
            } else if (c == '"') {
                out.put(prefix + key, string());
            } else if (c == '[') {
                throw new IllegalArgumentException("JSON arrays are not supported (key '" + prefix + key + "')");
            } else {
                out.put(prefix + key, keyword());
            }
            skip();
            char next = peek();
            i++;
            if (next == '}') {
                return;
            }
            if (next != ',') {
                throw new IllegalArgumentException("JSON parse error, expected ',' or '}'");
            }
        }
    }

    private String keyword() {
        int start = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "+-.".indexOf(s.charAt(i)) >= 0)) {
            i++;
        }
        String w = s.substring(start, i);
        return switch (w) {
            case "true" -> "on";
            case "false" -> "off";
            default -> {
                if (w.matches("-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                    yield w;
                }
                throw new IllegalArgumentException("JSON parse error, invalid keyword '" + w + "'");
            }
        };
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw new IllegalArgumentException("JSON parse error, missing '\"'");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = i < s.length() ? s.charAt(i++) : 0;
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw new IllegalArgumentException("JSON parse error, bad \\u escape");
                    }
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> throw new IllegalArgumentException("JSON parse error, bad escape '\\" + e + "'");
            }
        }
    }

    private char peek() {
        if (i >= s.length()) {
            throw new IllegalArgumentException("JSON parse error, unexpected end of input");
        }
        return s.charAt(i);
    }

    private void expect(char c) {
        if (peek() != c) {
            char got = peek();
            if (Character.isLetter(got)) {
                throw new IllegalArgumentException("JSON parse error, invalid keyword '" + keywordAt() + "'");
            }
            throw new IllegalArgumentException("JSON parse error, expected '" + c + "' but found '" + got + "'");
        }
        i++;
    }

    private String keywordAt() {
        int start = i;
        while (i < s.length() && Character.isLetterOrDigit(s.charAt(i))) {
            i++;
        }
        return s.substring(start, i);
    }

    private void skip() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }
}
