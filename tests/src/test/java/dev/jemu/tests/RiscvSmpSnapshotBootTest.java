package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * savevm and -loadvm of a Debian guest with two harts: a counter pinned to CPU 1 ({@code taskset 2}) runs when
 * the snapshot is taken; from {@code -loadvm} with the same {@code -smp 2} it goes on by itself and the guest
 * still counts two CPUs; with {@code -smp 1} the snapshot is refused with one line.
 */
@Tag("boot")
class RiscvSmpSnapshotBootTest {
    private static final String ARCH = "riscv64";

    @TempDir
    Path tmp;

    @BeforeEach
    void needBoard() {
        Kit.requireBoard(ARCH, "virt");
    }

    /** RiscvSnapshotBootTest's guest (shell, root disk) with {@code -smp smp}. */
    private static List<String> args(Path disk, String smp, String... more) {
        List<String> a = RiscvSnapshotBootTest.args(disk, more);
        a.addAll(List.of("-smp", smp));
        return a;
    }

    @Test
    void savevmOfTwoHartsLoadsIntoTwoAndIsRefusedByOne() throws Exception {
        Path disk = tmp.resolve("root.qcow2");
        Files.copy(Kit.file(ARCH, "root.qcow2"), disk, StandardCopyOption.REPLACE_EXISTING);

        JemuProcess.Result saved = JemuProcess.run(JemuProcess.timeout(), List.of("-Djemu.test.savevm=s1@SAVE-NOW"),
                List.of(new JemuProcess.Step(" # ", "mkdir -p /t; mount -t tmpfs tmpfs /t; "
                                + "taskset 2 sh -c 'i=0; while true; do if [ -e /t/hold ]; then touch /t/held; else "
                                + "i=$((i+1)); echo $i > /t/n; mv /t/n /t/c; fi; sleep 0.1; done' &\n"),
                        // held at 5 or more (acknowledged), as RiscvSnapshotBootTest does: no step assumes a speed
                        new JemuProcess.Step(" # ", "until [ -e /t/c ] && [ $(cat /t/c) -ge 5 ]; do sleep 0.1; done; "
                                + "touch /t/hold; until [ -e /t/held ]; do sleep 0.1; done; "
                                + "echo C=$(cat /t/c); echo SAVE\"\"-NOW\n")),
                args(disk, "2").toArray(String[]::new));
        assertFalse(saved.timedOut(), saved::describe);
        assertEquals(0, saved.status(), saved::describe);
        assertTrue(saved.err().contains("jemu: savevm s1: "), saved::describe);
        long before = KitGuest.number(saved.out(), "C=(\\d+)");
        assertTrue(before >= 5, "the counter ran before the save: " + before);

        JemuProcess.Result loaded = JemuProcess.run(JemuProcess.timeout(),
                List.of(new JemuProcess.Step("", "a=$(cat /t/c); echo AFTER=$a; rm /t/hold; "
                                + "until [ $(cat /t/c) -ge $((a+3)) ]; do sleep 0.1; done; "
                                + "echo AFTER2=$(cat /t/c) N=$(nproc)-END\n"),
                        new JemuProcess.Step("-END", "poweroff -f\n")),
                args(disk, "2", "-loadvm", "s1").toArray(String[]::new));
        assertFalse(loaded.timedOut(), loaded::describe);
        assertEquals(0, loaded.status(), loaded::describe);
        assertFalse(loaded.out().contains("JEMU-BOOT-OK"), "no boot: the guest went on from the snapshot");
        long after = KitGuest.number(loaded.out(), "AFTER=(\\d+)");
        long after2 = KitGuest.number(loaded.out(), "AFTER2=(\\d+)");
        assertEquals(before, after, "the held counter stands where it was saved");
        assertTrue(after2 >= after + 3, "the counter on CPU 1 runs on by itself: " + after + " -> " + after2);
        assertTrue(loaded.out().contains("N=2-END"), loaded::describe);

        JemuProcess.Result one = JemuProcess.run(JemuProcess.timeout(),
                args(disk, "1", "-loadvm", "s1").toArray(String[]::new));
        assertEquals(1, one.status(), one::describe);
        assertEquals("jemu: Snapshot 's1': machine state was saved with 2 CPUs (-smp 2), this machine has 1",
                one.err().strip());
    }
}
