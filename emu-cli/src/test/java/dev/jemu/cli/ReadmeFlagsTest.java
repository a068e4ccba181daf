package dev.jemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * README.md's generated flag section must be what the tables generate now. {@code scripts/readme-flags}
 * (this test with {@code -Djemu.readme.write=true}) rewrites it.
 */
class ReadmeFlagsTest {
    private static final Path README = Path.of("..", "README.md");

    @Test
    void readmeSectionMatchesTheTables() throws Exception {
        String readme = Files.readString(README);
        String wanted = ReadmeFlags.rewrite(readme);
        if (Boolean.getBoolean("jemu.readme.write")) {
            Files.writeString(README, wanted);
            readme = wanted;
        }
        assertEquals(wanted, readme, "README.md's flag section is out of date: run scripts/readme-flags");
    }

    @Test
    void sectionListsEveryFlagAndOnlyMissingQemuOptions() {
        String s = ReadmeFlags.section();
        for (Flags.Flag f : Flags.ALL) {
            assertTrue(s.contains("`" + f.names().get(0) + "`"), f.names().get(0));
        }
        assertTrue(s.contains("`-vnc` (VNC display)"), s);           // QEMU has it, jemu not
        assertFalse(s.contains("`-rtc` (real-time clock)"), s);    // jemu has it: not in the missing list
        assertTrue(s.contains("`virtio-blk-device`: `drive`, `serial`"), s);
        assertTrue(s.contains("`dumpdtb`"), s);
        for (String v : ReadmeFlags.imgVerbs()) {
            assertTrue(s.contains("`" + v + "`"), v);
        }
    }

    @Test
    void aQemuOptionJemuLacksIsRefusedWithWhatItIs() {
        Run r = Run.of("-vnc", ":0");
        assertEquals(1, r.status());
        assertEquals("jemu: -vnc: QEMU's option (VNC display) is not supported by jemu" + System.lineSeparator(), r.err());
    }

    @Test
    void noFlagIsBothSupportedAndListedMissing() {
        for (QemuFlags.QemuFlag q : QemuFlags.missing()) {
            assertFalse(Flags.has(q.name()), q.name());
        }
        // every flag of the table that QEMU has is spelled as QEMU spells it
        for (Flags.Flag f : Flags.ALL) {
            assertTrue(f.names().stream().anyMatch(n -> QemuFlags.find(n).isPresent() || n.startsWith("--")
                    || n.equals("-M") || n.equals("-help")), f.names().toString());
        }
    }
}
