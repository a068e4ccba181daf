package dev.jemu.tests.diff;

import java.util.List;

/** Describes where two guest outputs part ways, naming the line and the test step before it. */
final class OutputDiff {
    private OutputDiff() {}

    /** Null when equal; otherwise a short description of the first difference. */
    static String describe(String expected, String actual) {
        if (expected.equals(actual)) return null;
        List<String> e = expected.lines().toList();
        List<String> a = actual.lines().toList();
        int n = Math.min(e.size(), a.size());
        int i = 0;
        while (i < n && e.get(i).equals(a.get(i))) i++;
        StringBuilder sb = new StringBuilder();
        if (i == n && e.size() == a.size()) {
            sb.append("outputs differ only in line endings or a missing final newline");
        } else {
            sb.append("first difference at line ").append(i + 1);
            if (i > 0) sb.append(" (previous line: ").append(e.get(i - 1)).append(')');
            sb.append("\n  qemu: ").append(i < e.size() ? e.get(i) : "<end of output>");
            sb.append("\n  jemu: ").append(i < a.size() ? a.get(i) : "<end of output>");
        }
        sb.append("\n  (qemu ").append(e.size()).append(" lines, jemu ").append(a.size()).append(" lines)");
        return sb.toString();
    }
}
