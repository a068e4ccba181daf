package dev.jemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jemu.core.machine.ConfigException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code -smp} against QEMU 7.2's machine_parse_smp_config: the values and lines qemu-system-riscv64 gives. */
class SmpOptionTest {
    private final List<String> warnings = new ArrayList<>();

    private SmpOption.Topology parse(String opt) throws ConfigException {
        return SmpOption.parse(opt, warnings::add);
    }

    private String error(String opt) {
        return assertThrows(ConfigException.class, () -> parse(opt)).getMessage();
    }

    /** cpus, sockets, cores, threads, maxcpus. */
    private void assertTopology(String opt, int cpus, int sockets, int cores, int threads, int max)
            throws ConfigException {
        assertEquals(new SmpOption.Topology(cpus, sockets, cores, threads, max), parse(opt), opt);
    }

    @Test
    void missingValuesAreComputedAsQemuDoes() throws ConfigException {
        assertTopology("1", 1, 1, 1, 1, 1);
        assertTopology("4", 4, 1, 4, 1, 4);            // cores preferred over sockets (QEMU >= 6.2)
        assertTopology("cpus=4", 4, 1, 4, 1, 4);
        assertTopology("8,sockets=2", 8, 2, 4, 1, 8);
        assertTopology("sockets=2,cores=2", 4, 2, 2, 1, 4);
        assertTopology("cpus=2,threads=2", 2, 1, 1, 2, 2);
        assertTopology("maxcpus=4", 4, 1, 4, 1, 4);
        assertTopology("4,maxcpus=8", 4, 1, 8, 1, 8);
        assertTopology("cores=3,threads=2", 6, 1, 3, 2, 6);
        assertTopology("4,cores=2", 4, 2, 2, 1, 4);    // sockets from the rest
        assertTopology("4,sockets=2,cores=2", 4, 2, 2, 1, 4);
        assertTopology("cpus=4,cpus=2", 2, 1, 2, 1, 2); // the last one counts
        assertTopology("0x4", 4, 1, 4, 1, 4);           // strtoull base 0
        assertTopology("4,dies=1,clusters=1", 4, 1, 4, 1, 4);
        assertEquals(List.of(), warnings);
    }

    @Test
    void zeroIsDeprecatedAndMeansNotGiven() throws ConfigException {
        assertTopology("0", 1, 1, 1, 1, 1);
        assertEquals(List.of("warning: Deprecated CPU topology (considered invalid): CPU topology parameters must be "
                + "greater than zero"), warnings);
        assertTopology("4,cores=0", 4, 1, 4, 1, 4);
        assertEquals(2, warnings.size());
    }

    @Test
    void qemusErrorLines() {
        assertEquals("Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (3) * cores (1) * "
                + "threads (1) != maxcpus (4)", error("cpus=4,sockets=3"));
        assertEquals("Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (2) * cores (2) * "
                + "threads (0) != maxcpus (2)", error("2,sockets=2,cores=2"));
        assertEquals("Invalid CPU topology: maxcpus must be equal to or greater than smp: sockets (1) * cores (2) * "
                + "threads (1) == maxcpus (2) < smp_cpus (4)", error("4,maxcpus=2"));
        assertEquals("dies not supported by this machine's CPU topology", error("4,dies=2"));
        assertEquals("clusters not supported by this machine's CPU topology", error("4,clusters=2"));
        assertEquals("Parameter 'smp.foo' is unexpected", error("foo=1"));
        assertEquals("Parameter 'smp.cpus' expects integer", error("x"));
        assertEquals("Parameter 'smp.cpus' expects integer", error("1.5"));
        assertEquals("Parameter 'smp.cores' expects integer", error("4,cores="));
    }

    @Test
    void minusOneWrapsAsQemusUnsignedInt() throws ConfigException {
        SmpOption.Topology t = parse("-1"); // QEMU then says "Invalid SMP CPUs -1. The max CPUs ... is 512"
        assertEquals(-1, t.cpus());
        assertEquals(-1, t.maxCpus());
    }
}
