package dev.jemu.cli;

import dev.jemu.core.machine.ConfigException;
import java.util.function.Consumer;

/**
 * {@code -smp [cpus=]n[,maxcpus=m][,sockets=s][,dies=d][,clusters=c][,cores=c][,threads=t]} as QEMU 7.2 reads it:
 * the values left out are computed from the others (cores preferred over sockets, as every machine since 6.2),
 * and the hierarchy must multiply out to maxcpus. QEMU's unsigned 32-bit arithmetic and its error lines are
 * kept, so the same command line fails the same way. None of jemu's boards has dies or clusters. The machine's
 * own CPU limit (QEMU's "Invalid SMP CPUs" line) is the board's check.
 */
final class SmpOption {
    /** The topology: {@code cpus} harts/CPUs at start, at most {@code maxCpus}. */
    record Topology(int cpus, int sockets, int cores, int threads, int maxCpus) {
    }

    private SmpOption() {
    }

    /** Parses {@code opt}; {@code warn} gets QEMU's warning lines (without a prefix). */
    static Topology parse(String opt, Consumer<String> warn) throws ConfigException {
        Integer cpus = null, sockets = null, dies = null, clusters = null, cores = null, threads = null, maxcpus = null;
        boolean first = true;
        for (String part : opt.split(",", -1)) {
            boolean implied = first && !part.contains("=");
            first = false;
            if (part.isEmpty()) {
                continue;
            }
            String key = implied ? "cpus" : part.contains("=") ? part.substring(0, part.indexOf('=')) : part;
            String value = implied ? part : part.contains("=") ? part.substring(part.indexOf('=') + 1) : "on";
            int n = switch (key) {
                case "cpus", "maxcpus", "sockets", "dies", "clusters", "cores", "threads" -> number(key, value);
                default -> throw new ConfigException("Parameter 'smp." + key + "' is unexpected");
            };
            switch (key) { // a key given twice: the last one counts, as in QEMU
                case "cpus" -> cpus = n;
                case "maxcpus" -> maxcpus = n;
                case "sockets" -> sockets = n;
                case "dies" -> dies = n;
                case "clusters" -> clusters = n;
                case "cores" -> cores = n;
                default -> threads = n;
            }
        }
        Integer[] given = {cpus, sockets, dies, clusters, cores, threads, maxcpus};
        for (Integer g : given) {
            if (g != null && g == 0) {
                warn.accept("warning: Deprecated CPU topology (considered invalid): "
                        + "CPU topology parameters must be greater than zero");
                break;
            }
        }
        int c = v(cpus), s = v(sockets), d = v(dies), cl = v(clusters), co = v(cores), t = v(threads), max = v(maxcpus);
        if (Integer.compareUnsigned(d, 1) > 0) {
            throw new ConfigException("dies not supported by this machine's CPU topology");
        }
        if (Integer.compareUnsigned(cl, 1) > 0) {
            throw new ConfigException("clusters not supported by this machine's CPU topology");
        }
        d = 1;
        cl = 1;
        if (c == 0 && max == 0) {
            s = s != 0 ? s : 1;
            co = co != 0 ? co : 1;
            t = t != 0 ? t : 1;
        } else {
            max = max != 0 ? max : c;
            if (co == 0) { // cores before sockets (QEMU 6.2 on)
                s = s != 0 ? s : 1;
                t = t != 0 ? t : 1;
                co = div(max, s * d * cl * t);
            } else if (s == 0) {
                t = t != 0 ? t : 1;
                s = div(max, d * cl * co * t);
            }
            if (t == 0) {
                t = div(max, s * d * cl * co);
            }
        }
        max = max != 0 ? max : s * d * cl * co * t;
        c = c != 0 ? c : max;
        String hierarchy = "sockets (" + u(s) + ") * cores (" + u(co) + ") * threads (" + u(t) + ")";
        if (s * d * cl * co * t != max) {
            throw new ConfigException("Invalid CPU topology: product of the hierarchy must match maxcpus: "
                    + hierarchy + " != maxcpus (" + u(max) + ")");
        }
        if (Integer.compareUnsigned(max, c) < 0) {
            throw new ConfigException("Invalid CPU topology: maxcpus must be equal to or greater than smp: "
                    + hierarchy + " == maxcpus (" + u(max) + ") < smp_cpus (" + u(c) + ")");
        }
        return new Topology(c, s, co, t, max);
    }

    private static int v(Integer i) {
        return i == null ? 0 : i;
    }

    private static String u(int i) {
        return Integer.toUnsignedString(i);
    }

    private static int div(int a, int b) {
        return b == 0 ? 0 : Integer.divideUnsigned(a, b);
    }

    /** An unsigned number as QEMU's option visitor takes it (strtoull, base 0: 8, 0x8, 010; "-1" wraps). */
    private static int number(String key, String value) throws ConfigException {
        String v = value;
        boolean negative = v.startsWith("-");
        if (negative || v.startsWith("+")) {
            v = v.substring(1);
        }
        int radix = 10;
        if (v.length() > 2 && (v.startsWith("0x") || v.startsWith("0X"))) {
            v = v.substring(2);
            radix = 16;
        } else if (v.length() > 1 && v.startsWith("0")) {
            v = v.substring(1);
            radix = 8;
        }
        long n;
        try {
            if (v.isEmpty() || !Character.isLetterOrDigit(v.charAt(0))) {
                throw new NumberFormatException();
            }
            n = Long.parseUnsignedLong(v, radix);
        } catch (NumberFormatException e) {
            throw new ConfigException("Parameter 'smp." + key + "' expects integer");
        }
        return (int) (negative ? -n : n); // QEMU keeps the low 32 bits (an unsigned int)
    }
}
