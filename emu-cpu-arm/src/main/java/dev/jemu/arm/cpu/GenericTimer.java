package dev.jemu.arm.cpu;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.time.Timer;

/**
 * The generic timer of one CPU: CNTPCT/CNTVCT from the board's {@code Timebase} (CNTVOFF is 0: no EL2), and the
 * EL1 physical and virtual timers (CVAL/TVAL/CTL). Each timer's output is a level, ISTATUS and not IMASK while
 * ENABLE is set, driven onto its {@link IrqLine}; a virtual-clock {@link Timer} re-evaluates it when the counter
 * reaches CVAL.
 */
public final class GenericTimer {
    static final int CNTFRQ = (3 << 14 | 3 << 11 | 14 << 7 | 0 << 3 | 0), CNTPCT = (3 << 14 | 3 << 11 | 14 << 7 | 0 << 3 | 1), CNTVCT = (3 << 14 | 3 << 11 | 14 << 7 | 0 << 3 | 2),
            CNTP_TVAL = (3 << 14 | 3 << 11 | 14 << 7 | 2 << 3 | 0), CNTP_CTL = (3 << 14 | 3 << 11 | 14 << 7 | 2 << 3 | 1), CNTP_CVAL = (3 << 14 | 3 << 11 | 14 << 7 | 2 << 3 | 2),
            CNTV_TVAL = (3 << 14 | 3 << 11 | 14 << 7 | 3 << 3 | 0), CNTV_CTL = (3 << 14 | 3 << 11 | 14 << 7 | 3 << 3 | 1), CNTV_CVAL = (3 << 14 | 3 << 11 | 14 << 7 | 3 << 3 | 2);
    private static final int ENABLE = 1, IMASK = 2, ISTATUS = 4;

    /** One of the two EL1-visible timers. */
    private final class Channel {
        final String name;
        final Timer timer;
        IrqLine out = IrqLine.NONE;
        long cval;
        int ctl; // ENABLE and IMASK as written; ISTATUS is computed
        boolean level;

        Channel(String name) {
            this.name = name;
            this.timer = c.timebase.clock().newTimer("cpu" + c.cpuIndex + "." + name, this::update);
        }

        boolean fired(long now) {
            return (ctl & ENABLE) != 0 && Long.compareUnsigned(now, cval) >= 0; // the counter compared unsigned
        }

        int readCtl() {
            return ctl | (fired(counter()) ? ISTATUS : 0);
        }

        /** Drives the output level and arms the wake-up for the moment the condition becomes true. */
        void update() {
            long now = counter();
            boolean f = fired(now);
            boolean l = f && (ctl & IMASK) == 0;
            if (l != level) {
                level = l;
                out.set(l);
            }
            if ((ctl & ENABLE) != 0 && !f && cval >= 0) { // CVAL past 2^63 ticks never comes
                timer.armAt(c.timebase.nanosAt(cval));
            } else {
                timer.cancel();
            }
        }
    }

    private final ArmCpu c;
    IrqLine hypervisor = IrqLine.NONE, secure = IrqLine.NONE;
    private final Channel phys, virt;

    GenericTimer(ArmCpu c) {
        this.c = c;
        this.phys = new Channel("cntp");
        this.virt = new Channel("cntv");
    }

    void connect(IrqLine physical, IrqLine virtual, IrqLine hypervisor, IrqLine secure) {
        phys.out = physical;
        virt.out = virtual;
        this.hypervisor = hypervisor;
        this.secure = secure;
        phys.level = virt.level = false;
        phys.update();
        virt.update();
    }

    /** The system counter (CNTPCT_EL0 = CNTVCT_EL0 with CNTVOFF_EL2 = 0). */
    long counter() {
        return c.timebase.ticks();
    }

    static boolean isTimerReg(int key) {
        return (key & ~(15 << 3 | 7)) == (3 << 14 | 3 << 11 | 14 << 7 | 0 << 3 | 0) && ((key >>> 3 & 15) == 0 && (key & 7) <= 2
                || ((key >>> 3 & 15) == 2 || (key >>> 3 & 15) == 3) && (key & 7) <= 2);
    }

    static boolean isPhysical(int key) {
        return (key >>> 3 & 15) == 2;
    }

    long read(int key) {
        if (key == CNTFRQ) return c.timebase.hz();
        if (key == CNTPCT || key == CNTVCT) return counter();
        Channel ch = isPhysical(key) ? phys : virt;
        return switch (key & 7) {
            case 0 -> (cvalMinusNow(ch)) & 0xffff_ffffL; // TVAL: CVAL - counter, signed 32 bits, read zero-extended
            case 1 -> ch.readCtl();
            default -> ch.cval;
        };
    }

    private long cvalMinusNow(Channel ch) {
        return ch.cval - counter();
    }

    void write(int key, long v) {
        Channel ch = isPhysical(key) ? phys : virt;
        switch (key & 7) {
            case 0 -> ch.cval = counter() + (int) v; // TVAL: sign-extended 32-bit offset from now
            case 1 -> ch.ctl = (int) v & (ENABLE | IMASK);
            default -> ch.cval = v;
        }
        ch.update();
    }

    void reset() {
        phys.ctl = virt.ctl = 0;
        phys.cval = virt.cval = 0;
        phys.update();
        virt.update();
    }

    void saveState(StateWriter out) {
        out.putLong("cntp_cval", phys.cval).putInt("cntp_ctl", phys.ctl)
                .putLong("cntv_cval", virt.cval).putInt("cntv_ctl", virt.ctl);
    }

    void loadState(StateReader in) {
        phys.cval = in.getLong("cntp_cval");
        phys.ctl = in.getInt("cntp_ctl");
        virt.cval = in.getLong("cntv_cval");
        virt.ctl = in.getInt("cntv_ctl");
        for (Channel ch : new Channel[] {phys, virt}) {
            ch.update();
            ch.out.set(ch.level); // driven even when unchanged: the interrupt controller may have held another level
        }
    }
}
