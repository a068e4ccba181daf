package dev.jemu.cli.img;

import java.util.List;
import java.util.Map;

/** A small JSON writer with qemu-img's layout (4-space indentation). */
final class Json {
    private Json() {
    }

    static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int ind) {
        if (v == null) sb.append("null");
        else if (v instanceof String s) quote(sb, s);
        else if (v instanceof Number || v instanceof Boolean) sb.append(v);
        else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                pad(sb, ind + 4);
                quote(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), ind + 4);
                if (++i < m.size()) sb.append(',');
                sb.append('\n');
            }
            pad(sb, ind);
            sb.append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) { // qemu's pretty printer opens and closes on two lines
                sb.append("[\n");
                pad(sb, ind);
                sb.append(']');
                return;
            }
            sb.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                pad(sb, ind + 4);
                write(sb, l.get(i), ind + 4);
                if (i + 1 < l.size()) sb.append(',');
                sb.append('\n');
            }
            pad(sb, ind);
            sb.append(']');
        } else quote(sb, v.toString());
    }

    private static void pad(StringBuilder sb, int n) {
        sb.append(" ".repeat(n));
    }

    static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
