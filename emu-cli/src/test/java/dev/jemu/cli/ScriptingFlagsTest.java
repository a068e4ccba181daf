package dev.jemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.cli.fake.FakeBoard;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.RtcOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scripting flags: parsed into the configuration, bad values refused with QEMU's words. */
class ScriptingFlagsTest {
    private static final String NL = System.lineSeparator();

    @AfterEach
    void plainMessages() {
        dev.jemu.core.log.Messages.configure(false, null);
    }

    private static Run fake(String... more) {
        String[] a = new String[2 + more.length];
        a[0] = "-cpu";
        a[1] = "fake1";
        System.arraycopy(more, 0, a, 2, more.length);
        return Run.of(a);
    }

    private static void assertError(String expected, Run r) {
        assertEquals(1, r.status(), r.err());
        assertEquals("jemu: " + expected + NL, r.err());
    }

    @Test
    void nodefaultsLeavesNoConsole() {
        assertEquals(0, fake("-nographic", "-nodefaults").status());
        assertTrue(FakeBoard.last.serials.isEmpty());
        assertEquals(0, fake("-nodefaults").status());
        assertTrue(FakeBoard.last.serials.isEmpty());
        assertEquals(0, fake("-nographic").status());      // without it: the console is serial0
        assertEquals(1, FakeBoard.last.serials.size());
        assertEquals(0, fake("-nodefaults", "-serial", "null").status()); // an explicit -serial still counts
        assertEquals(1, FakeBoard.last.serials.size());
    }

    @Test
    void noUserConfigAndNameAreAccepted() {
        assertEquals(0, fake("-no-user-config", "-name", "g1").status());
        assertEquals(0, fake("-name", "guest=g1,process=p1,debug-threads=on").status());
        assertError("-name foo,bogus=1: Invalid parameter 'bogus'", fake("-name", "foo,bogus=1"));
        assertError("-name guest=x,debug-threads=maybe: Parameter 'debug-threads' expects 'on' or 'off'",
                fake("-name", "guest=x,debug-threads=maybe"));
    }

    @Test
    void vgaNoneOnly() {
        assertEquals(0, fake("-vga", "none").status());
        assertError("-vga std: jemu has no display, so no graphic card (use -vga none, -nographic for the serial "
                + "console)", fake("-vga", "std"));
        assertError("unknown vga type: foo", fake("-vga", "foo"));
        Run help = Run.of("-vga", "help");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("none "), help.out());
    }

    @Test
    void rtcBaseAndClock() throws ConfigException {
        Instant now = Instant.parse("2026-01-02T03:04:05Z");
        assertEquals(new RtcOptions(RtcOptions.nanos(now), false), ScriptingOptions.rtc("base=utc", now));
        assertEquals(new RtcOptions(RtcOptions.nanos(Instant.parse("2020-01-02T03:04:05Z")), true),
                ScriptingOptions.rtc("base=2020-01-02T03:04:05,clock=vm", now));
        assertEquals(RtcOptions.nanos(Instant.parse("2006-06-17T00:00:00Z")),
                ScriptingOptions.rtc("base=2006-06-17,clock=rt,driftfix=slew", now).startNanos());
        assertFalse(ScriptingOptions.rtc("clock=host", now).followsGuest());
        assertEquals(0, fake("-rtc", "base=2020-01-02,clock=vm").status());
        assertEquals(RtcOptions.nanos(Instant.parse("2020-01-02T00:00:00Z")), FakeBoard.last.rtc.startNanos());
        assertTrue(FakeBoard.last.rtc.followsGuest());
        assertError("-rtc base=bogus: invalid datetime format (valid formats: '2006-06-17T16:01:21' or '2006-06-17')",
                fake("-rtc", "base=bogus"));
        assertError("-rtc clock=foo: invalid option value 'foo'", fake("-rtc", "clock=foo"));
        assertError("-rtc driftfix=x: invalid option value 'x'", fake("-rtc", "driftfix=x"));
        assertError("-rtc foo=bar: Invalid parameter 'foo'", fake("-rtc", "foo=bar"));
    }

    @Test
    void rtcLocaltimeIsTheLocalWallClockReadAsUtc() throws ConfigException {
        Instant now = Instant.parse("2026-07-01T12:00:00Z");
        long offset = java.time.ZoneId.systemDefault().getRules().getOffset(now).getTotalSeconds();
        assertEquals(RtcOptions.nanos(now) + offset * 1_000_000_000L,
                ScriptingOptions.rtc("base=localtime", now).startNanos());
    }

    @Test
    void msgTimestampPrefixesJemusLines() {
        Run r = fake("-msg", "timestamp=on", "-m", "0");
        assertEquals(1, r.status());
        assertTrue(r.err().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z jemu: .*" + NL), r.err());
        Run named = fake("-name", "g1", "-msg", "timestamp=off,guest-name=on", "-m", "0");
        assertTrue(named.err().startsWith("g1 jemu: "), named.err());
        assertError("-msg timestamp=maybe: Parameter 'timestamp' expects 'on' or 'off'", fake("-msg", "timestamp=maybe"));
        assertError("-msg foo=on: Invalid parameter 'foo'", fake("-msg", "foo=on"));
    }

    @Test
    void bootIsCheckedAsQemuDoes() {
        for (String ok : List.of("order=c", "dc", "order=cd,menu=on,splash-time=5,reboot-timeout=-1,strict=off",
                "menu=off,splash=/x.bmp")) {
            assertEquals(0, fake("-boot", ok).status(), ok);
        }
        assertError("-boot order=z: Invalid boot device 'z'", fake("-boot", "order=z"));
        assertError("-boot order=cc: Boot device 'c' was given twice", fake("-boot", "order=cc"));
        assertError("-boot order=cd,menu=maybe: Parameter 'boot.menu' expects 'on' or 'off'",
                fake("-boot", "order=cd,menu=maybe"));
        assertError("-boot reboot-timeout=70000: reboot timeout is invalid, it should be a value between -1 and 65535",
                fake("-boot", "reboot-timeout=70000"));
        assertError("-boot splash-time=x: Parameter 'boot.splash-time' expects integer", fake("-boot", "splash-time=x"));
        assertError("-boot strict=x: Parameter 'boot.strict' expects 'on' or 'off'", fake("-boot", "strict=x"));
        assertError("-boot foo=1: Parameter 'boot.foo' is unexpected", fake("-boot", "foo=1"));
        assertError("-boot order=c,once=d: no function defined to set boot device list for this architecture",
                fake("-boot", "order=c,once=d"));
    }

    @Test
    void globalBothSpellings() throws ConfigException {
        assertEquals("virtio-blk-device.serial=abc", ScriptingOptions.global("virtio-blk-device.serial=abc"));
        assertEquals("virtio-blk-device.serial=a,b",
                ScriptingOptions.global("driver=virtio-blk-device,property=serial,value=a,,b"));
        assertEquals(0, fake("-global", "driver=d,property=p,value=v", "-global", "x.y=z").status());
        assertEquals(List.of("d.p=v", "x.y=z"), FakeBoard.last.globals);
        assertError("-global virtio-blk-device: Invalid parameter 'virtio-blk-device'",
                fake("-global", "virtio-blk-device"));
        assertError("-global driver=d,property=p: Parameter 'value' is missing", fake("-global", "driver=d,property=p"));
        ConfigException e = assertThrows(ConfigException.class, () -> ScriptingOptions.global("a.b"));
        assertTrue(e.getMessage().contains("Invalid parameter"), e.getMessage());
    }

    @Test
    void blockdevsReachTheConfiguration() {
        assertEquals(0, fake("-blockdev", "driver=raw,node-name=n,file.driver=file,file.filename=x").status());
        assertEquals(List.of("driver=raw,node-name=n,file.driver=file,file.filename=x"), FakeBoard.last.blockdevs);
    }

    // ---------------------------------------------------------------- discovery, on the real virt board

    @Test
    void deviceHelpListsTheBoardsDevicesInQemusFormat() {
        Run r = Run.of("-M", "virt", "-device", "help");
        assertEquals(0, r.status(), r.err());
        assertEquals("Storage devices:" + NL + "name \"virtio-9p-device\", bus virtio-bus" + NL
                + "name \"virtio-blk-device\", bus virtio-bus" + NL + NL + "Network devices:" + NL
                + "name \"virtio-net-device\", bus virtio-bus" + NL + NL + "Misc devices:" + NL
                + "name \"virtio-rng-device\", bus virtio-bus" + NL + NL, r.out());
        Run props = Run.of("-M", "virt", "-device", "virtio-blk-device,help");
        assertEquals(0, props.status(), props.err());
        assertEquals("virtio-blk-device options:" + NL
                + "  drive=<str>            - Node name or ID of a block device to use as a backend" + NL
                + "  serial=<str>" + NL, props.out());
        assertError("-device foo,help: Device 'foo' not found", Run.of("-M", "virt", "-device", "foo,help"));
    }

    @Test
    void machineHelpListsTheBoardsProperties() {
        for (String flag : List.of("-M", "-machine")) {
            Run r = Run.of(flag, "virt,help");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().startsWith("virt-machine options:" + NL), r.out());
            assertTrue(r.out().contains("  dumpdtb=<string>       - Dump current dtb to a file and quit" + NL), r.out());
        }
        assertError("-machine virt,foo=1: Property 'virt-machine.foo' not found", Run.of("-M", "virt,foo=1"));
    }

    @Test
    void dumpdtbWritesTheTreeAndExits(@TempDir Path dir) throws Exception {
        Path dtb = dir.resolve("virt.dtb");
        Run r = Run.of("-M", "virt,dumpdtb=" + dtb, "-m", "256M", "-append", "hello world");
        assertEquals(0, r.status(), r.err());
        assertEquals("jemu: info: dtb dumped to " + dtb + ". Exiting." + NL, r.err());
        byte[] fdt = Files.readAllBytes(dtb);
        assertEquals(0xd00dfeedL, java.nio.ByteBuffer.wrap(fdt).getInt() & 0xffffffffL);
        assertTrue(new String(fdt, java.nio.charset.StandardCharsets.ISO_8859_1).contains("hello world"));
        assertError("-M dumpdtb=" + dir.resolve("no/x.dtb") + ": Failed dumping dtb to " + dir.resolve("no/x.dtb")
                + ": No such file or directory", Run.of("-M", "virt,dumpdtb=" + dir.resolve("no/x.dtb")));
    }

    @Test
    void globalAppliesToVirtioBlkAndUnknownPropertiesAreRefused(@TempDir Path dir) throws Exception {
        Path img = Files.write(dir.resolve("a.img"), new byte[1 << 20]);
        Path dtb = dir.resolve("t.dtb");
        String drive = "file=" + img + ",if=none,id=d0,format=raw";
        Run ok = Run.of("-M", "virt,dumpdtb=" + dtb, "-drive", drive, "-device", "virtio-blk-device,drive=d0",
                "-global", "virtio-blk-device.serial=S1");
        assertEquals(0, ok.status(), ok.err());
        assertError("-device virtio-blk-device,drive=d0: can't apply global virtio-blk-device.bogus=1: Property "
                        + "'virtio-blk-device.bogus' not found",
                Run.of("-M", "virt,dumpdtb=" + dtb, "-drive", drive, "-device", "virtio-blk-device,drive=d0",
                        "-global", "virtio-blk-device.bogus=1"));
        assertError("-device virtio-blk-device,drive=d0,foo=1: Property 'virtio-blk-device.foo' not found",
                Run.of("-M", "virt,dumpdtb=" + dtb, "-drive", drive, "-device", "virtio-blk-device,drive=d0,foo=1"));
        Run warn = Run.of("-M", "virt,dumpdtb=" + dtb, "-global", "foo.bar=1");
        assertEquals(0, warn.status());
        assertTrue(warn.err().startsWith("jemu: warning: global foo.bar has invalid class name" + NL), warn.err());
    }

    @Test
    void blockdevNodesAreDrivesForDevices(@TempDir Path dir) throws Exception {
        Path img = Files.write(dir.resolve("a.img"), new byte[1 << 20]);
        Path dtb = dir.resolve("t.dtb");
        for (String spec : List.of("driver=raw,node-name=d0,file.driver=file,file.filename=" + img,
                "driver=file,node-name=d0,filename=" + img,
                "{\"driver\":\"raw\",\"node-name\":\"d0\",\"read-only\":true,\"file\":{\"driver\":\"file\",\"filename\":\""
                        + img + "\"}}")) {
            Run r = Run.of("-M", "virt,dumpdtb=" + dtb, "-blockdev", spec, "-device", "virtio-blk-device,drive=d0");
            assertEquals(0, r.status(), spec + ": " + r.err());
        }
        Run two = Run.of("-M", "virt,dumpdtb=" + dtb, "-blockdev", "driver=file,node-name=f0,filename=" + img,
                "-blockdev", "driver=raw,node-name=d0,file=f0", "-device", "virtio-blk-device,drive=d0");
        assertEquals(0, two.status(), two.err());
        assertError("-blockdev driver=raw,node-name=d0,file=f1: Cannot find device='f1' nor node-name='f1'",
                Run.of("-M", "virt,dumpdtb=" + dtb, "-blockdev", "driver=raw,node-name=d0,file=f1"));
        assertError("-blockdev driver=foo,node-name=x: Parameter 'driver' does not accept value 'foo'",
                Run.of("-M", "virt,dumpdtb=" + dtb, "-blockdev", "driver=foo,node-name=x"));
        assertError("-blockdev driver=file,node-name=f,filename=/nonexist: Could not open '/nonexist': No such file "
                + "or directory", Run.of("-M", "virt,dumpdtb=" + dtb, "-blockdev", "driver=file,node-name=f,filename=/nonexist"));
        assertError("-blockdev driver=raw,node-name=x,file.driver=file,file.filename=" + img + ",bogus=1: Parameter "
                        + "'bogus' is unexpected", Run.of("-M", "virt,dumpdtb=" + dtb, "-blockdev",
                "driver=raw,node-name=x,file.driver=file,file.filename=" + img + ",bogus=1"));
        assertError("-blockdev driver=qcow2,node-name=x: Parameter 'file' is missing",
                Run.of("-M", "virt,dumpdtb=" + dtb, "-blockdev", "driver=qcow2,node-name=x"));
        assertError("-blockdev {bad: JSON parse error, invalid keyword 'bad'",
                Run.of("-M", "virt,dumpdtb=" + dtb, "-blockdev", "{bad"));
    }
}
