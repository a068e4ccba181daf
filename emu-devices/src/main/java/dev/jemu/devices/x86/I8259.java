package dev.jemu.devices.x86;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * One Intel 8259A programmable interrupt controller: the ICW1-4 initialisation sequence, OCW1 (IMR), OCW2 (EOI
 * and rotation) and OCW3 (IRR/ISR read select, poll, special mask), edge or level inputs from the ELCR, auto-EOI
 * and the rotating priority. Two of them, cascaded on the master's IRQ 2, are {@link I8259Pair}.
 */
final class I8259 {
    private final String name;
    private final boolean master;
    private final int elcrMask;

    int irr, isr, imr, elcr;
    /** Input levels last seen, to find edges. */
    int lastLevels;
    int irqBase;
    /** The IRQ that has the lowest priority is (priorityAdd - 1) & 7; 0 = fixed priority, IRQ 0 highest. */
    int priorityAdd;
    /** 0: initialised (OCWs); 1-3: expecting ICW2, ICW3, ICW4. */
    int initStep;
    boolean needIcw4, single, autoEoi, rotateOnAutoEoi, specialFullyNested, specialMask, readIsr, poll;

    I8259(String name, boolean master, int elcrMask) {
        this.name = name;
        this.master = master;
        this.elcrMask = elcrMask;
    }

    /** Power-on (also ICW1, which keeps the ELCR as the 8259 has no say over it). */
    void reset(boolean keepElcr) {
        irr = isr = imr = lastLevels = 0;
        irqBase = priorityAdd = initStep = 0;
        needIcw4 = single = autoEoi = rotateOnAutoEoi = specialFullyNested = specialMask = readIsr = poll = false;
        if (!keepElcr) {
            elcr = 0;
        }
    }

    /** Input {@code n} driven to {@code level}: level inputs follow the line; edge inputs latch a rising edge. */
    void setInput(int n, boolean level) {
        int bit = 1 << n;
        if ((elcr & bit) != 0) {
            irr = level ? irr | bit : irr & ~bit;
        } else if (level && (lastLevels & bit) == 0) {
            irr |= bit;
        }
        lastLevels = level ? lastLevels | bit : lastLevels & ~bit;
    }

    /** The priority rank (0 highest) of the highest-priority bit set in {@code mask}, or 8 for none. */
    private int priority(int mask) {
        if (mask == 0) {
            return 8;
        }
        int p = 0;
        while ((mask & (1 << ((p + priorityAdd) & 7))) == 0) {
            p++;
        }
        return p;
    }

    /** The IRQ this chip would interrupt with now, or -1. */
    int pendingIrq() {
        int p = priority(irr & ~imr);
        if (p == 8) {
            return -1;
        }
        int inService = isr;
        if (specialMask) {
            inService &= ~imr; // special mask mode: masked in-service levels do not block lower ones
        }
        if (specialFullyNested && master) {
            inService &= ~(1 << 2); // the slave may interrupt again while one of its IRQs is in service
        }
        return p < priority(inService) ? (p + priorityAdd) & 7 : -1;
    }

    /** The INTA cycle for {@code irq}: in service unless auto-EOI; an edge request is consumed. */
    void acknowledge(int irq) {
        int bit = 1 << irq;
        if (autoEoi) {
            if (rotateOnAutoEoi) {
                priorityAdd = (irq + 1) & 7;
            }
        } else {
            isr |= bit;
        }
        if ((elcr & bit) == 0) {
            irr &= ~bit;
        }
    }

    void writeCommand(int v) {
        if ((v & 0x10) != 0) { // ICW1
            reset(true);
            needIcw4 = (v & 1) != 0;
            single = (v & 2) != 0;
            if ((v & 0x08) != 0) {
                DebugLog.log(DebugLog.Category.UNIMP, "%s: ICW1 level-triggered mode (LTIM) ignored: ELCR decides", name);
            }
            initStep = 1;
        } else if ((v & 0x08) != 0) { // OCW3
            if ((v & 0x04) != 0) {
                poll = true;
            }
            if ((v & 0x02) != 0) {
                readIsr = (v & 1) != 0;
            }
            if ((v & 0x40) != 0) {
                specialMask = (v & 0x20) != 0;
            }
        } else { // OCW2
            int cmd = v >> 5;
            switch (cmd) {
                case 0, 4 -> rotateOnAutoEoi = cmd == 4;
                case 1, 5 -> { // non-specific EOI: the highest-priority IRQ in service
                    int p = priority(isr);
                    if (p != 8) {
                        int irq = (p + priorityAdd) & 7;
                        isr &= ~(1 << irq);
                        if (cmd == 5) {
                            priorityAdd = (irq + 1) & 7;
                        }
                    }
                }
                case 3 -> isr &= ~(1 << (v & 7));
                case 6 -> priorityAdd = (v + 1) & 7;
                case 7 -> {
                    isr &= ~(1 << (v & 7));
                    priorityAdd = ((v & 7) + 1) & 7;
                }
                default -> { } // 2: no operation
            }
        }
    }

    void writeData(int v) {
        switch (initStep) {
            case 1 -> { // ICW2
                irqBase = v & 0xf8;
                initStep = single ? (needIcw4 ? 3 : 0) : 2;
            }
            case 2 -> initStep = needIcw4 ? 3 : 0; // ICW3: the cascade wiring is fixed on this board
            case 3 -> { // ICW4
                if ((v & 1) == 0) {
                    DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: ICW4 selects MCS-80/85 mode; only 8086 mode", name);
                }
                autoEoi = (v & 2) != 0;
                specialFullyNested = (v & 0x10) != 0;
                initStep = 0;
            }
            default -> imr = v; // OCW1
        }
    }

    int readCommand() {
        return readIsr ? isr : irr;
    }

    int readData() {
        return imr;
    }

    int readElcr() {
        return elcr;
    }

    void writeElcr(int v) {
        elcr = v & elcrMask;
    }

    void save(StateWriter out, String p) {
        out.putInt(p + "irr", irr);
        out.putInt(p + "isr", isr);
        out.putInt(p + "imr", imr);
        out.putInt(p + "elcr", elcr);
        out.putInt(p + "last_levels", lastLevels);
        out.putInt(p + "irq_base", irqBase);
        out.putInt(p + "priority_add", priorityAdd);
        out.putInt(p + "init_step", initStep);
        out.putInt(p + "flags", flags());
    }

    void load(StateReader in, String p) {
        irr = in.getInt(p + "irr");
        isr = in.getInt(p + "isr");
        imr = in.getInt(p + "imr");
        elcr = in.getInt(p + "elcr") & elcrMask;
        lastLevels = in.getInt(p + "last_levels");
        irqBase = in.getInt(p + "irq_base") & 0xf8;
        priorityAdd = in.getInt(p + "priority_add") & 7;
        initStep = Math.clamp(in.getInt(p + "init_step"), 0, 3);
        int f = in.getInt(p + "flags");
        needIcw4 = (f & 1) != 0;
        single = (f & 2) != 0;
        autoEoi = (f & 4) != 0;
        rotateOnAutoEoi = (f & 8) != 0;
        specialFullyNested = (f & 16) != 0;
        specialMask = (f & 32) != 0;
        readIsr = (f & 64) != 0;
        poll = (f & 128) != 0;
    }

    private int flags() {
        return (needIcw4 ? 1 : 0) | (single ? 2 : 0) | (autoEoi ? 4 : 0) | (rotateOnAutoEoi ? 8 : 0)
                | (specialFullyNested ? 16 : 0) | (specialMask ? 32 : 0) | (readIsr ? 64 : 0) | (poll ? 128 : 0);
    }
}
