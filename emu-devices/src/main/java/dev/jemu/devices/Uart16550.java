package dev.jemu.devices;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;

/**
 * A National Semiconductor 16550A UART with byte-wide registers at consecutive offsets (reg-shift 0), as on
 * QEMU's riscv virt board. Transmission is instantaneous: a byte written to THR goes straight to the
 * {@link CharBackend} and the transmitter is empty again, so THRE re-asserts at once. Input arrives through
 * {@link CharReceiver} into a 16-byte FIFO; the backend never delivers more than {@link #canReceive()}, which
 * is how guest flow control reaches the host.
 *
 * <p>Interrupt identification follows the 16550 priorities: line status, received data (or character
 * timeout below the FIFO trigger level), THR empty, modem status. Like real parts (and QEMU), a THRE
 * interrupt is cleared by reading IIR when IIR reports it or by writing THR, and is raised again whenever
 * ETBEI is enabled while THR is empty: Linux's 8250 driver tests exactly this at startup (UART_BUG_THRE).
 */
public final class Uart16550 implements MmioDevice, Stateful, CharReceiver {
    // Register offsets (DLAB selects DLL/DLM at 0 and 1).
    static final int RBR_THR_DLL = 0, IER_DLM = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

    static final int IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08;
    static final int IIR_NO_INT = 0x01, IIR_RLS = 0x06, IIR_RDA = 0x04, IIR_CTI = 0x0c, IIR_THRE = 0x02,
            IIR_MSI = 0x00, IIR_FIFO_ENABLED = 0xc0;
    static final int FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02, FCR_CLEAR_TX = 0x04;
    static final int LCR_DLAB = 0x80;
    static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
    static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10,
            LSR_THRE = 0x20, LSR_TEMT = 0x40;
    static final int MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08,
            MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    static final int FIFO_SIZE = 16;
    private static final int[] TRIGGER_LEVELS = {1, 4, 8, 14};

    private final String id;
    private final CachedIrqLine irq;
    private final CharBackend backend;

    // Registers.
    private int ier, lcr, mcr, scr, fcr, divisor = 12;
    private int lsrErrors; // OE/PE/FE/BI, cleared by reading LSR
    private int msr = MSR_DCD | MSR_DSR | MSR_CTS;
    private boolean thrInterrupt; // THRE interrupt pending (cleared by IIR read or THR write)
    // Receive FIFO (a ring); without FCR.ENABLE it holds at most one byte, the RBR.
    private final byte[] rx = new byte[FIFO_SIZE];
    private int rxHead, rxCount;

    public Uart16550(String id, IrqLine irq, CharBackend backend) {
        this.id = id;
        this.irq = new CachedIrqLine(irq);
        this.backend = backend;
        reset();
    }

    /** Power-on state (the backend stays connected). */
    public void reset() {
        ier = 0;
        lcr = 0;
        mcr = MCR_OUT2;
        scr = 0;
        fcr = 0;
        divisor = 12;
        lsrErrors = 0;
        msr = MSR_DCD | MSR_DSR | MSR_CTS;
        thrInterrupt = false;
        rxHead = rxCount = 0;
        updateIrq();
    }

    public CharBackend backend() {
        return backend;
    }

    /**
     * Takes one received byte, or -1 if none, bypassing the registers: for firmware consoles (the built-in
     * SBI's getchar) that read the same input the guest's driver would.
     */
    public int takeInput() {
        return rxCount == 0 ? -1 : readRbr();
    }

    /** A read of RBR: the oldest received byte (0 if none); the backend hears when there is room again. */
    private int readRbr() {
        boolean wasFull = rxCount == rxCapacity();
        int b = popRx();
        updateIrq();
        if (wasFull || rxCount == 0) {
            backend.receiverReady();
        }
        return b;
    }

    private boolean fifoEnabled() {
        return (fcr & FCR_ENABLE) != 0;
    }

    private int rxCapacity() {
        return fifoEnabled() ? FIFO_SIZE : 1;
    }

    private int triggerLevel() {
        return TRIGGER_LEVELS[(fcr >> 6) & 3];
    }

    private int lsr() {
        return (rxCount > 0 ? LSR_DR : 0) | lsrErrors | LSR_THRE | LSR_TEMT;
    }

    // --- CharReceiver (machine thread) ---

    @Override
    public int canReceive() {
        if ((mcr & MCR_LOOP) != 0) {
            return 0; // in loopback the serial input is disconnected
        }
        return rxCapacity() - rxCount;
    }

    @Override
    public void receive(byte[] data, int offset, int length) {
        for (int i = 0; i < length; i++) {
            pushRx(data[offset + i]);
        }
        updateIrq();
    }

    /**
     * A break on the line: as a real 16550 does at the end of a break, a NUL byte enters the FIFO and LSR
     * reports BI (with DR) until the guest reads LSR; with ELSI on that is a line-status interrupt, which
     * Linux's 8250 driver turns into a TTY break (and the magic SysRq key when enabled).
     */
    @Override
    public void receiveBreak() {
        if ((mcr & MCR_LOOP) != 0) {
            return; // in loopback the serial input is disconnected
        }
        pushRx((byte) 0);
        lsrErrors |= LSR_BI;
        updateIrq();
    }

    private void pushRx(byte b) {
        if (rxCount == rxCapacity()) {
            lsrErrors |= LSR_OE; // the byte is lost, as on real hardware
            return;
        }
        rx[(rxHead + rxCount) % FIFO_SIZE] = b;
        rxCount++;
    }

    private int popRx() {
        if (rxCount == 0) {
            return 0;
        }
        int b = rx[rxHead] & 0xff;
        rxHead = (rxHead + 1) % FIFO_SIZE;
        rxCount--;
        return b;
    }

    // --- Registers ---

    @Override
    public long read(long offset, int size) {
        int r = (int) offset;
        if (offset < 0 || offset > SCR) {
            return 0;
        }
        switch (r) {
            case RBR_THR_DLL -> {
                if ((lcr & LCR_DLAB) != 0) {
                    return divisor & 0xff;
                }
                return readRbr();
            }
            case IER_DLM -> {
                return (lcr & LCR_DLAB) != 0 ? (divisor >> 8) & 0xff : ier;
            }
            case IIR_FCR -> {
                int iir = identify();
                if (iir == IIR_THRE) {
                    thrInterrupt = false;
                    updateIrq();
                }
                return iir | (fifoEnabled() ? IIR_FIFO_ENABLED : 0);
            }
            case LCR -> {
                return lcr;
            }
            case MCR -> {
                return mcr;
            }
            case LSR -> {
                int v = lsr();
                if (lsrErrors != 0) {
                    lsrErrors = 0;
                    updateIrq();
                }
                return v;
            }
            case MSR -> {
                int v = msr;
                if ((msr & 0x0f) != 0) {
                    msr &= 0xf0; // reading clears the delta bits
                    updateIrq();
                }
                return v;
            }
            case SCR -> {
                return scr;
            }
            default -> {
                return 0;
            }
        }
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset < 0 || offset > SCR) {
            return;
        }
        int v = (int) value & 0xff;
        switch ((int) offset) {
            case RBR_THR_DLL -> {
                if ((lcr & LCR_DLAB) != 0) {
                    divisor = (divisor & 0xff00) | v;
                } else {
                    transmit(v);
                }
            }
            case IER_DLM -> {
                if ((lcr & LCR_DLAB) != 0) {
                    divisor = (divisor & 0xff) | v << 8;
                } else {
                    int changed = (ier ^ v) & 0x0f;
                    ier = v & 0x0f;
                    if ((changed & IER_ETBEI) != 0) {
                        // Enabling ETBEI with THR empty raises THRE (the transmitter is always empty here).
                        thrInterrupt = (ier & IER_ETBEI) != 0;
                    }
                    updateIrq();
                }
            }
            case IIR_FCR -> writeFcr(v);
            case LCR -> lcr = v;
            case MCR -> writeMcr(v & 0x1f);
            case LSR, MSR -> DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: write 0x%x to read-only %s", id, v,
                    offset == LSR ? "LSR" : "MSR");
            case SCR -> scr = v;
            default -> { }
        }
    }

    private void transmit(int b) {
        if ((mcr & MCR_LOOP) != 0) {
            pushRx((byte) b);
        } else {
            backend.write(b);
        }
        // The byte left THR (and the shift register) at once: THR empty again.
        thrInterrupt = (ier & IER_ETBEI) != 0;
        updateIrq();
    }

    private void writeFcr(int v) {
        boolean enable = (v & FCR_ENABLE) != 0;
        if (enable != fifoEnabled()) {
            rxHead = rxCount = 0; // changing FIFO mode resets both FIFOs
        }
        if ((v & FCR_CLEAR_RX) != 0) {
            rxHead = rxCount = 0;
        }
        fcr = v & 0xc9; // trigger level, DMA mode, enable; the clear bits self-clear
        updateIrq();
        backend.receiverReady();
    }

    private void writeMcr(int v) {
        int old = mcr;
        mcr = v;
        if (((old ^ v) & MCR_LOOP) != 0 && (v & MCR_LOOP) == 0) {
            msr = MSR_DCD | MSR_DSR | MSR_CTS | (msr & 0x0f);
            backend.receiverReady();
        }
        if ((v & MCR_LOOP) != 0) {
            // Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD, with delta bits as the lines change.
            int lines = ((v & MCR_RTS) != 0 ? MSR_CTS : 0) | ((v & MCR_DTR) != 0 ? MSR_DSR : 0)
                    | ((v & MCR_OUT1) != 0 ? MSR_RI : 0) | ((v & MCR_OUT2) != 0 ? MSR_DCD : 0);
            int delta = (lines ^ msr) & 0xf0;
            int d = ((delta & MSR_CTS) != 0 ? MSR_DCTS : 0) | ((delta & MSR_DSR) != 0 ? MSR_DDSR : 0)
                    | ((delta & MSR_DCD) != 0 ? MSR_DDCD : 0)
                    | ((msr & MSR_RI) != 0 && (lines & MSR_RI) == 0 ? MSR_TERI : 0);
            msr = lines | (msr & 0x0f) | d;
        }
        updateIrq();
    }

    /** The highest-priority pending interrupt, as IIR bits 0-3. */
    private int identify() {
        if ((ier & IER_ELSI) != 0 && lsrErrors != 0) {
            return IIR_RLS;
        }
        if ((ier & IER_ERBFI) != 0 && rxCount > 0) {
            // Below the trigger level the 16550 reports a character timeout; we report it without the
            // four-character delay, which only makes the guest see its input sooner.
            return !fifoEnabled() || rxCount >= triggerLevel() ? IIR_RDA : IIR_CTI;
        }
        if ((ier & IER_ETBEI) != 0 && thrInterrupt) {
            return IIR_THRE;
        }
        if ((ier & IER_EDSSI) != 0 && (msr & 0x0f) != 0) {
            return IIR_MSI;
        }
        return IIR_NO_INT;
    }

    private void updateIrq() {
        irq.set(identify() != IIR_NO_INT);
    }

    // --- State ---

    @Override
    public String stateId() {
        return id;
    }

    @Override
    public void saveState(StateWriter out) {
        out.putInt("ier", ier).putInt("lcr", lcr).putInt("mcr", mcr).putInt("scr", scr).putInt("fcr", fcr)
                .putInt("divisor", divisor).putInt("lsrErrors", lsrErrors).putInt("msr", msr)
                .putBoolean("thrInterrupt", thrInterrupt);
        byte[] fifo = new byte[rxCount];
        for (int i = 0; i < rxCount; i++) {
            fifo[i] = rx[(rxHead + i) % FIFO_SIZE];
        }
        out.putBytes("rxFifo", fifo);
    }

    @Override
    public void loadState(StateReader in) {
        ier = in.getInt("ier") & 0x0f;
        lcr = in.getInt("lcr") & 0xff;
        mcr = in.getInt("mcr") & 0x1f;
        scr = in.getInt("scr") & 0xff;
        fcr = in.getInt("fcr") & 0xc9;
        divisor = in.getInt("divisor") & 0xffff;
        lsrErrors = in.getInt("lsrErrors") & (LSR_OE | LSR_PE | LSR_FE | LSR_BI);
        msr = in.getInt("msr") & 0xff;
        thrInterrupt = in.getBoolean("thrInterrupt");
        byte[] fifo = in.getBytes("rxFifo");
        rxHead = 0;
        rxCount = Math.min(fifo.length, FIFO_SIZE);
        System.arraycopy(fifo, 0, rx, 0, rxCount);
        irq.force(identify() != IIR_NO_INT);
    }
}
