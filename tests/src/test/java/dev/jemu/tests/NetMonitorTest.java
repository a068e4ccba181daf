package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * HMP {@code info network} and {@code set_link} on the heartbeat board with a virtio-net device on a listening
 * socket netdev: the text and the device's configuration space (MAC, link status, read with xp)
 * must be QEMU 7.2's, before and after the link goes down and up again.
 */
class NetMonitorTest {
    private static final long SLOT = 0x10008000L; // the highest virtio-mmio slot: the first device

    private static final List<String> COMPARED = List.of("info network", "xp /6xb " + hex(SLOT + 0x100),
            "xp /1xh " + hex(SLOT + 0x106), "set_link n0 off", "xp /1xh " + hex(SLOT + 0x106),
            "xp /1xw " + hex(SLOT + 0x60), "info network", "set_link virtio-net-device.0 on",
            "xp /1xh " + hex(SLOT + 0x106), "set_link nothere on", "set_link n0", "set_link n0 maybe", "set_link", "set_link n0 on off", "help set_link");

    /** QMP set_link: a good call, an unknown device, a wrong type, a missing argument. */
    private static final List<String> QMP = List.of(
            "{\"execute\": \"set_link\", \"arguments\": {\"name\": \"n0\", \"up\": false}}",
            "{\"execute\": \"set_link\", \"arguments\": {\"name\": \"nothere\", \"up\": true}}",
            "{\"execute\": \"set_link\", \"arguments\": {\"name\": \"n0\", \"up\": \"yes\"}}",
            "{\"execute\": \"set_link\", \"arguments\": {\"name\": \"n0\"}}");

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    @Test
    void infoNetworkAndSetLinkMatchQemu() throws Exception {
        MonitorVm.need(MonitorVm.QEMU);
        Map<String, String> qemu = session(false);
        Map<String, String> jemu = session(true);
        for (String c : COMPARED) {
            assertEquals(qemu.get(c), jemu.get(c), "HMP '" + c + "' differs from QEMU");
        }
        for (String c : QMP) {
            assertEquals(qemu.get(c), jemu.get(c), "QMP " + c + " differs from QEMU");
        }
        assertEquals("{\"return\": {}}", jemu.get(QMP.get(0)));
        assertEquals("0000000010008106: 0x0000\r\n", jemu.get("xp /1xh 0x10008106 (after QMP)"), "QMP took the link down");
        assertTrue(jemu.get("info network").startsWith(
                "virtio-net-device.0: index=0,type=nic,model=virtio-net-device,macaddr=52:54:00:12:34:56\r\n \\ n0: "
                        + "index=0,type=socket,\r\n"), jemu.get("info network"));
    }

    private static Map<String, String> session(boolean jemu) throws Exception {
        Path dir = MonitorVm.tempDir("net-hmp");
        Path sock = dir.resolve("hmp.sock"), qsock = dir.resolve("qmp.sock");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> args = MonitorVm.heartbeatArgs();
        args.addAll(List.of("-serial", "stdio", "-monitor", "unix:" + sock + ",server=on,wait=off",
                "-qmp", "unix:" + qsock + ",server=on,wait=off",
                "-netdev", "socket,id=n0,listen=127.0.0.1:" + port, "-device", "virtio-net-device,netdev=n0"));
        Map<String, String> out = new LinkedHashMap<>();
        try (MonitorVm vm = jemu ? MonitorVm.jemu(args) : MonitorVm.qemu(args)) {
            vm.awaitOutput("beat 0000000000000002", MonitorVm.seconds(60));
            vm.awaitFile(sock, MonitorVm.seconds(10));
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(sock));
                HmpMonitorTest.readToPrompt(ch);
                for (String c : COMPARED) {
                    out.merge(c, HmpMonitorTest.command(ch, c), (a, b) -> a + "|" + b);
                }
                try (QmpLines qmp = new QmpLines(qsock)) {
                    for (String c : QMP) {
                        out.put(c, qmp.send(c));
                    }
                }
                out.put("xp /1xh 0x10008106 (after QMP)", HmpMonitorTest.command(ch, "xp /1xh 0x10008106"));
                HmpMonitorTest.send(ch, "q\r\n");
                assertEquals(0, vm.awaitExit(MonitorVm.seconds(20)), vm::describe);
            }
        }
        return out;
    }
}
