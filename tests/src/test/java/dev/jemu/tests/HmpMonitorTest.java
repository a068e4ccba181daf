package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * HMP on {@code -monitor unix:PATH,server=on,wait=off}: a session stops and resumes the heartbeat guest, reads
 * its registers and dumps its memory with x/xp in every format and size; the dumps and the error texts (typos,
 * bad formats, extra arguments, snapshots on a machine without a disk) must be QEMU 7.2's, character for character,
 * and {@code q} ends the run.
 */
class HmpMonitorTest {
    private static final List<String> COMPARED = List.of(
            "info status",
            "x /4x 0x80002000", "xp /4xg 0x80002000", "xp /8xb 0x80002000", "x/3dw 0x80002000",
            "x/3o 0x80002000", "x/3ug 0x80002000", "x/3dg 0x80002008", "x/3xh 0x80002000", "x/20xb 0x80002000",
            "x 0x80002000", "x/2 0x80002000", "xp/2xw 0x80002000+4", "x/6c 0x80001000", "xp /2x 0x0",
            "foo", "info foo", "x", "x /4z 0", "stop 1", "info status extra", "help x", "help foo",
            "savevm s1", "loadvm s1", "delvm s1", "info snapshots", // no disk to hold them: QEMU's texts
            "migrate", "migrate -d", "migrate exec:cat > x", "migrate \"exec:cat > x\" y", "migrate \"exec:cat",
            "migrate \"a\\q\""); // HMP's string argument: a word, or quoted with escapes

    @Test
    void monitorSessionOverAUnixSocketMatchesQemu() throws Exception {
        MonitorVm.need(MonitorVm.QEMU);
        Map<String, String> qemu = session(false);
        Map<String, String> jemu = session(true);
        for (String c : COMPARED) {
            assertEquals(qemu.get(c), jemu.get(c), "HMP '" + c + "' differs from QEMU");
        }
        String regs = jemu.get("info registers");
        for (String expect : List.of("CPU#0", " pc       00000000800000", " mstatus  ", " satp     0000000000000000",
                " x8/s0    0000000010000000", " x9/s1    000000000200bff8", " f31/ft11 ")) {
            assertTrue(regs.contains(expect), () -> "info registers lacks '" + expect + "':\n" + regs);
        }
        assertEquals("", jemu.get("stop"));
        assertEquals("VM status: paused\r\n", jemu.get("info status"));
        assertEquals("VM status: running\r\n", jemu.get("info status (after cont)"));
    }

    /** One HMP session; returns each command's output (between the echoed line and the next prompt). */
    private static Map<String, String> session(boolean jemu) throws Exception {
        Path dir = MonitorVm.tempDir("hmp");
        Path sock = dir.resolve("hmp.sock");
        Map<String, String> out = new LinkedHashMap<>();
        try (MonitorVm vm = MonitorVm.heartbeatWithMonitor(jemu, "-monitor", sock)) {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(sock));
                String banner = readToPrompt(ch);
                assertTrue(banner.contains("monitor - type 'help' for more information"), banner);
                out.put("stop", command(ch, "stop"));
                int beats = vm.beats();
                Thread.sleep(400);
                assertEquals(beats, vm.beats(), () -> "the guest ran while stopped: " + vm.describe());
                for (String c : COMPARED) {
                    out.put(c, command(ch, c));
                }
                out.put("info registers", command(ch, "info registers"));
                out.put("cont", command(ch, "cont"));
                out.put("info status (after cont)", command(ch, "info status"));
                int resumed = vm.beats();
                vm.awaitOutput(String.format("beat %016x", resumed + 2), MonitorVm.seconds(20));
                send(ch, "q\r\n");
                assertEquals(0, vm.awaitExit(MonitorVm.seconds(20)), vm::describe);
            }
        }
        return out;
    }

    static void send(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Types {@code line} and Enter; returns what followed the echoed line up to the next prompt. */
    static String command(SocketChannel ch, String line) throws IOException {
        send(ch, line + "\r");
        String all = readToPrompt(ch);
        int eol = all.indexOf("\r\n");
        return eol < 0 ? all : all.substring(eol + 2);
    }

    static String readToPrompt(SocketChannel ch) throws IOException {
        StringBuilder s = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(4096);
        long end = System.nanoTime() + 20_000_000_000L;
        while (!s.toString().endsWith("(qemu) ")) {
            if (System.nanoTime() > end) {
                fail("no prompt; got: " + s);
            }
            b.clear();
            if (ch.read(b) < 0) {
                fail("monitor closed; got: " + s);
            }
            s.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
        }
        String text = s.toString();
        return text.substring(0, text.length() - "(qemu) ".length());
    }
}
