package dev.jemu.devices;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.state.StateRecord;
import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class Uart16550Test {
    static final class Capture implements CharBackend {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int readyCalls;

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
    }

    final Capture backend = new Capture();
    boolean irq;
    final Uart16550 uart = new Uart16550("uart", l -> irq = l, backend);

    int rd(int reg) {
        return (int) uart.read(reg, 1);
    }

    void wr(int reg, int v) {
        uart.write(reg, 1, v);
    }

    @Test
    void transmitsAndReportsEmptyTransmitter() {
        wr(0, 'h');
        wr(0, 'i');
        assertEquals("hi", backend.out.toString());
        assertEquals(0x60, rd(5) & 0x61, "THRE and TEMT set, no data");
    }

    @Test
    void divisorLatchAndScratch() {
        wr(3, 0x83); // DLAB, 8N1
        wr(0, 0x34);
        wr(1, 0x12);
        assertEquals(0x34, rd(0));
        assertEquals(0x12, rd(1));
        wr(3, 0x03);
        assertEquals(0, rd(1), "IER, not DLM, once DLAB is clear");
        assertEquals("", backend.out.toString(), "a DLL write is not a transmission");
        wr(7, 0xa5);
        assertEquals(0xa5, rd(7));
        assertEquals(0x03, rd(3));
    }

    @Test
    void threInterruptReassertsWhenReenabled() {
        assertEquals(0x01, rd(2), "nothing pending after reset");
        wr(1, 0x02); // ETBEI
        assertTrue(irq);
        assertEquals(0x02, rd(2));
        assertFalse(irq, "reading IIR clears THRE");
        assertEquals(0x01, rd(2));
        // Linux's UART_BUG_THRE test: disabling and re-enabling ETBEI must raise THRE again.
        wr(1, 0);
        wr(1, 0x02);
        assertTrue(irq);
        assertEquals(0x02, rd(2) & 0x0f);
        // Writing THR clears it; the byte leaves at once so it comes back.
        wr(0, 'x');
        assertTrue(irq);
        wr(1, 0);
        assertFalse(irq);
    }

    @Test
    void receiveFifoWithPrioritiesAndFlowControl() {
        wr(2, 0x01 | 0x80); // FIFO on, trigger 8
        assertEquals(0xc1, rd(2), "FIFO-enabled bits in IIR");
        assertEquals(16, uart.canReceive());
        wr(1, 0x03); // ERBFI | ETBEI
        uart.receive("abc".getBytes(), 0, 3);
        assertTrue(irq);
        assertEquals(0x0c, rd(2) & 0x0f, "below trigger level: character timeout, over THRE");
        assertEquals(13, uart.canReceive());
        uart.receive("defghijk".getBytes(), 0, 8);
        assertEquals(0x04, rd(2) & 0x0f, "at trigger level: received data available");
        StringBuilder sb = new StringBuilder();
        while ((rd(5) & 1) != 0) {
            sb.append((char) rd(0));
        }
        assertEquals("abcdefghijk", sb.toString());
        assertTrue(backend.readyCalls > 0, "draining tells the backend there is room");
        assertEquals(0x02, rd(2) & 0x0f, "THRE next");
        assertFalse(irq);
    }

    @Test
    void overrunIsALineStatusInterrupt() {
        wr(1, 0x05); // ERBFI | ELSI, FIFO off: one byte
        assertEquals(1, uart.canReceive());
        uart.receive(new byte[] {1, 2}, 0, 2);
        assertEquals(0x06, rd(2) & 0x0f, "line status outranks data");
        assertEquals(0x03, rd(5) & 0x03, "OE and DR");
        assertEquals(0x04, rd(2) & 0x0f);
        assertEquals(1, rd(0));
        assertEquals(0x01, rd(2));
        assertFalse(irq);
    }

    @Test
    void loopbackEchoesAndMirrorsModemLines() {
        wr(4, 0x10 | 0x03); // LOOP, DTR, RTS
        assertEquals(0x30, rd(6) & 0xf0, "CTS and DSR from RTS and DTR");
        wr(0, 'Q');
        assertEquals("", backend.out.toString());
        assertEquals('Q', rd(0));
        assertEquals(0, uart.canReceive(), "no host input in loopback");
    }

    @Test
    void stateRoundTrips() {
        wr(2, 0x01);
        wr(1, 0x01);
        uart.receive("xy".getBytes(), 0, 2);
        StateRecord r = StateRecord.of(uart);
        boolean[] irq2 = new boolean[1];
        Uart16550 other = new Uart16550("uart", l -> irq2[0] = l, new Capture());
        r.restore(other);
        assertTrue(irq2[0]);
        assertEquals('x', other.read(0, 1));
        assertEquals('y', other.read(0, 1));
        assertEquals(0, other.read(5, 1) & 1);
    }

    @Test
    void breakSetsLsrBiWithANulByteAndRaisesTheLineStatusInterrupt() {
        wr(2, 0x01); // FIFO on
        wr(1, 0x05); // ERBFI | ELSI, as Linux's 8250 driver sets them
        assertFalse(irq);
        uart.receiveBreak();
        assertTrue(irq, "a break raises the interrupt");
        assertEquals(0x06, rd(2) & 0x0f, "IIR: receiver line status, the highest priority");
        int lsr = rd(5);
        assertEquals(0x11, lsr & 0x11, "LSR: BI and DR");
        assertEquals(0, rd(5) & 0x10, "reading LSR clears BI");
        assertEquals(0, rd(0), "the break character is a NUL");
        assertEquals(0x01, rd(2) & 0x0f, "nothing pending afterwards");
        assertFalse(irq);
        wr(4, 0x18); // loopback: the line is disconnected, a break does not arrive
        uart.receiveBreak();
        assertEquals(0, rd(5) & 0x11);
    }
}
