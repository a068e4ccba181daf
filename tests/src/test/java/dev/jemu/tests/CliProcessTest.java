package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The command as a separate process: exit statuses and stderr reach the caller unchanged. */
class CliProcessTest {
    @Test
    void badFlagIsOneLineAndStatus1() throws Exception {
        JemuProcess.Result r = JemuProcess.run(Duration.ofSeconds(60), "-nosuchflag");
        assertEquals(1, r.status(), r::describe);
        assertEquals("jemu: -nosuchflag: invalid option\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void versionIsStatus0() throws Exception {
        JemuProcess.Result r = JemuProcess.run(Duration.ofSeconds(60), "--version");
        assertEquals(0, r.status(), r::describe);
        assertTrue(r.out().startsWith("jemu version "), r.out());
        assertEquals("", r.err());
    }
}
