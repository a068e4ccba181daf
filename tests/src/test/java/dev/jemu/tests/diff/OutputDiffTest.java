package dev.jemu.tests.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's own logic: where outputs part ways, and the accepted-differences filter. */
class OutputDiffTest {

    @Test
    void equalOutputsHaveNoDifference() {
        assertNull(OutputDiff.describe("a=1\nb=2\n", "a=1\nb=2\n"));
    }

    @Test
    void namesTheFirstDifferingLineAndTheStepBeforeIt() {
        String d = OutputDiff.describe("a=1\nb=2\nc=3\n", "a=1\nb=9\nc=3\n");
        assertTrue(d.contains("line 2"), d);
        assertTrue(d.contains("previous line: a=1"), d);
        assertTrue(d.contains("qemu: b=2") && d.contains("jemu: b=9"), d);
    }

    @Test
    void reportsATruncatedOutput() {
        String d = OutputDiff.describe("a=1\nEND\n", "a=1\n");
        assertTrue(d.contains("line 2") && d.contains("jemu: <end of output>"), d);
    }

    @Test
    void filterDropsOnlyTheAcceptedLabels(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("accepted.txt");
        Files.writeString(f, "# comment\nprog misa  no H extension\nprog marchid  ours\nother x  y\n");
        AcceptedDifferences acc = AcceptedDifferences.load(f);
        assertEquals(Set.of("misa", "marchid"), acc.labelsFor("prog"));
        assertEquals(Set.of(), acc.labelsFor("absent"));
        assertEquals("mvendorid=0\nmisa_x=1\n",
                AcceptedDifferences.filter("misa=1\nmvendorid=0\nmarchid=2\nmisa_x=1\n", acc.labelsFor("prog")));
    }
}
