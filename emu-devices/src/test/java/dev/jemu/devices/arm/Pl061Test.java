package dev.jemu.devices.arm;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.state.StateRecord;
import org.junit.jupiter.api.Test;

/** The PL061 as gpio-pl061 and gpio-keys use it (virt's power key on line 3). */
class Pl061Test {
    boolean irq;
    final Pl061 gpio = new Pl061("pl061@9030000", l -> irq = l);

    @Test
    void dataIsReadAndWrittenThroughTheAddressMask() {
        gpio.write(Pl061.DIR, 4, 0x0f); // lines 0..3 outputs
        gpio.write(0x3fc, 4, 0xff); // all lines: only outputs take it
        assertEquals(0x0f, gpio.read(0x3fc, 4));
        gpio.write(0x3fc, 4, 0);
        gpio.write(1 << 2 + 2, 4, 0xff); // mask 0b100 at offset 0x10: line 2 only
        assertEquals(0x04, gpio.read(0x3fc, 4));
        assertEquals(0x00, gpio.read(0x3 << 2, 4), "lines 0 and 1 read through their mask");
        gpio.setInput(7, true);
        assertEquals(0x80, gpio.read(0x80 << 2, 4));
    }

    @Test
    void risingEdgeOnThePowerKeyInterruptsUntilCleared() {
        // gpio-keys with an IRQ: both edges on line 3
        gpio.write(Pl061.IBE, 4, 1 << 3);
        gpio.write(Pl061.IE, 4, 1 << 3);
        gpio.setInput(3, true);
        assertTrue(irq);
        assertEquals(1 << 3, gpio.read(Pl061.MIS, 4));
        assertEquals(1 << 3, gpio.read(0x3fc, 4));
        gpio.write(Pl061.IC, 4, 1 << 3);
        assertFalse(irq);
        gpio.setInput(3, false);
        assertTrue(irq, "the release is an edge too");
    }

    @Test
    void singleEdgeFollowsIevAndLevelFollowsTheLine() {
        gpio.write(Pl061.IEV, 4, 0); // falling edge only
        gpio.write(Pl061.IE, 4, 1);
        gpio.setInput(0, true);
        assertFalse(irq);
        gpio.setInput(0, false);
        assertTrue(irq);
        gpio.write(Pl061.IC, 4, 1);
        gpio.write(Pl061.IS, 4, 2); // line 1: level, high
        gpio.write(Pl061.IEV, 4, 2);
        gpio.write(Pl061.IE, 4, 2);
        gpio.setInput(1, true);
        assertTrue(irq);
        gpio.write(Pl061.IC, 4, 2);
        assertTrue(irq, "a level stays while the line does");
        gpio.setInput(1, false);
        assertFalse(irq);
    }

    @Test
    void outputsDriveTheirLinesAndIdsIdentifyPl061() {
        boolean[] out = new boolean[1];
        gpio.connectOutput(5, l -> out[0] = l);
        gpio.write(Pl061.DIR, 4, 1 << 5);
        gpio.write(0x3fc, 4, 1 << 5);
        assertTrue(out[0]);
        assertEquals(0x61, gpio.read(0xfe0, 4));
        assertEquals(0x10, gpio.read(0xfe4, 4));
        assertEquals(0x04, gpio.read(0xfe8, 4));
        assertEquals(0xb1, gpio.read(0xffc, 4));
        gpio.write(0x500, 4, 1); // unknown: ignored
    }

    @Test
    void stateRoundTrip() {
        gpio.write(Pl061.IBE, 4, 1 << 3);
        gpio.write(Pl061.IE, 4, 1 << 3);
        gpio.setInput(3, true);
        StateRecord rec = StateRecord.of(gpio);
        boolean[] line = new boolean[1];
        Pl061 copy = new Pl061("pl061@9030000", l -> line[0] = l);
        rec.restore(copy);
        assertTrue(line[0]);
        assertEquals(1 << 3, copy.read(Pl061.RIS, 4));
        copy.write(Pl061.IC, 4, 0xff);
        assertFalse(line[0]);
        copy.setInput(3, false);
        assertTrue(line[0], "the release after the load is an edge: the pressed level came back");
    }
}
