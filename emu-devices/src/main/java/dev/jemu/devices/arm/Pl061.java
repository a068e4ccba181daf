package dev.jemu.devices.arm;

import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;

/**
 * Arm's PL061 GPIO controller ({@code arm,pl061}): 8 lines, each an input or (DIR bit set) an output. DATA is
 * read and written through address bits 9:2 as a mask (offset 0x3fc reaches all 8 lines). Each input can
 * interrupt on a level (IS) or an edge (both edges with IBE, else the one IEV picks); RIS latches edges until
 * IC clears them, levels follow the line. The combined interrupt is the level of {@code RIS & IE}. The board
 * drives inputs with {@link #setInput} (virt: line 3 is the power key).
 */
public final class Pl061 implements MmioDevice, Stateful {
    static final int DIR = 0x400, IS = 0x404, IBE = 0x408, IEV = 0x40c, IE = 0x410, RIS = 0x414, MIS = 0x418,
            IC = 0x41c, AFSEL = 0x420;
    private static final int[] PERIPH_ID = {0x61, 0x10, 0x04, 0x00};

    private final String id;
    private final CachedIrqLine irq;
    private final IrqLine[] outputs = new IrqLine[8];

    private int data, dir, is, ibe, iev, ie, ris, afsel;
    /** Levels driven onto the input pins from outside. */
    private int inputs;
    /** The pin levels last seen, for edge detection. */
    private int old;

    public Pl061(String id, IrqLine irq) {
        this.id = id;
        this.irq = new CachedIrqLine(irq);
        java.util.Arrays.fill(outputs, IrqLine.NONE);
        reset();
    }

    /** Wires output line {@code line} (0..7) to something outside. */
    public void connectOutput(int line, IrqLine out) {
        outputs[line] = out;
    }

    public void reset() {
        data = dir = is = ibe = iev = ie = ris = afsel = 0;
        old = pins();
        update();
    }

    /** Drives input line {@code line} (0..7) to {@code level}; an interrupt follows if the guest enabled one. */
    public void setInput(int line, boolean level) {
        if (level) {
            inputs |= 1 << line;
        } else {
            inputs &= ~(1 << line);
        }
        update();
    }

    /** Every pin's level: outputs from DATA, inputs from outside. */
    private int pins() {
        return (data & dir | inputs & ~dir) & 0xff;
    }

    /** Edge and level detection after any change, then the interrupt and output lines. */
    private void update() {
        int now = pins();
        int changed = (now ^ old) & ~dir & 0xff;
        int edge = changed & ~is;
        int rising = edge & now, falling = edge & ~now;
        ris |= edge & ibe; // both edges
        ris |= rising & ~ibe & iev;
        ris |= falling & ~ibe & ~iev;
        int level = is & ~dir;
        ris = ris & ~level | level & ~(now ^ iev) & 0xff; // level: high when IEV is 1, low when 0
        int outChanged = (now ^ old) & dir;
        old = now;
        for (int i = 0; i < 8; i++) {
            if ((outChanged >> i & 1) != 0) {
                outputs[i].set((now >> i & 1) != 0);
            }
        }
        irq.set((ris & ie) != 0);
    }

    @Override
    public long read(long offset, int size) {
        if (offset < 0x400) {
            return pins() & (offset >> 2) & 0xff;
        }
        if (PrimeCell.covers(offset)) {
            return PrimeCell.readId(offset, PERIPH_ID);
        }
        return switch ((int) offset) {
            case DIR -> dir;
            case IS -> is;
            case IBE -> ibe;
            case IEV -> iev;
            case IE -> ie;
            case RIS -> ris;
            case MIS -> ris & ie;
            case AFSEL -> afsel;
            default -> PrimeCell.unknownRead(id, offset);
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        int v = (int) value & 0xff;
        if (offset < 0x400) {
            int mask = (int) (offset >> 2) & dir & 0xff; // only output lines take a write
            data = data & ~mask | v & mask;
            update();
            return;
        }
        switch ((int) offset) {
            case DIR -> dir = v;
            case IS -> is = v;
            case IBE -> ibe = v;
            case IEV -> iev = v;
            case IE -> ie = v;
            case IC -> ris &= ~v;
            case AFSEL -> afsel = v;
            default -> {
                PrimeCell.ignoredWrite(id, offset, v, offset == RIS || offset == MIS);
                return;
            }
        }
        update();
    }

    @Override
    public String stateId() {
        return id;
    }

    @Override
    public void saveState(StateWriter out) {
        out.putInt("data", data).putInt("dir", dir).putInt("is", is).putInt("ibe", ibe).putInt("iev", iev)
                .putInt("ie", ie).putInt("ris", ris).putInt("afsel", afsel).putInt("inputs", inputs)
                .putInt("old", old);
    }

    @Override
    public void loadState(StateReader in) {
        data = in.getInt("data") & 0xff;
        dir = in.getInt("dir") & 0xff;
        is = in.getInt("is") & 0xff;
        ibe = in.getInt("ibe") & 0xff;
        iev = in.getInt("iev") & 0xff;
        ie = in.getInt("ie") & 0xff;
        ris = in.getInt("ris") & 0xff;
        afsel = in.getInt("afsel") & 0xff;
        inputs = in.getInt("inputs") & 0xff;
        old = in.getInt("old") & 0xff;
        irq.force((ris & ie) != 0);
    }
}
