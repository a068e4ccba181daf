package dev.jemu.devices.arm;

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
 * Arm's PL011 UART ({@code arm,pl011}, r1p5 as QEMU's), the registers Linux's amba-pl011 driver and its
 * earlycon use. Transmission is instant (the FIFO never fills, TXFE always set, as QEMU); the receive side has
 * the 16-entry FIFO (1 entry with FEN off) whose fill level and receive timeout raise RXIS/RTIS. TXIS is raised
 * by each byte sent (the FIFO drains at once, passing the trigger level) and stays until ICR clears it, as the
 * hardware's transition-based TX interrupt and QEMU do. The sources are ORed into one level line (QEMU's
 * "combined" output), masked by IMSC.
 */
public final class Pl011 implements MmioDevice, Stateful, CharReceiver {
    static final int DR = 0x000, RSR = 0x004, FR = 0x018, ILPR = 0x020, IBRD = 0x024, FBRD = 0x028, LCR_H = 0x02c,
            CR = 0x030, IFLS = 0x034, IMSC = 0x038, RIS = 0x03c, MIS = 0x040, ICR = 0x044, DMACR = 0x048;
    static final int FR_RXFE = 1 << 4, FR_TXFF = 1 << 5, FR_RXFF = 1 << 6, FR_TXFE = 1 << 7;
    static final int INT_RX = 1 << 4, INT_TX = 1 << 5, INT_RT = 1 << 6, INT_OE = 1 << 10, INT_BE = 1 << 9;
    static final int LCR_FEN = 1 << 4, LCR_BRK = 1 << 0;
    static final int CR_UARTEN = 1, CR_LBE = 1 << 7, CR_TXE = 1 << 8, CR_RXE = 1 << 9;
    static final int DR_BE = 1 << 10, DR_OE = 1 << 11;
    static final int FIFO = 16;
    private static final int[] PERIPH_ID = {0x11, 0x10, 0x14, 0x00};

    private final String id;
    private final CachedIrqLine irq;
    private final CharBackend backend;

    private final int[] rx = new int[FIFO]; // data with the DR error bits 11:8
    private int rxHead, rxCount;
    private int rsr, ibrd, fbrd, lcr, cr, ifls, imsc, ris, dmacr, ilpr;

    public Pl011(String id, IrqLine irq, CharBackend backend) {
        this.id = id;
        this.irq = new CachedIrqLine(irq);
        this.backend = backend;
        reset();
    }

    /** Power-on state: CR = TXE|RXE (UART off), IFLS = 1/2 full both ways, FIFOs empty. */
    public void reset() {
        rxHead = rxCount = 0;
        rsr = ibrd = fbrd = lcr = imsc = dmacr = ilpr = 0;
        cr = CR_TXE | CR_RXE;
        ifls = 0x12;
        ris = 0;
        irq.set(false);
    }

    private int capacity() {
        return (lcr & LCR_FEN) != 0 ? FIFO : 1;
    }

    /** The receive trigger level (IFLS bits 5:3): 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO. */
    private int rxTrigger() {
        if ((lcr & LCR_FEN) == 0) {
            return 1;
        }
        return switch ((ifls >> 3) & 7) {
            case 0 -> 2;
            case 1 -> 4;
            case 3 -> 12;
            case 4 -> 14;
            default -> 8;
        };
    }

    // --- CharReceiver (machine thread) ---

    @Override
    public int canReceive() {
        return capacity() - rxCount;
    }

    @Override
    public void receive(byte[] data, int offset, int length) {
        for (int i = 0; i < length; i++) {
            push(data[offset + i] & 0xff);
        }
    }

    /** A break: a NUL with BE set enters the FIFO and raises BEIS. */
    @Override
    public void receiveBreak() {
        push(DR_BE);
        ris |= INT_BE;
        update();
    }

    private void push(int value) {
        if (rxCount >= capacity()) {
            rsr |= 8; // overrun: the byte is lost
            ris |= INT_OE;
            update();
            return;
        }
        rx[(rxHead + rxCount) % FIFO] = value;
        rxCount++;
        if (rxCount >= rxTrigger()) {
            ris |= INT_RX;
        }
        ris |= INT_RT; // the receive timeout: data waits in the FIFO (QEMU raises it at once too)
        update();
    }

    private int pop() {
        if (rxCount == 0) {
            return 0;
        }
        int v = rx[rxHead];
        rxHead = (rxHead + 1) % FIFO;
        rxCount--;
        if (rxCount < rxTrigger()) {
            ris &= ~INT_RX;
        }
        if (rxCount == 0) {
            ris &= ~INT_RT;
        }
        rsr = (v >> 8) & 0xf;
        update();
        backend.receiverReady();
        return v;
    }

    private void update() {
        irq.set((ris & imsc) != 0);
    }

    private int fr() {
        int fr = FR_TXFE; // transmission is instant
        if (rxCount == 0) {
            fr |= FR_RXFE;
        }
        if (rxCount >= capacity()) {
            fr |= FR_RXFF;
        }
        return fr;
    }

    // --- registers ---

    @Override
    public long read(long offset, int size) {
        if (PrimeCell.covers(offset)) {
            return PrimeCell.readId(offset, PERIPH_ID);
        }
        return switch ((int) offset) {
            case DR -> pop();
            case RSR -> rsr;
            case FR -> fr();
            case ILPR -> ilpr;
            case IBRD -> ibrd;
            case FBRD -> fbrd;
            case LCR_H -> lcr;
            case CR -> cr;
            case IFLS -> ifls;
            case IMSC -> imsc;
            case RIS -> ris;
            case MIS -> ris & imsc;
            case DMACR -> dmacr;
            default -> PrimeCell.unknownRead(id, offset);
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        int v = (int) value;
        switch ((int) offset) {
            case DR -> transmit(v & 0xff);
            case RSR -> rsr = 0; // ECR: any write clears the errors
            case ILPR -> ilpr = v & 0xff;
            case IBRD -> ibrd = v & 0xffff;
            case FBRD -> fbrd = v & 0x3f;
            case LCR_H -> {
                if (((lcr ^ v) & LCR_FEN) != 0) {
                    rxHead = rxCount = 0; // switching the FIFOs on or off flushes them
                    ris &= ~(INT_RX | INT_RT);
                    backend.receiverReady();
                }
                lcr = v & 0xff;
                update();
            }
            case CR -> cr = v & 0xff87;
            case IFLS -> ifls = v & 0x3f;
            case IMSC -> {
                imsc = v & 0x7ff;
                update();
            }
            case ICR -> {
                ris &= ~v;
                if (rxCount >= rxTrigger() && rxCount > 0) {
                    ris |= INT_RX; // a still-full FIFO raises it again at once
                }
                if (rxCount > 0) {
                    ris |= INT_RT;
                }
                update();
            }
            case DMACR -> {
                dmacr = v & 7;
                if ((v & 3) != 0) {
                    DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: DMA is not implemented", id);
                }
            }
            case FR, RIS, MIS -> PrimeCell.ignoredWrite(id, offset, v, true);
            default -> PrimeCell.ignoredWrite(id, offset, v, false);
        }
    }

    private void transmit(int b) {
        if ((cr & CR_LBE) != 0 && (cr & CR_RXE) != 0) {
            push(b); // loopback: the byte comes back, nothing goes out
        } else {
            // QEMU sends whatever UARTEN/TXE say (firmware often forgets them); so does jemu
            backend.write(b);
        }
        ris |= INT_TX;
        update();
    }

    // --- state ---

    @Override
    public String stateId() {
        return id;
    }

    @Override
    public void saveState(StateWriter out) {
        int[] fifo = new int[rxCount];
        for (int i = 0; i < rxCount; i++) {
            fifo[i] = rx[(rxHead + i) % FIFO];
        }
        out.putInts("rxFifo", fifo).putInt("rsr", rsr).putInt("ibrd", ibrd).putInt("fbrd", fbrd)
                .putInt("lcr", lcr).putInt("cr", cr).putInt("ifls", ifls).putInt("imsc", imsc).putInt("ris", ris)
                .putInt("dmacr", dmacr).putInt("ilpr", ilpr);
    }

    @Override
    public void loadState(StateReader in) {
        int[] fifo = in.getInts("rxFifo");
        rxHead = 0;
        rxCount = Math.min(fifo.length, FIFO);
        System.arraycopy(fifo, 0, rx, 0, rxCount);
        rsr = in.getInt("rsr") & 0xf;
        ibrd = in.getInt("ibrd") & 0xffff;
        fbrd = in.getInt("fbrd") & 0x3f;
        lcr = in.getInt("lcr") & 0xff;
        cr = in.getInt("cr") & 0xff87;
        ifls = in.getInt("ifls") & 0x3f;
        imsc = in.getInt("imsc") & 0x7ff;
        ris = in.getInt("ris") & 0x7ff;
        dmacr = in.getInt("dmacr") & 7;
        ilpr = in.getInt("ilpr") & 0xff;
        irq.force((ris & imsc) != 0);
    }
}
