package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.tests.diff.ProcessRun;
import dev.jemu.tests.diff.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripting and discovery flags run side by side under jemu and qemu-system-riscv64 7.2: the same
 * command lines, the same verdicts; the device trees {@code -M virt,dumpdtb} writes have the same nodes.
 */
class ScriptingFlagsQemuTest {
    private static final String QEMU = "qemu-system-riscv64";
    /** Nodes QEMU's virt has and jemu's does not yet (no PMU node, fw_cfg, flash, platform bus or PCI). */
    private static final Set<String> NOT_IN_JEMU = Set.of("/pmu", "/fw-cfg@10100000", "/flash@20000000",
            "/platform-bus@4000000", "/soc/pci@30000000");

    @TempDir
    Path tmp;

    @BeforeEach
    void needTools() {
        Kit.requireBoard("riscv64", "virt");
        assumeTrue(Tools.onPath(QEMU), QEMU + " not installed");
    }

    private static ProcessRun qemu(String... args) {
        List<String> cmd = new ArrayList<>(List.of(QEMU, "-M", "virt", "-display", "none")); // QEMU's default is spike
        cmd.addAll(List.of(args));
        return ProcessRun.run(cmd, Duration.ofSeconds(30));
    }

    private static JemuProcess.Result jemu(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("-M", "virt", "-display", "none"));
        cmd.addAll(List.of(args));
        return JemuProcess.run(Duration.ofSeconds(120), cmd.toArray(String[]::new));
    }

    /** Node path -> properties (name = value, rng-seed left out: it is random), from dtc's source output. */
    private static Map<String, Map<String, String>> tree(Path dtb) {
        assumeTrue(Tools.onPath("dtc"), "dtc not installed");
        ProcessRun r = ProcessRun.run(List.of("dtc", "-q", "-I", "dtb", "-O", "dts", dtb.toString()), Duration.ofSeconds(30));
        assertEquals(0, r.status(), r.stderr());
        Map<String, Map<String, String>> nodes = new TreeMap<>();
        List<String> path = new ArrayList<>();
        for (String raw : r.stdoutText().split("\n")) {
            String l = raw.strip();
            if (l.endsWith("{")) {
                String name = l.substring(0, l.length() - 1).strip();
                path.add(name.equals("/") ? "" : name);
                nodes.put(String.join("/", path).isEmpty() ? "/" : String.join("/", path), new TreeMap<>());
            } else if (l.equals("};")) {
                path.removeLast();
            } else if (!l.isEmpty() && !l.startsWith("/dts-v1/") && !path.isEmpty()) {
                String key = l.replaceAll("[ =;].*", "");
                if (!key.equals("rng-seed")) {
                    String p = String.join("/", path);
                    // QEMU 7.2 writes the initrd bounds as one cell, jemu as two (as later QEMUs): same number
                    String v = l.contains("=") ? l.substring(l.indexOf('=') + 1).strip() : "";
                    nodes.get(p.isEmpty() ? "/" : p).put(key, key.startsWith("linux,initrd-") ? v.replace("<0x00 ", "<") : v);
                }
            }
        }
        return nodes;
    }

    @Test
    void dumpdtbWritesTheSameNodesAsQemu() throws Exception {
        Path img = Files.write(tmp.resolve("d.img"), new byte[1 << 20]);
        Path q = tmp.resolve("q.dtb"), j = tmp.resolve("j.dtb");
        String[] common = {"-m", "256M", "-kernel", Kit.file("riscv64", "Image").toString(), "-initrd",
            Kit.file("riscv64", "initrd.cpio.gz").toString(), "-append", "console=ttyS0 hello",
            "-drive", "file=" + img + ",if=none,id=d0,format=raw", "-device", "virtio-blk-device,drive=d0"};
        List<String> qa = new ArrayList<>(List.of("-M", "virt,dumpdtb=" + q));
        qa.addAll(List.of(common));
        ProcessRun qr = qemu(qa.toArray(String[]::new));
        assertEquals(0, qr.status(), qr.stderr());
        List<String> ja = new ArrayList<>(List.of("-M", "virt,dumpdtb=" + j));
        ja.addAll(List.of(common));
        JemuProcess.Result jr = jemu(ja.toArray(String[]::new));
        assertEquals(0, jr.status(), jr::describe);
        assertEquals(qr.stderr().replace("qemu-system-riscv64:", "jemu:").replace(q.toString(), j.toString()), jr.err());

        Map<String, Map<String, String>> qt = tree(q), jt = tree(j);
        Set<String> expected = new TreeSet<>(qt.keySet());
        expected.removeIf(n -> NOT_IN_JEMU.stream().anyMatch(x -> n.equals(x) || n.startsWith(x + "/")));
        assertEquals(expected, jt.keySet());
        // /chosen: the same command line and initrd placement (both put the kernel at 0x80200000)
        assertEquals(qt.get("/chosen"), jt.get("/chosen"));
        assertEquals(qt.get("/memory@80000000"), jt.get("/memory@80000000"));
        for (String n : List.of("/soc/serial@10000000", "/soc/rtc@101000", "/soc/virtio_mmio@10008000")) {
            assertEquals(qt.get(n).get("reg"), jt.get(n).get("reg"), n);
            assertEquals(qt.get(n).get("compatible"), jt.get(n).get("compatible"), n);
        }
    }

    @Test
    void discoveryLinesAreQemusLines() throws Exception {
        for (String[] args : List.of(new String[] {"-device", "help"}, new String[] {"-device", "virtio-blk-device,help"},
                new String[] {"-M", "virt,help"})) {
            ProcessRun q = qemu(args);
            JemuProcess.Result j = jemu(args);
            assertEquals(0, q.status());
            assertEquals(0, j.status(), j::describe);
            List<String> qLines = q.stdoutText().lines().toList();
            List<String> jLines = j.out().lines().filter(l -> !l.isEmpty()).toList();
            assertFalse(jLines.isEmpty());
            for (String l : jLines) {
                assertTrue(qLines.contains(l), () -> List.of(args) + ": jemu's line is not QEMU's: " + l);
            }
        }
    }

    @Test
    void badValuesAreRefusedByBoth() throws Exception {
        Path empty = Files.write(tmp.resolve("empty.bin"), new byte[0]);
        List<List<String>> cases = List.of(
                List.of("-rtc", "base=bogus"), List.of("-rtc", "clock=foo"), List.of("-rtc", "foo=bar"),
                List.of("-msg", "timestamp=maybe"), List.of("-msg", "foo=on"),
                List.of("-boot", "order=z"), List.of("-boot", "menu=maybe"), List.of("-boot", "reboot-timeout=70000"),
                List.of("-boot", "foo=1"), List.of("-boot", "once=d"), List.of("-vga", "foo"), List.of("-name", "foo,bogus=1"),
                List.of("-name", "guest=x,debug-threads=maybe"), List.of("-global", "virtio-blk-device"),
                List.of("-blockdev", "driver=qcow2"), List.of("-blockdev", "driver=foo,node-name=x"),
                List.of("-blockdev", "driver=file,node-name=f,filename=/nonexistent"), List.of("-blockdev", "{bad"),
                List.of("-M", "virt,foo=1"),
                List.of("-kernel", empty.toString()),
                List.of("-m", "40M", "-kernel", Kit.file("riscv64", "Image").toString(), "-initrd",
                        Kit.file("riscv64", "initrd.cpio.gz").toString()));
        for (List<String> c : cases) {
            ProcessRun q = qemu(c.toArray(String[]::new));
            JemuProcess.Result j = jemu(c.toArray(String[]::new));
            assertEquals(1, q.status(), () -> c + " under QEMU: " + q.stderr());
            assertEquals(1, j.status(), () -> c + " under jemu: " + j.describe());
            assertEquals(1, j.err().lines().count(), () -> c + ": " + j.err());
            assertTrue(j.err().startsWith("jemu: "), j.err());
        }
    }

    @Test
    void goodValuesAreAcceptedByBoth() throws Exception {
        // each with -M virt,dumpdtb so neither runs a guest: accepted means the tree gets written, status 0
        List<List<String>> cases = List.of(List.of("-nodefaults", "-no-user-config"),
                List.of("-name", "guest=g1,process=p1,debug-threads=on"), List.of("-vga", "none"),
                List.of("-rtc", "base=2020-01-02T03:04:05,clock=vm,driftfix=slew"), List.of("-rtc", "base=localtime"),
                List.of("-msg", "timestamp=on"), List.of("-boot", "order=dc,menu=on,splash-time=5,reboot-timeout=100,strict=off"),
                List.of("-global", "virtio-blk-device.serial=S1"),
                List.of("-global", "driver=virtio-blk-device,property=serial,value=S2"));
        for (List<String> c : cases) {
            List<String> q = new ArrayList<>(List.of("-M", "virt,dumpdtb=" + tmp.resolve("q.dtb")));
            q.addAll(c);
            List<String> j = new ArrayList<>(List.of("-M", "virt,dumpdtb=" + tmp.resolve("j.dtb")));
            j.addAll(c);
            ProcessRun qr = qemu(q.toArray(String[]::new));
            JemuProcess.Result jr = jemu(j.toArray(String[]::new));
            assertEquals(0, qr.status(), () -> c + " under QEMU: " + qr.stderr());
            assertEquals(0, jr.status(), () -> c + " under jemu: " + jr.describe());
        }
    }

    /** A bare-metal program (-bios none, M-mode at 0x80000000): writes 'J' to the UART, then powers off with 0. */
    private Path uartHello() throws Exception {
        int[] code = {
            0x100002b7, // lui  t0, 0x10000        UART0
            0x04a00313, // addi t1, zero, 'J'
            0x00628023, // sb   t1, 0(t0)
            0x001003b7, // lui  t2, 0x100          SiFive test
            0x00005e37, // lui  t3, 0x5
            0x555e0e13, // addi t3, t3, 0x555      FINISHER_PASS
            0x01c3a023, // sw   t3, 0(t2)
            0x0000006f, // j    .
        };
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(code.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int c : code) {
            b.putInt(c);
        }
        return Files.write(tmp.resolve("hello.bin"), b.array());
    }

    @Test
    void nodefaultsMeansNoConsoleInBoth() throws Exception {
        String prog = uartHello().toString();
        for (boolean nodefaults : new boolean[] {false, true}) {
            List<String> args = new ArrayList<>(List.of("-nographic", "-bios", "none", "-kernel", prog));
            if (nodefaults) {
                args.add("-nodefaults");
            }
            List<String> q = new ArrayList<>(List.of(QEMU, "-M", "virt"));
            q.addAll(args);
            ProcessRun qr = ProcessRun.run(q, Duration.ofSeconds(30));
            JemuProcess.Result jr = JemuProcess.run(Duration.ofSeconds(60), args.toArray(String[]::new));
            assertEquals(0, qr.status(), qr.stderr());
            assertEquals(0, jr.status(), jr::describe);
            assertEquals(!nodefaults, qr.stdoutText().contains("J"), () -> args + " under QEMU: " + qr.stdoutText());
            assertEquals(qr.stdoutText().contains("J"), jr.out().contains("J"), () -> args + ": " + jr.out());
        }
    }

    @Test
    void msgTimestampHasQemusShape() throws Exception {
        Path empty = Files.write(tmp.resolve("empty.bin"), new byte[0]);
        ProcessRun q = qemu("-msg", "timestamp=on", "-kernel", empty.toString());
        JemuProcess.Result j = jemu("-msg", "timestamp=on", "-kernel", empty.toString());
        String shape = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z ";
        assertTrue(q.stderr().strip().matches(shape + "qemu-system-riscv64: .*"), q.stderr());
        assertTrue(j.err().strip().matches(shape + "jemu: .*"), j.err());
    }

    @Test
    void aGuestStuckInAnMModeTrapLoopEndsWithOneLine() throws Exception {
        // not a program for this machine: the hart traps, mtvec is 0 and nothing is mapped there (QEMU spins)
        byte[] garbage = new byte[4096];
        new java.util.Random(13).nextBytes(garbage);
        Path g = Files.write(tmp.resolve("garbage.bin"), garbage);
        JemuProcess.Result r = JemuProcess.run(Duration.ofSeconds(60), "-M", "virt", "-nographic", "-bios", "none",
                "-kernel", g.toString());
        assertFalse(r.timedOut(), r::describe);
        assertEquals(1, r.status(), r::describe);
        assertTrue(r.err().matches("jemu: hart0 is stuck in a trap loop: cause \\d+ \\([a-z ]+\\) at pc 0x[0-9a-f]+ in "
                + "M-mode, whose trap vector is that same address .*\n"), r.err());
    }
}
