package dev.jemu.devices.x86;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IoApicTest {
    record Message(int dest, boolean logical, int mode, int vector, boolean level) { }

    final List<Message> sent = new ArrayList<>();
    IoApic io;

    @BeforeEach
    void setUp() {
        io = new IoApic("ioapic0", 0, (d, l, m, v, lv) -> sent.add(new Message(d, l, m, v, lv)));
    }

    long reg(int index) {
        io.write(0, 4, index);
        return io.read(0x10, 4);
    }

    void setReg(int index, long v) {
        io.write(0, 4, index);
        io.write(0x10, 4, v);
    }

    void route(int pin, long entry) {
        setReg(0x10 + 2 * pin + 1, entry >>> 32);
        setReg(0x10 + 2 * pin, entry & 0xffffffffL);
    }

    @Test
    void identifiesAsQemusIoapic() {
        assertEquals(0x170020, reg(1), "version 0x20, 24 entries");
        assertEquals(IoApic.MASKED, io.entry(5), "entries start masked");
        setReg(0, 0x0a000000);
        assertEquals(0x0a000000, reg(0));
    }

    @Test
    void edgePinDeliversOnEachRisingEdge() {
        route(4, 0x34);
        io.pin(4).set(true);
        io.pin(4).set(true);
        assertEquals(List.of(new Message(0, false, 0, 0x34, false)), sent);
        io.pin(4).set(false);
        io.pin(4).set(true);
        assertEquals(2, sent.size());
    }

    @Test
    void maskedEdgeIsLatchedUntilUnmasked() {
        route(3, IoApic.MASKED | 0x33);
        io.pin(3).set(true);
        io.pin(3).set(false);
        assertTrue(sent.isEmpty());
        route(3, 0x33);
        assertEquals(1, sent.size());
    }

    @Test
    void levelPinWaitsForEoiAndFiresAgainWhileAsserted() {
        route(10, IoApic.TRIGGER_LEVEL | IoApic.DEST_LOGICAL | 0x3aL | 1L << 56);
        io.pin(10).set(true);
        assertEquals(List.of(new Message(1, true, 0, 0x3a, true)), sent);
        assertNotEquals(0, io.entry(10) & IoApic.REMOTE_IRR);
        io.pin(10).set(false);
        io.pin(10).set(true);
        assertEquals(1, sent.size(), "remote IRR holds the pin until EOI");
        io.eoi(0x3a);
        assertEquals(2, sent.size(), "still asserted after EOI: delivered again");
        io.pin(10).set(false);
        io.write(0x40, 4, 0x3a); // the EOI register
        assertEquals(0, io.entry(10) & IoApic.REMOTE_IRR);
        assertEquals(2, sent.size());
    }

    @Test
    void remoteIrrAndDeliveryStatusAreReadOnly() {
        route(1, 0xffffffffL & ~IoApic.MASKED);
        assertEquals(0, reg(0x12) & (IoApic.REMOTE_IRR | IoApic.DELIVERY_STATUS));
    }
}
