package dev.jemu.cli.monitor;

import java.util.function.Function;

/**
 * The address expressions of HMP commands: numbers as C's {@code strtoull(s, 0)} reads them ({@code 0x1f},
 * {@code 017}, {@code 31}), CPU registers as {@code $name} ({@code $pc}, {@code $sp}, {@code $a0}), joined by
 * {@code +} and {@code -}.
 */
final class HmpExpression {
    static final class ExpressionException extends Exception {
        ExpressionException(String message) {
            super(message, null, false, false);
        }
    }

    private HmpExpression() {
    }

    static long evaluate(String expr, Function<String, Long> registers) throws ExpressionException {
        String e = expr.strip();
        long sum = 0;
        int sign = 1;
        int i = 0;
        boolean wantTerm = true;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (!wantTerm) {
                if (c != '+' && c != '-') {
                    throw new ExpressionException("extraneous characters at the end of line");
                }
                sign = c == '+' ? 1 : -1;
                wantTerm = true;
                i++;
                continue;
            }
            int start = i;
            if (c == '$') {
                i++;
                while (i < e.length() && (Character.isLetterOrDigit(e.charAt(i)) || e.charAt(i) == '_')) {
                    i++;
                }
                Long v = registers.apply(e.substring(start + 1, i));
                if (v == null) {
                    throw new ExpressionException("unknown register");
                }
                sum += sign * v;
            } else if (Character.isDigit(c)) {
                while (i < e.length() && Character.isLetterOrDigit(e.charAt(i))) {
                    i++;
                }
                sum += sign * number(e.substring(start, i));
            } else {
                throw new ExpressionException("invalid char in expression");
            }
            wantTerm = false;
        }
        if (wantTerm) {
            throw new ExpressionException("unexpected end of expression");
        }
        return sum;
    }

    private static long number(String t) throws ExpressionException {
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) {
                return Long.parseUnsignedLong(t.substring(2), 16);
            }
            if (t.length() > 1 && t.startsWith("0")) {
                return Long.parseUnsignedLong(t.substring(1), 8);
            }
            return Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new ExpressionException("invalid number '" + t + "'");
        }
    }
}
