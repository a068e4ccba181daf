package dev.jemu.devices.x86;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class I8259PairTest {
    I8259Pair pic;
    MmioDevice master, slave, elcrMaster, elcrSlave;
    boolean intr;

    @BeforeEach
    void setUp() {
        pic = new I8259Pair(l -> intr = l);
        master = pic.ports(true);
        slave = pic.ports(false);
        elcrMaster = pic.elcr(true);
        elcrSlave = pic.elcr(false);
        initLikeLinux(0x01);
    }

    /** Linux's init_8259A: masks, ICW1-4 on both chips (vectors 0x30 and 0x38), then the masks restored. */
    void initLikeLinux(int masterIcw4) {
        master.write(1, 1, 0xff);
        slave.write(1, 1, 0xff);
        master.write(0, 1, 0x11);
        master.write(1, 1, 0x30);
        master.write(1, 1, 0x04);
        master.write(1, 1, masterIcw4);
        slave.write(0, 1, 0x11);
        slave.write(1, 1, 0x38);
        slave.write(1, 1, 0x02);
        slave.write(1, 1, 0x01);
        master.write(1, 1, 0x00); // all unmasked (the cascade too)
        slave.write(1, 1, 0x00);
    }

    @Test
    void edgeIrqIsAcknowledgedAndEndedBySpecificEoi() {
        pic.irq(4).set(true);
        assertTrue(intr);
        assertEquals(0x34, pic.acknowledge());
        assertFalse(intr);
        master.write(0, 1, 0x0b); // OCW3: read ISR
        assertEquals(0x10, master.read(0, 1));
        master.write(0, 1, 0x0a); // OCW3: read IRR
        assertEquals(0, master.read(0, 1), "an edge request is consumed by INTA");
        master.write(0, 1, 0x60 + 4);
        master.write(0, 1, 0x0b);
        assertEquals(0, master.read(0, 1));
        pic.irq(4).set(true); // still high: no new edge
        assertFalse(intr);
    }

    @Test
    void slaveIrqGoesThroughTheCascade() {
        pic.irq(12).set(true);
        assertTrue(intr);
        assertEquals(0x3c, pic.acknowledge());
        master.write(0, 1, 0x0b);
        slave.write(0, 1, 0x0b);
        assertEquals(0x04, master.read(0, 1));
        assertEquals(0x10, slave.read(0, 1));
        slave.write(0, 1, 0x60 + 4);
        master.write(0, 1, 0x60 + 2);
        assertEquals(0, master.read(0, 1));
    }

    @Test
    void inServiceIrqBlocksLowerPriorityOnly() {
        pic.irq(3).set(true);
        assertEquals(0x33, pic.acknowledge());
        pic.irq(5).set(true);
        assertFalse(intr, "IRQ 5 waits for IRQ 3's EOI");
        pic.irq(1).set(true);
        assertTrue(intr);
        assertEquals(0x31, pic.acknowledge());
        master.write(0, 1, 0x20); // non-specific EOI ends IRQ 1 (highest in service)
        assertFalse(intr);
        master.write(0, 1, 0x20); // then IRQ 3
        assertTrue(intr);
        assertEquals(0x35, pic.acknowledge());
    }

    @Test
    void maskedIrqIsHeldInIrr() {
        master.write(1, 1, 0x40);
        pic.irq(6).set(true);
        assertFalse(intr);
        master.write(1, 1, 0x00);
        assertTrue(intr);
        assertEquals(0x36, pic.acknowledge());
        assertEquals(0x00, master.read(1, 1));
    }

    @Test
    void levelModeFromElcrKeepsRequestWhileHigh() {
        elcrMaster.write(0, 1, 0xff);
        elcrSlave.write(0, 1, 0xff);
        assertEquals(0xf8, elcrMaster.read(0, 1), "QEMU's ELCR masks: IRQs 0-2, 8 and 13 are edge only");
        assertEquals(0xde, elcrSlave.read(0, 1));
        pic.irq(10).set(true);
        assertEquals(0x3a, pic.acknowledge());
        slave.write(0, 1, 0x62);
        master.write(0, 1, 0x62);
        assertTrue(intr, "a level request stays pending while its line is high");
        pic.irq(10).set(false);
        assertFalse(intr);
    }

    @Test
    void requestGoneBeforeAcknowledgeGivesSpuriousIrq7() {
        elcrMaster.write(0, 1, 0x08);
        pic.irq(3).set(true);
        assertTrue(intr);
        pic.irq(3).set(false);
        assertFalse(intr);
        assertEquals(0x37, pic.acknowledge());
        master.write(0, 1, 0x0b);
        assertEquals(0, master.read(0, 1), "a spurious IRQ 7 is not put in service");
    }

    @Test
    void autoEoiLeavesNothingInService() {
        initLikeLinux(0x03);
        pic.irq(0).set(true);
        assertEquals(0x30, pic.acknowledge());
        master.write(0, 1, 0x0b);
        assertEquals(0, master.read(0, 1));
    }

    @Test
    void pollCommandReturnsAndAcknowledgesTheIrq() {
        pic.irq(7).set(true);
        master.write(0, 1, 0x0c);
        assertEquals(0x87, master.read(0, 1));
        master.write(0, 1, 0x0c);
        assertEquals(0, master.read(0, 1));
    }

    @Test
    void stateRoundTrips() {
        pic.irq(9).set(true);
        StateRecord saved = StateRecord.of(pic);
        I8259Pair other = new I8259Pair(l -> { });
        saved.restore(other);
        assertEquals(saved, StateRecord.of(other));
        assertTrue(other.pending());
        assertEquals(0x39, other.acknowledge());
    }
}
