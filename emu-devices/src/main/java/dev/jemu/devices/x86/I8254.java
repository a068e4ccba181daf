package dev.jemu.devices.x86;

import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.Timer;
import dev.jemu.core.time.VirtualClock;

/**
 * The Intel 8254 programmable interval timer (QEMU's {@code isa-pit}) at I/O ports 0x40-0x43, counting at
 * 1.193182 MHz of guest time: three channels in modes 0-5, the control word with counter latch and read-back,
 * LSB/MSB/word access. Channel 0's output is ISA IRQ 0; channel 2's gate and output are bits 0 and 5 of port 0x61
 * (NMI status and control, {@link #port61()}), which is how Linux calibrates its clocks. A channel's count and
 * output follow from the guest time since its count was loaded, so the device costs nothing between reads; only
 * channel 0 arms a timer, at each change of its output. BCD counting is not modelled (the count is binary).
 */
public final class I8254 implements MmioDevice, Stateful {
    public static final long PORT = 0x40, PORT61 = 0x61;
    public static final long HZ = 1_193_182;
    /** Port 0x61 bit 4, the DRAM refresh request, toggles every 15.085 us (as QEMU). */
    private static final long REFRESH_NS = 15_085;

    private final Timebase base;
    private final VirtualClock clock;
    private final CachedIrqLine irq0;
    private final Timer timer;
    private final Channel[] channels = {new Channel(), new Channel(), new Channel()};
    /** Port 0x61 bits 0 (channel 2 gate) and 1 (speaker data). */
    private int port61;
    /** The tick (since channel 0's load) the channel 0 timer is armed for. */
    private long scheduled;

    private static final class Channel {
        int count = 0x10000, mode, access = 3;
        boolean bcd, gate = true, nullCount = true;
        long loadTick;
        /** Write flip-flop (LSB written, MSB next) and the LSB; read flip-flop. */
        boolean writeMsb, readMsb;
        int writeLsb;
        /** Latched count (-1: none) and its read flip-flop; latched status (-1: none). */
        int latchedCount = -1, latchedStatus = -1;
        boolean latchedMsb;
    }

    public I8254(VirtualClock clock, IrqLine irq0) {
        this.clock = clock;
        this.base = new Timebase(clock, HZ);
        this.irq0 = new CachedIrqLine(irq0);
        this.timer = clock.newTimer("pit.channel0", this::timer0);
        reset();
    }

    public void reset() {
        for (Channel c : channels) {
            c.count = 0x10000;
            c.mode = 0;
            c.access = 3;
            c.bcd = false;
            c.gate = true;
            c.nullCount = true;
            c.loadTick = base.ticks();
            c.writeMsb = c.readMsb = c.latchedMsb = false;
            c.latchedCount = c.latchedStatus = -1;
        }
        channels[2].gate = false;
        port61 = 0;
        timer.cancel();
        irq0.set(false);
    }

    private long elapsed(Channel c) {
        return Math.max(0, base.ticks() - c.loadTick);
    }

    /** The counter's value now. */
    private int count(Channel c) {
        long d = elapsed(c);
        return switch (c.mode) {
            case 2 -> (int) (c.count - d % c.count);
            case 3 -> (int) (c.count - (2 * d) % c.count);
            default -> (int) ((c.count - d) & 0xffff);
        };
    }

    /** The channel's OUT pin now. */
    private boolean out(Channel c) {
        return out(c, elapsed(c));
    }

    /** OUT {@code d} ticks after the count was loaded. */
    private static boolean out(Channel c, long d) {
        return switch (c.mode) {
            case 0 -> d >= c.count;
            case 1 -> d < c.count;
            case 2 -> d % c.count != c.count - 1; // low for the one clock before each reload
            case 3 -> d % c.count < (c.count + 1) / 2;
            default -> d != c.count; // modes 4 and 5: a one-clock low strobe at terminal count
        };
    }

    /** Ticks since load of the next change of OUT after {@code d}, or -1 if it never changes again. */
    private static long nextChange(Channel c, long d) {
        long n = c.count;
        return switch (c.mode) {
            case 0, 1 -> d < n ? n : -1;
            case 2 -> {
                long base = d / n * n;
                yield d - base < n - 1 ? base + n - 1 : base + n;
            }
            case 3 -> {
                long base = d / n * n;
                long half = (n + 1) / 2;
                yield d - base < half ? base + half : base + n;
            }
            default -> d < n ? n : d == n ? n + 1 : -1;
        };
    }

    /**
     * Channel 0's timer: OUT at the tick it was armed for, unless that is more than a period behind (the machine
     * was stopped): then now, and the periods missed are dropped (QEMU's lost_tick_policy=discard).
     */
    private void timer0() {
        long now = elapsed(channels[0]);
        follow0(now - scheduled > channels[0].count ? now : scheduled);
    }

    /** Channel 0 after a register or gate change: IRQ 0 follows OUT now. */
    private void update0() {
        follow0(elapsed(channels[0]));
    }

    /**
     * IRQ 0 takes OUT's level at {@code d} ticks after load, and the timer waits for the next change. The timer
     * passes the tick it was armed for, not the time it runs at, so a one-tick pulse is never skipped.
     */
    private void follow0(long d) {
        Channel c = channels[0];
        irq0.set(c.gate && out(c, d));
        long next = nextChange(c, d);
        if (next < 0 || !c.gate) {
            timer.cancel();
        } else {
            scheduled = next;
            timer.armAt(base.nanosAt(c.loadTick + next));
        }
    }

    private void load(int n, int value) {
        Channel c = channels[n];
        c.count = value == 0 ? 0x10000 : value;
        if ((c.mode == 2 || c.mode == 3) && c.count == 1) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "pit: channel %d count 1 is invalid in mode %d", n, c.mode);
            c.count = 2;
        }
        c.loadTick = base.ticks();
        c.nullCount = false;
        if (n == 0) {
            update0();
        }
    }

    private void setGate(int n, boolean gate) {
        Channel c = channels[n];
        if (gate && !c.gate && c.mode != 0 && c.mode != 4) {
            c.loadTick = base.ticks(); // a rising gate (re)triggers modes 1, 5 and restarts 2, 3
        }
        c.gate = gate;
        if (n == 0) {
            update0();
        }
    }

    // ---------------------------------------------------------------- ports 0x40-0x43

    @Override
    public long read(long offset, int size) {
        if (offset == 3) {
            return 0xff; // the control word register is write-only
        }
        Channel c = channels[(int) offset];
        if (c.latchedStatus >= 0) {
            int s = c.latchedStatus;
            c.latchedStatus = -1;
            return s;
        }
        if (c.latchedCount >= 0) {
            int v = c.latchedCount;
            if (c.access == 3 && !c.latchedMsb) {
                c.latchedMsb = true;
                return v & 0xff;
            }
            c.latchedCount = -1;
            c.latchedMsb = false;
            return c.access == 2 || c.access == 3 ? (v >> 8) & 0xff : v & 0xff;
        }
        int v = count(c);
        return switch (c.access) {
            case 1 -> v & 0xff;
            case 2 -> (v >> 8) & 0xff;
            default -> {
                c.readMsb = !c.readMsb;
                yield c.readMsb ? v & 0xff : (v >> 8) & 0xff;
            }
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        int v = (int) value & 0xff;
        if (offset == 3) {
            writeControl(v);
            return;
        }
        int n = (int) offset;
        Channel c = channels[n];
        switch (c.access) {
            case 1 -> load(n, v);
            case 2 -> load(n, v << 8);
            default -> {
                if (!c.writeMsb) {
                    c.writeLsb = v;
                    c.writeMsb = true;
                } else {
                    c.writeMsb = false;
                    load(n, c.writeLsb | v << 8);
                }
            }
        }
    }

    private void writeControl(int v) {
        int select = v >> 6;
        if (select == 3) { // read-back: bit 5 clear latches counts, bit 4 clear latches status
            for (int n = 0; n < 3; n++) {
                if ((v & (2 << n)) == 0) {
                    continue;
                }
                Channel c = channels[n];
                if ((v & 0x20) == 0 && c.latchedCount < 0) {
                    c.latchedCount = count(c) & 0xffff;
                }
                if ((v & 0x10) == 0 && c.latchedStatus < 0) {
                    c.latchedStatus = (out(c) ? 0x80 : 0) | (c.nullCount ? 0x40 : 0) | c.access << 4 | c.mode << 1
                            | (c.bcd ? 1 : 0);
                }
            }
            return;
        }
        Channel c = channels[select];
        int access = (v >> 4) & 3;
        if (access == 0) { // counter latch command
            if (c.latchedCount < 0) {
                c.latchedCount = count(c) & 0xffff;
            }
            return;
        }
        c.access = access;
        c.mode = (v >> 1) & 7;
        if (c.mode > 5) {
            c.mode -= 4; // 6 and 7 are aliases of 2 and 3
        }
        c.bcd = (v & 1) != 0;
        if (c.bcd) {
            DebugLog.log(DebugLog.Category.UNIMP, "pit: channel %d BCD counting (counts in binary)", select);
        }
        c.writeMsb = c.readMsb = false;
        c.nullCount = true;
        if (select == 0) {
            // a control word sets OUT to its initial level (low in mode 0, high otherwise) until a count is loaded
            timer.cancel();
            irq0.set(c.mode != 0);
        }
    }

    // ---------------------------------------------------------------- port 0x61

    /** Port 0x61: bit 0 channel 2 gate, 1 speaker data, 4 refresh toggle, 5 channel 2 output. */
    public MmioDevice port61() {
        return new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                Channel c2 = channels[2];
                boolean refresh = (clock.nanos() / REFRESH_NS & 1) != 0;
                boolean out2 = c2.gate || c2.mode == 0 || c2.mode == 4 ? out(c2) : true;
                return port61 | (refresh ? 0x10 : 0) | (out2 ? 0x20 : 0);
            }

            @Override
            public void write(long offset, int size, long value) {
                port61 = (int) value & 3;
                setGate(2, (value & 1) != 0);
            }
        };
    }

    // ---------------------------------------------------------------- state

    @Override
    public String stateId() {
        return "pit";
    }

    @Override
    public void saveState(StateWriter out) {
        out.putInt("port61", port61);
        for (int n = 0; n < 3; n++) {
            Channel c = channels[n];
            String p = "ch" + n + ".";
            out.putInt(p + "count", c.count);
            out.putInt(p + "mode", c.mode);
            out.putInt(p + "access", c.access);
            out.putBoolean(p + "bcd", c.bcd);
            out.putBoolean(p + "gate", c.gate);
            out.putBoolean(p + "null_count", c.nullCount);
            out.putLong(p + "load_tick", c.loadTick);
            out.putBoolean(p + "write_msb", c.writeMsb);
            out.putBoolean(p + "read_msb", c.readMsb);
            out.putInt(p + "write_lsb", c.writeLsb);
            out.putInt(p + "latched_count", c.latchedCount);
            out.putInt(p + "latched_status", c.latchedStatus);
            out.putBoolean(p + "latched_msb", c.latchedMsb);
        }
    }

    @Override
    public void loadState(StateReader in) {
        port61 = in.getInt("port61") & 3;
        for (int n = 0; n < 3; n++) {
            Channel c = channels[n];
            String p = "ch" + n + ".";
            c.count = Math.clamp(in.getInt(p + "count"), 1, 0x10000);
            c.mode = Math.clamp(in.getInt(p + "mode"), 0, 5);
            c.access = Math.clamp(in.getInt(p + "access"), 1, 3);
            c.bcd = in.getBoolean(p + "bcd");
            c.gate = in.getBoolean(p + "gate");
            c.nullCount = in.getBoolean(p + "null_count");
            c.loadTick = in.getLong(p + "load_tick");
            c.writeMsb = in.getBoolean(p + "write_msb");
            c.readMsb = in.getBoolean(p + "read_msb");
            c.writeLsb = in.getInt(p + "write_lsb") & 0xff;
            c.latchedCount = in.getInt(p + "latched_count");
            c.latchedStatus = in.getInt(p + "latched_status");
            c.latchedMsb = in.getBoolean(p + "latched_msb");
        }
        update0();
        irq0.force(irq0.level());
    }
}
