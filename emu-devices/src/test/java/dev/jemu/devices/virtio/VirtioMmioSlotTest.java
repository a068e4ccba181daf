package dev.jemu.devices.virtio;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class VirtioMmioSlotTest {
    @Test
    void emptySlotHeader() {
        VirtioMmioSlot s = new VirtioMmioSlot("virtio0");
        assertEquals(0x74726976, s.read(VirtioMmio.MagicValue, 4));
        assertEquals(2, s.read(VirtioMmio.Version, 4));
        assertEquals(0, s.read(VirtioMmio.DeviceID, 4));
        assertEquals(0x554d4551, s.read(VirtioMmio.VendorID, 4));
        s.write(VirtioMmio.Status, 4, 0xff);
        assertEquals(0, s.read(VirtioMmio.Status, 4));
        assertEquals(0, s.read(VirtioMmio.QueueNumMax, 4));
    }
}
