package dev.jemu.devices.x86;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;

/**
 * An I/O APIC as QEMU's {@code ioapic} (version 0x20, 24 pins): IOREGSEL at 0x00, IOWIN at 0x10 and the EOI
 * register at 0x40; registers ID, version, arbitration and the 64-bit redirection table. Edge pins deliver on a
 * rising edge (latched while masked, delivered on unmask, as QEMU); level pins deliver while asserted and set
 * remote IRR until the local APIC's EOI broadcast (or the EOI register) names their vector. Inputs are active
 * high whatever the polarity bit says, as QEMU's devices drive them.
 */
public final class IoApic implements MmioDevice, Stateful {
    public static final long BASE = 0xfec00000L, SIZE = 0x1000;
    public static final int PINS = 24, VERSION = 0x20;
    static final long MASKED = 1L << 16, TRIGGER_LEVEL = 1L << 15, REMOTE_IRR = 1L << 14,
            DELIVERY_STATUS = 1L << 12, DEST_LOGICAL = 1L << 11;
    /** What the guest may write: all but delivery status and remote IRR. */
    private static final long WRITABLE = ~(DELIVERY_STATUS | REMOTE_IRR);

    private final String name;
    private final ApicBus bus;
    private final long[] redirection = new long[PINS];
    private int id;
    private int select;
    /** Pins asserted (level) or with a latched edge not delivered yet. */
    private int irr;
    private int levels;

    public IoApic(String name, int id, ApicBus bus) {
        this.name = name;
        this.bus = bus;
        this.resetId = id;
        reset();
    }

    private final int resetId;

    public void reset() {
        java.util.Arrays.fill(redirection, MASKED);
        id = resetId;
        select = 0;
        irr = levels = 0;
    }

    /** Input pin {@code n}. */
    public IrqLine pin(int n) {
        if (n < 0 || n >= PINS) {
            throw new IllegalArgumentException("IOAPIC pin " + n);
        }
        return level -> setPin(n, level);
    }

    private void setPin(int n, boolean level) {
        int bit = 1 << n;
        boolean was = (levels & bit) != 0;
        levels = level ? levels | bit : levels & ~bit;
        if ((redirection[n] & TRIGGER_LEVEL) != 0) {
            irr = level ? irr | bit : irr & ~bit;
        } else if (level && !was) {
            irr |= bit;
        }
        service();
    }

    /** Delivers every pending unmasked pin that is not waiting for its EOI. */
    private void service() {
        for (int n = 0; n < PINS; n++) {
            int bit = 1 << n;
            long e = redirection[n];
            if ((irr & bit) == 0 || (e & MASKED) != 0) {
                continue;
            }
            boolean level = (e & TRIGGER_LEVEL) != 0;
            if (level) {
                if ((e & REMOTE_IRR) != 0) {
                    continue;
                }
                redirection[n] = e | REMOTE_IRR;
            } else {
                irr &= ~bit;
            }
            int mode = (int) (e >> 8) & 7;
            if (mode == ApicBus.SMI || mode == ApicBus.INIT || mode == ApicBus.STARTUP || mode == 3) {
                DebugLog.log(DebugLog.Category.UNIMP, "%s: pin %d with delivery mode %d dropped", name, n, mode);
                continue;
            }
            bus.deliver((int) (e >>> 56), (e & DEST_LOGICAL) != 0, mode, (int) e & 0xff, level);
        }
    }

    /** The EOI broadcast of a level-triggered {@code vector}: remote IRR clears; a pin still asserted fires again. */
    public void eoi(int vector) {
        boolean any = false;
        for (int n = 0; n < PINS; n++) {
            long e = redirection[n];
            if ((e & REMOTE_IRR) != 0 && (e & 0xff) == vector) {
                redirection[n] = e & ~REMOTE_IRR;
                any = true;
            }
        }
        if (any) {
            service();
        }
    }

    @Override
    public long read(long offset, int size) {
        if (size != 4) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: %d-byte read at 0x%x (32-bit only)", name, size, offset);
        }
        return switch ((int) offset) {
            case 0x00 -> select;
            case 0x10 -> readRegister(select);
            default -> 0;
        };
    }

    private long readRegister(int index) {
        return switch (index) {
            case 0 -> (long) id << 24;
            case 1 -> VERSION | (PINS - 1) << 16;
            case 2 -> (long) id << 24; // arbitration ID
            default -> {
                int n = (index - 0x10) >> 1;
                if (index < 0x10 || n >= PINS) {
                    DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: read of register 0x%x", name, index);
                    yield 0;
                }
                yield (index & 1) == 0 ? redirection[n] & 0xffffffffL : redirection[n] >>> 32;
            }
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        if (size != 4) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: %d-byte write at 0x%x (32-bit only)", name, size, offset);
        }
        int v = (int) value;
        switch ((int) offset) {
            case 0x00 -> select = v & 0xff;
            case 0x10 -> writeRegister(select, v);
            case 0x40 -> eoi(v & 0xff);
            default -> DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: write 0x%x at 0x%x", name, v, offset);
        }
    }

    private void writeRegister(int index, int v) {
        if (index == 0) {
            id = (v >>> 24) & 0xf;
            return;
        }
        int n = (index - 0x10) >> 1;
        if (index < 0x10 || n >= PINS) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: write 0x%x to read-only register 0x%x", name, v, index);
            return;
        }
        long e = redirection[n];
        long updated = (index & 1) == 0
                ? (e & 0xffffffff00000000L) | (v & 0xffffffffL)
                : (e & 0xffffffffL) | (long) v << 32;
        redirection[n] = (updated & WRITABLE) | (e & ~WRITABLE);
        if ((redirection[n] & TRIGGER_LEVEL) == 0) {
            redirection[n] &= ~REMOTE_IRR; // edge entries have no remote IRR
        } else if ((levels & (1 << n)) != 0) {
            irr |= 1 << n; // a pin switched to level while asserted is pending
        }
        service();
    }

    /** Redirection entry {@code n} (for tests and the monitor). */
    public long entry(int n) {
        return redirection[n];
    }

    @Override
    public String stateId() {
        return name;
    }

    @Override
    public void saveState(StateWriter out) {
        out.putInt("id", id);
        out.putInt("select", select);
        out.putInt("irr", irr);
        out.putInt("levels", levels);
        out.putLongs("redirection", redirection);
    }

    @Override
    public void loadState(StateReader in) {
        id = in.getInt("id") & 0xf;
        select = in.getInt("select") & 0xff;
        irr = in.getInt("irr");
        levels = in.getInt("levels");
        long[] r = in.getLongs("redirection");
        for (int i = 0; i < PINS; i++) {
            redirection[i] = i < r.length ? r[i] : MASKED;
        }
    }
}
