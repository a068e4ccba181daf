package dev.jemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.cli.chardev.FileBackend;
import dev.jemu.cli.chardev.LogfileBackend;
import dev.jemu.cli.chardev.MuxBackend;
import dev.jemu.core.chardev.NullCharBackend;
import dev.jemu.cli.fake.FakeBoard;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The character-device flags through the launcher, on the test board. */
class CharDevicesTest {
    private static String[] fake(String... more) {
        String[] a = new String[more.length + 4];
        a[0] = "-cpu";
        a[1] = "fake1";
        a[2] = "-display";
        a[3] = "none";
        System.arraycopy(more, 0, a, 4, more.length);
        return a;
    }

    @Test
    void chardevWithLogfileServesSerialAndEveryChardevIsListed(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.txt");
        Path log = dir.resolve("log.txt");
        Run r = Run.of(fake("-chardev", "file,id=f0,path=" + out + ",logfile=" + log, "-chardev", "null,id=spare",
                "-serial", "chardev:f0"));
        assertEquals(0, r.status(), r.err());
        assertEquals("hello from fakeboard\n", Files.readString(out));
        assertEquals("hello from fakeboard\n", Files.readString(log), "logfile= gets a copy");
        assertTrue(FakeBoard.last.serials.get(0) instanceof LogfileBackend);
        assertEquals(2, FakeBoard.last.chardevs.size(), "unused chardevs are created (and closed) too");
    }

    @Test
    void appendKeepsWhatTheFileHad(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.txt");
        Files.writeString(out, "earlier\n");
        assertEquals(0, Run.of(fake("-chardev", "file,id=f,path=" + out + ",append=on", "-serial", "chardev:f")).status());
        assertEquals("earlier\nhello from fakeboard\n", Files.readString(out));
        assertEquals(0, Run.of(fake("-serial", "file:" + out)).status());
        assertEquals("hello from fakeboard\n", Files.readString(out), "file: truncates, as QEMU");
    }

    @Test
    void monitorNoneParallelNoneAndNoShutdown() {
        Run r = Run.of(fake("-monitor", "none", "-parallel", "none", "-no-shutdown", "-serial", "mon:null"));
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertTrue(FakeBoard.last.noShutdown);
        assertTrue(FakeBoard.last.serials.get(0) instanceof MuxBackend m && m.inner() instanceof NullCharBackend);
    }

    @Test
    void aParallelPortIsOpenedButTheBoardHasNone(@TempDir Path dir) {
        Path lp = dir.resolve("lp");
        Run r = Run.of(fake("-parallel", "file:" + lp, "-serial", "null"));
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.exists(lp), "QEMU opens it too");
        assertEquals("jemu: -parallel file:" + lp + ": warning: this board has no parallel port; the character "
                + "device is opened but nothing is connected to it\n", r.err().replace(System.lineSeparator(), "\n"));
        assertTrue(FakeBoard.last.serials.get(0) instanceof NullCharBackend);
    }

    @Test
    void oneLineErrors() {
        Run mon = Run.of(fake("-monitor", "pty"));
        assertEquals(1, mon.status());
        assertEquals("jemu: -monitor pty: a monitor's character device must be a listening socket "
                + "(unix:PATH,server=on,wait=off, tcp:HOST:PORT,server=on,wait=off) or stdio\n",
                mon.err().replace(System.lineSeparator(), "\n"));
        Run twice = Run.of(fake("-monitor", "stdio", "-serial", "stdio"));
        assertEquals(1, twice.status());
        assertEquals("jemu: cannot use stdio by multiple character devices\n",
                twice.err().replace(System.lineSeparator(), "\n"));
        Run busy = Run.of(fake("-chardev", "null,id=n", "-serial", "chardev:n", "-serial", "chardev:n"));
        assertEquals(1, busy.status());
        assertEquals("jemu: -serial chardev:n: chardev 'n' is already in use by another device\n",
                busy.err().replace(System.lineSeparator(), "\n"));
        Run missing = Run.of(fake("-serial", "chardev:nope"));
        assertEquals("jemu: -serial chardev:nope: chardev 'nope' not found (define it with -chardev ...,id=nope)\n",
                missing.err().replace(System.lineSeparator(), "\n"));
    }

    /** QEMU's idiom for HMP on a shared console: the mux chardev is opened once, the monitor sits behind Ctrl-A c. */
    @Test
    void monOnAMuxChardevPutsHmpOnThatMux(@TempDir Path dir) {
        Run r = Run.of(fake("-chardev", "file,id=c,path=" + dir.resolve("out") + ",mux=on", "-serial", "chardev:c",
                "-mon", "chardev=c"));
        assertEquals(0, r.status(), r.err());
        assertTrue(FakeBoard.last.serials.get(0) instanceof MuxBackend m && m.wantsMonitor());
        Run plain = Run.of(fake("-chardev", "file,id=c,path=" + dir.resolve("out2") + ",mux=on", "-serial", "chardev:c"));
        assertEquals(0, plain.status(), plain.err());
        assertTrue(FakeBoard.last.serials.get(0) instanceof MuxBackend m && !m.wantsMonitor(), "no -mon, no monitor");
        Run qmp = Run.of(fake("-chardev", "file,id=c,path=" + dir.resolve("out3") + ",mux=on", "-serial", "chardev:c",
                "-mon", "chardev=c,mode=control"));
        assertEquals(1, qmp.status());
        assertEquals("jemu: -mon chardev=c,mode=control: QMP on a multiplexed chardev (mux=on) is not supported; "
                + "give QMP its own -chardev\n", qmp.err().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void fileBackendTypesAreStillThere(@TempDir Path dir) {
        assertEquals(0, Run.of(fake("-serial", "file:" + dir.resolve("x"))).status());
        assertTrue(FakeBoard.last.serials.get(0) instanceof FileBackend);
    }
}
