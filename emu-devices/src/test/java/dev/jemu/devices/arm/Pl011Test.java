package dev.jemu.devices.arm;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.state.StateRecord;
import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The PL011 as Linux's amba-pl011 driver and its earlycon program it. */
class Pl011Test {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    int readyCalls;
    boolean irq;
    final CharBackend backend = new CharBackend() {
        @Override
        public void write(byte[] d, int off, int len) {
            out.write(d, off, len);
        }

        @Override
        public void connect(CharReceiver r, Consumer<Runnable> poster) {
        }

        @Override
        public void receiverReady() {
            readyCalls++;
        }
    };
    final Pl011 uart = new Pl011("pl011@9000000", l -> irq = l, backend);

    @Test
    void amBaIdentifiesAsPl011SoTheDriverProbes() {
        int periph = 0, cell = 0;
        for (int i = 0; i < 4; i++) {
            periph |= (int) uart.read(0xfe0 + 4 * i, 4) << (8 * i);
            cell |= (int) uart.read(0xff0 + 4 * i, 4) << (8 * i);
        }
        assertEquals(0x00141011, periph); // part 0x011, designer Arm, revision r1p5
        assertEquals(0xb105f00d, cell);
    }

    @Test
    void earlyconWritesDrAndPollsFr() {
        assertEquals(Pl011.FR_TXFE | Pl011.FR_RXFE, uart.read(Pl011.FR, 4)); // nothing to read, TX empty
        for (byte b : "hi\n".getBytes()) {
            uart.write(Pl011.DR, 4, b);
        }
        assertEquals("hi\n", out.toString());
    }

    @Test
    void receiveFifoRaisesRxAndTimeoutInterruptsAsMasked() {
        uart.write(Pl011.LCR_H, 4, 0x70); // 8N1, FIFOs on
        uart.write(Pl011.CR, 4, 0x301);
        assertEquals(16, uart.canReceive());
        uart.receive("abc".getBytes(), 0, 3);
        assertFalse(irq, "nothing unmasked yet");
        assertEquals(Pl011.INT_RT, uart.read(Pl011.RIS, 4)); // 3 < the 8-entry trigger: only timeout
        uart.write(Pl011.IMSC, 4, Pl011.INT_RX | Pl011.INT_RT);
        assertTrue(irq);
        assertEquals(Pl011.INT_RT, uart.read(Pl011.MIS, 4));
        assertEquals('a', uart.read(Pl011.DR, 4));
        assertEquals('b', uart.read(Pl011.DR, 4));
        assertEquals('c', uart.read(Pl011.DR, 4));
        assertFalse(irq, "an empty FIFO ends the timeout");
        assertTrue((uart.read(Pl011.FR, 4) & Pl011.FR_RXFE) != 0);
        assertTrue(readyCalls >= 3, "the backend hears of the room");
        uart.receive(new byte[8], 0, 8);
        assertTrue((uart.read(Pl011.RIS, 4) & Pl011.INT_RX) != 0, "8 bytes reach the 1/2 trigger");
    }

    @Test
    void overrunLosesTheByteAndSetsOe() {
        uart.write(Pl011.IMSC, 4, Pl011.INT_OE);
        assertEquals(1, uart.canReceive()); // FIFOs off: one holding register
        uart.receive("xy".getBytes(), 0, 2);
        assertTrue(irq);
        assertEquals('x', uart.read(Pl011.DR, 4));
        uart.write(Pl011.ICR, 4, 0x7ff);
        assertFalse(irq);
    }

    @Test
    void loopbackSendsNothingOut() {
        uart.write(Pl011.CR, 4, Pl011.CR_UARTEN | Pl011.CR_TXE | Pl011.CR_RXE | Pl011.CR_LBE);
        uart.write(Pl011.DR, 4, 'q');
        assertEquals(0, out.size());
        assertEquals('q', uart.read(Pl011.DR, 4));
    }

    @Test
    void guestErrorsAreIgnoredNotThrown() {
        uart.write(0x800, 4, 1);
        assertEquals(0, uart.read(0x800, 4));
        uart.write(Pl011.FR, 4, 0);
    }

    @Test
    void stateRoundTrip() {
        uart.write(Pl011.LCR_H, 4, 0x70);
        uart.write(Pl011.IBRD, 4, 13);
        uart.write(Pl011.FBRD, 4, 1);
        uart.write(Pl011.IMSC, 4, Pl011.INT_RT);
        uart.receive("zq".getBytes(), 0, 2);
        StateRecord rec = StateRecord.of(uart);
        boolean[] line = new boolean[1];
        Pl011 copy = new Pl011("pl011@9000000", l -> line[0] = l, backend);
        rec.restore(copy);
        assertTrue(line[0]);
        assertEquals(13, copy.read(Pl011.IBRD, 4));
        assertEquals(1, copy.read(Pl011.FBRD, 4));
        assertEquals('z', copy.read(Pl011.DR, 4));
        assertEquals('q', copy.read(Pl011.DR, 4));
    }

    @Test
    void eachByteSentRaisesTxUntilCleared() {
        uart.write(Pl011.IMSC, 4, Pl011.INT_TX);
        assertFalse(irq, "nothing sent yet");
        uart.write(Pl011.DR, 4, 'x');
        assertTrue(irq);
        uart.write(Pl011.ICR, 4, Pl011.INT_TX);
        assertFalse(irq);
        assertEquals(0, uart.read(Pl011.MIS, 4));
    }
}
