package dev.jemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.cli.chardev.FileBackend;
import dev.jemu.core.chardev.NullCharBackend;
import dev.jemu.cli.chardev.MuxBackend;
import dev.jemu.cli.chardev.StdioBackend;
import dev.jemu.cli.fake.FakeBoard;
import dev.jemu.core.machine.MachineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private static final String[] FAKE = {"-cpu", "fake1"};

    private static String[] fake(String... more) {
        String[] a = new String[FAKE.length + more.length];
        System.arraycopy(FAKE, 0, a, 0, FAKE.length);
        System.arraycopy(more, 0, a, FAKE.length, more.length);
        return a;
    }

    /** A user error: status 1, exactly one line on stderr, nothing on stdout. */
    private static void assertUserError(String expected, Run r) {
        assertEquals(1, r.status(), r.err());
        assertEquals("jemu: " + expected + System.lineSeparator(), r.err());
        assertEquals("", r.out());
    }

    @Test
    void machineHelpListsBoardsWithDefault() {
        Run r = Run.of("-M", "help");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("Supported machines are:"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fakeboard ") && l.contains("Fake board for CLI tests")
                && l.contains("[fakearch]") && l.endsWith("(default)")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("otherboard ") && !l.contains("(default)")), r.out());
    }

    @Test
    void cpuHelpListsModelsPerArchitecture() {
        Run r = Run.of("-cpu", "help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("fakearch: Fake architecture for CLI tests"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("fake1") && l.contains("also f1")
                && l.contains("[default]")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("fake2") && !l.contains("[default]")), r.out());
    }

    @Test
    void theBoardNamedByMachinePicksItsArchitecture() {
        // microvm is x86_64's: it needs no -cpu, and "max" there is x86's max although aarch64 has one too
        for (String[] args : new String[][] {{"-M", "microvm,help"}, {"-M", "microvm,help", "-cpu", "max"},
            {"-M", "microvm,help", "-cpu", "qemu64"}}) {
            Run r = Run.of(args);
            assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().contains("acpi"), r.out());
        }
        assertUserError("machine 'microvm' is a x86_64 board but the CPU is aarch64 (choose the CPU with -cpu)",
                Run.of("-M", "microvm", "-cpu", "cortex-a57"));
    }

    @Test
    void debugHelpListsCategories() {
        Run r = Run.of("-d", "help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("guest_errors"), r.out());
        assertTrue(r.out().contains("in_asm"), r.out());
    }

    @Test
    void versionAndHelp() {
        Run v = Run.of("--version");
        assertEquals(0, v.status());
        assertTrue(v.out().startsWith("jemu version "), v.out());
        assertEquals(v.out(), Run.of("-version").out());
        Run h = Run.of("--help");
        assertEquals(0, h.status());
        assertTrue(h.out().contains("-machine") && h.out().contains("-nographic") && h.out().contains("-icount"), h.out());
        assertTrue(h.out().startsWith("usage: jemu [options] [disk_image]"), h.out());
        assertTrue(h.out().contains("the same as -drive file=disk_image,index=0,media=disk"), h.out());
        assertEquals(0, Run.of("-h").status());
    }

    @Test
    void runsTheDefaultBoardOfTheArchitectureAndReturnsTheGuestStatus() {
        Run r = Run.of(fake("-display", "none", "-serial", "stdio", "-append", "status=3"));
        assertEquals(3, r.status(), r.err());
        assertEquals("hello from fakeboard\n", r.out());
        assertEquals("", r.err());
        assertEquals("fakeboard", FakeBoard.last.machine);
        assertEquals("fake1", FakeBoard.last.cpu);
    }

    @Test
    void longOptionsAreNotClustered() {
        // -machine must not be read as -m achine
        Run r = Run.of(fake("-machine", "otherboard", "-display", "none"));
        assertEquals(7, r.status(), r.err());
        assertEquals("otherboard", FakeBoard.last.machine);
        assertEquals(new MachineConfig().ramBytes, FakeBoard.last.ramBytes);
        assertEquals(7, Run.of(fake("-M", "type=otherboard", "-display", "none")).status());
        assertEquals(7, Run.of(fake("-M", "otherboard,accel=tcg", "-display", "none")).status());
    }

    @Test
    void architectureNameMeansItsDefaultModel() {
        assertEquals(0, Run.of("-cpu", "fakearch", "-display", "none").status());
        assertEquals("fake1", FakeBoard.last.cpu);
        assertEquals(0, Run.of("-cpu", "f1", "-display", "none").status());
        assertEquals("f1", FakeBoard.last.cpu);
    }

    @Test
    void fillsTheConfiguration(@TempDir Path dir) throws Exception {
        Path kernel = Files.writeString(dir.resolve("Image"), "k");
        Path initrd = Files.writeString(dir.resolve("initrd"), "i");
        Path bios = Files.writeString(dir.resolve("fw.bin"), "b");
        Path log = dir.resolve("serial1.log");
        Run r = Run.of(fake("-m", "1G", "-smp", "1", "-bios", bios.toString(), "-kernel", kernel.toString(),
                "-initrd", initrd.toString(), "-append", "console=ttyS0 quiet", "-nographic", "-no-reboot",
                "-serial", "null", "-serial", "file:" + log, "-drive", "file=a.qcow2,if=none,id=d0",
                "-device", "virtio-blk-device,drive=d0", "-snapshot", "-icount", "shift=3", "-accel", "tcg"));
        assertEquals(0, r.status(), r.err());
        MachineConfig c = FakeBoard.last;
        assertEquals(1L << 30, c.ramBytes);
        assertEquals(bios.toString(), c.bios);
        assertEquals(kernel, c.kernel);
        assertEquals(initrd, c.initrd);
        assertEquals("console=ttyS0 quiet", c.append);
        assertTrue(c.noReboot);
        assertTrue(c.snapshot);
        assertEquals(List.of("file=a.qcow2,if=none,id=d0"), c.drives);
        assertEquals(List.of("virtio-blk-device,drive=d0"), c.devices);
        assertTrue(c.clock.isDeterministic());
        assertEquals(2, c.serials.size());
        assertTrue(c.serials.get(0) instanceof NullCharBackend);
        assertTrue(c.serials.get(1) instanceof FileBackend);
        assertEquals("", r.out());   // serial0 is null: nothing on stdout
        assertTrue(Files.exists(log));
    }

    @Test
    void bareArgumentIsTheFirstDiskAsInQemu(@TempDir Path dir) throws Exception {
        Path disk = Files.write(dir.resolve("disk,1.qcow2"), new byte[512]);
        Run r = Run.of(fake("-display", "none", disk.toString()));
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("file=" + disk.toString().replace(",", ",,") + ",index=0,media=disk"),
                FakeBoard.last.drives);
        // it keeps its place among the -drive options, wherever it is on the line
        r = Run.of(fake("-drive", "file=a.img,if=none,id=a", disk.toString(), "-display", "none",
                "-drive", "file=b.img"));
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("file=a.img,if=none,id=a", "file=" + disk.toString().replace(",", ",,")
                + ",index=0,media=disk", "file=b.img"), FakeBoard.last.drives);
        assertUserError("b.img: only one disk image may be given as an argument (use -drive file=b.img for more)",
                Run.of(fake("-display", "none", disk.toString(), "b.img")));
    }

    @Test
    void biosNoneAndDefault() {
        assertEquals(0, Run.of(fake("-bios", "none", "-display", "none")).status());
        assertEquals("none", FakeBoard.last.bios);
        assertEquals(0, Run.of(fake("-bios", "default", "-display", "none")).status());
        assertNull(FakeBoard.last.bios);
    }

    @Test
    void nographicMeansMonStdioOnSerial0() {
        assertEquals(0, Run.of(fake("-nographic")).status());
        assertEquals(1, FakeBoard.last.serials.size());
        assertTrue(FakeBoard.last.serials.get(0) instanceof MuxBackend m && m.inner() instanceof StdioBackend);
        assertEquals(0, Run.of(fake("-display", "none")).status());
        assertTrue(FakeBoard.last.serials.isEmpty());
    }

    @Test
    void serialFileGetsTheOutput(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("out.log");
        Run r = Run.of(fake("-serial", "file:" + log));
        assertEquals(0, r.status(), r.err());
        assertEquals("hello from fakeboard\n", Files.readString(log));
        assertEquals("", r.out());
    }

    @Test
    void stdinReachesTheGuestThroughFlowControl() {
        Run r = Run.withInput("hello world\n", false, fake("-nographic", "-append", "echo"));
        assertEquals(0, r.status(), r.err());
        assertEquals("hello from fakeboard\ngot: hello world\n", r.out());
    }

    @Test
    void escapeKeysOnATerminal() {
        // Ctrl-A Ctrl-A sends one Ctrl-A; Ctrl-A h prints the keys; Ctrl-A x ends the run with status 0
        Run r = Run.withInput("ab\u0001\u0001c\u0001h\u0001x", true, fake("-nographic", "-append", "echo status=5"));
        assertEquals(0, r.status(), r.err());
        assertEquals("jemu: terminated" + System.lineSeparator(), r.err());
        assertTrue(r.out().contains("C-a x    exit emulator"), r.out());
        // through a pipe too, as in QEMU: the mux reads the keys whatever stdin is
        Run piped = Run.withInput("a\u0001x", false, fake("-nographic", "-append", "echo status=5"));
        assertEquals(0, piped.status(), piped.err());
        assertEquals("jemu: terminated" + System.lineSeparator(), piped.err());
        // plain -serial stdio has no escape keys: the bytes are input
        Run plain = Run.withInput("a\u0001x\n", false, fake("-display", "none", "-serial", "stdio", "-append",
                "echo status=5"));
        assertEquals(5, plain.status(), plain.err());
        assertTrue(plain.out().endsWith("got: a\u0001x\n"), plain.out());
    }

    @Test
    void endOfInputIsNotAnError() {
        Run r = Run.withInput("no newline", false, fake("-nographic", "-append", "echo"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().endsWith("got: no newline"), r.out());
    }

    @Test
    void userErrorsAreOneLineAndStatus1(@TempDir Path dir) {
        assertUserError("-foo: invalid option", Run.of("-foo"));
        assertUserError("-kernel: requires an argument", Run.of(fake("-kernel")));
        assertUserError("unsupported machine type 'nope' (see -M help)", Run.of(fake("-M", "nope")));
        assertUserError("unable to find CPU model 'zz9' (see -cpu help)", Run.of("-cpu", "zz9"));
        String missing = dir.resolve("nothere").toString();
        assertUserError("-kernel " + missing + ": No such file or directory", Run.of(fake("-kernel", missing)));
        assertUserError("-initrd " + missing + ": No such file or directory", Run.of(fake("-initrd", missing)));
        assertUserError("-bios " + missing + ": No such file or directory", Run.of(fake("-bios", missing)));
        assertUserError("Parameter 'smp.cpu' is unexpected", Run.of(fake("-smp", "cpu=2")));
        assertUserError("Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (3) * cores (1) * "
                + "threads (1) != maxcpus (4)", Run.of(fake("-smp", "cpus=4,sockets=3")));
        assertUserError("-m lots: invalid RAM size (examples: 512M, 1G, 2048)", Run.of(fake("-m", "lots")));
        assertUserError("-serial vc: jemu has no display for a 'vc' console; use stdio, pty, "
                + "tcp:HOST:PORT,server=on,wait=off or file:PATH", Run.of(fake("-serial", "vc")));
        assertUserError("-serial stdio: cannot use stdio by multiple character devices",
                Run.of(fake("-serial", "mon:stdio", "-serial", "stdio")));
        assertUserError("-icount shift=auto: shift=auto is not supported; give shift=N (0..10)",
                Run.of(fake("-icount", "shift=auto")));
        assertUserError("-accel tcg,thread=multi: No MTTCG when icount is enabled", // as QEMU 7.2 says
                Run.of(fake("-icount", "3", "-accel", "tcg,thread=multi")));
        assertUserError("-d nosuch: unknown log item 'nosuch' (see -d help)", Run.of(fake("-d", "nosuch")));
        assertUserError("-display gtk: jemu has no display; use -display none or -nographic",
                Run.of(fake("-display", "gtk")));
        assertUserError("-accel kvm: KVM is only available for x86_64 guests on an x86_64 host",
                Run.of(fake("-accel", "kvm")));
        assertUserError("-accel kvm: KVM is only available for x86_64 guests on an x86_64 host",
                Run.of(fake("-enable-kvm")));
        assertUserError("The -accel and \"-machine accel=\" options are incompatible",
                Run.of(fake("-accel", "tcg", "-M", "fakeboard,accel=kvm")));
        assertUserError(missing + ": Could not open '" + missing + "': No such file or directory",
                Run.of(fake("-display", "none", missing)));
        assertUserError(dir + ": Could not open '" + dir + "': Is a directory", Run.of(fake("-display", "none",
                dir.toString())));
        assertUserError("-: invalid option", Run.of(fake("-display", "none", "-")));
        assertUserError("board says no", Run.of(fake("-display", "none", "-append", "config-error")));
    }

    @Test
    void internalErrorsAreOneLineWithoutTrace() {
        Run r = Run.of(fake("-display", "none", "-append", "boom"));
        assertEquals(1, r.status());
        assertEquals("jemu: internal error: java.lang.IllegalStateException: boom" + System.lineSeparator(), r.err());
        // with -d the stack trace follows
        Run traced = Run.of(fake("-display", "none", "-append", "boom", "-d", "guest_errors"));
        assertEquals(1, traced.status());
        assertTrue(traced.err().startsWith("jemu: internal error: java.lang.IllegalStateException: boom"));
        assertTrue(traced.err().contains("\tat "), traced.err());
    }

    @Test
    void debugLogGoesToTheDFile(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("debug.log");
        Run r = Run.of(fake("-display", "none", "-d", "guest_errors,unimp", "-D", log.toString()));
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.exists(log));
        assertFalse(dev.jemu.core.log.DebugLog.on(dev.jemu.core.log.DebugLog.Category.GUEST_ERRORS),
                "the log is switched off again after the run");
    }
}
