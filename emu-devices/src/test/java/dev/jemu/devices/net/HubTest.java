package dev.jemu.devices.net;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.MachineConfig;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Hub 0 of the legacy {@code -net} options: a frame from any port reaches every other port, never its own. */
class HubTest {
    @Test
    void framesReachEveryOtherPort() {
        Hub hub = new Hub();
        RecordingBackend backend = new RecordingBackend("user.0");
        hub.addBackend(backend);
        RecordingBackend nic1 = new RecordingBackend("nic1"), nic2 = new RecordingBackend("nic2");
        NetBackend p1 = hub.nicPort("nic1"), p2 = hub.nicPort("nic2");
        p1.start(nic1);
        p2.start(nic2);
        assertNotNull(backend.sink, "the backends start with the first NIC");
        p1.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, backend.sent.get(0));
        assertArrayEquals(new byte[] {1, 2, 3}, nic2.delivered.get(0));
        assertTrue(nic1.delivered.isEmpty(), "not back to the sender");
        backend.sink.deliver(ByteBuffer.wrap(new byte[] {4}));
        assertEquals(1, nic1.delivered.size());
        assertEquals(2, nic2.delivered.size());
        assertEquals(1, backend.sent.size(), "not back to the backend");
        assertTrue(p1.describe().contains("user.0: index=0,type=test,"), p1.describe());
    }

    @Test
    void legacyNetOptionsMakeOneNicPerNetNic() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MachineConfig c = new MachineConfig();
        c.nets.add("nic,model=virtio-net-device,macaddr=52:54:00:00:00:11");
        c.nets.add("nic");
        c.nets.add("socket,listen=127.0.0.1:" + port);
        try (NetDevices n = NetDevices.resolve(c)) {
            assertEquals(2, n.shortNics().size());
            assertEquals("52:54:00:00:00:11", n.shortNics().get(0).mac().toString());
            assertEquals("52:54:00:12:34:56", n.shortNics().get(1).mac().toString());
            assertNotSame(n.shortNics().get(0).backend(), n.shortNics().get(1).backend(), "each NIC has its hub port");
        }
    }
}
