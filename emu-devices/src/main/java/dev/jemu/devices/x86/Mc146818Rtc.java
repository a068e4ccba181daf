package dev.jemu.devices.x86;

import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.Timer;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.devices.RtcClock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The Motorola MC146818 real-time clock and its 128 bytes of CMOS memory (QEMU's {@code mc146818rtc}) at I/O
 * ports 0x70 (index; bit 7 is the NMI mask) and 0x71 (data), interrupting on ISA IRQ 8. The time registers read
 * the wall clock ({@link RtcClock}: {@code -rtc base=,clock=}) in BCD or binary and 24- or 12-hour form as register
 * B says; register A shows update-in-progress for the 244 us before each second; register C reports and clears
 * the periodic, alarm and update-ended interrupts; register D says the battery is good. The century is CMOS byte
 * 0x32, as QEMU (base year 2000).
 */
public final class Mc146818Rtc implements MmioDevice, Stateful {
    public static final long PORT = 0x70;
    static final int SEC = 0, SEC_ALARM = 1, MIN = 2, MIN_ALARM = 3, HOUR = 4, HOUR_ALARM = 5, WEEKDAY = 6, DAY = 7,
            MONTH = 8, YEAR = 9, A = 10, B = 11, C = 12, D = 13, CENTURY = 0x32;
    static final int A_UIP = 0x80, B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_BINARY = 0x04,
            B_24H = 0x02, C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10, D_VRT = 0x80;
    private static final long SECOND = 1_000_000_000L;
    /** UIP is set this long before the update at each second (the 244 us of the 32.768 kHz time base). */
    private static final long UIP_NS = 244_000;

    private final VirtualClock clock;
    private final RtcClock rtc;
    private final CachedIrqLine irq;
    private final Timer periodic, update;
    private final byte[] cmos = new byte[128];
    private int index;

    public Mc146818Rtc(VirtualClock clock, long startNanos, boolean followsGuest, IrqLine irq) {
        this.clock = clock;
        this.rtc = new RtcClock(clock, startNanos, followsGuest);
        this.irq = new CachedIrqLine(irq);
        this.periodic = clock.newTimer("rtc.periodic", this::periodicTick);
        this.update = clock.newTimer("rtc.update", this::secondTick);
        reset();
    }

    /** Power-on: registers A-D as QEMU sets them; CMOS memory and the time keep (they are battery-backed). */
    public void reset() {
        cmos[A] = 0x26;
        cmos[B] = B_24H;
        cmos[C] = 0;
        cmos[D] = (byte) D_VRT;
        index = 0;
        periodic.cancel();
        update.cancel();
        irq.set(false);
    }

    /** Sets CMOS byte {@code i} (the board's memory-size bytes). */
    public void setMemory(int i, int value) {
        cmos[i] = (byte) value;
    }

    /** CMOS byte {@code i} as the guest reads it (the clock registers computed). */
    public int cmos(int i) {
        return readRegister(i);
    }

    private int reg(int i) {
        return cmos[i] & 0xff;
    }

    private boolean binary() {
        return (reg(B) & B_BINARY) != 0;
    }

    private int toGuest(int v) {
        return binary() ? v : (v / 10) << 4 | v % 10;
    }

    private int fromGuest(int v) {
        return binary() ? v : (v >> 4) * 10 + (v & 0xf);
    }

    private LocalDateTime now() {
        long ns = rtc.now();
        return LocalDateTime.ofEpochSecond(Math.floorDiv(ns, SECOND), (int) Math.floorMod(ns, SECOND), ZoneOffset.UTC);
    }

    /** The hour register's encoding: 0-23, or 1-12 with bit 7 for PM. */
    private int hourToGuest(int h) {
        if ((reg(B) & B_24H) != 0) {
            return toGuest(h);
        }
        int h12 = h % 12 == 0 ? 12 : h % 12;
        return toGuest(h12) | (h >= 12 ? 0x80 : 0);
    }

    private int hourFromGuest(int v) {
        if ((reg(B) & B_24H) != 0) {
            return fromGuest(v & 0x7f);
        }
        int h = fromGuest(v & 0x7f) % 12;
        return (v & 0x80) != 0 ? h + 12 : h;
    }

    /** Fills the time registers from the clock (unless SET holds them). */
    private void latchTime() {
        if ((reg(B) & B_SET) != 0) {
            return;
        }
        LocalDateTime t = now();
        cmos[SEC] = (byte) toGuest(t.getSecond());
        cmos[MIN] = (byte) toGuest(t.getMinute());
        cmos[HOUR] = (byte) hourToGuest(t.getHour());
        cmos[WEEKDAY] = (byte) toGuest(t.getDayOfWeek().getValue() % 7 + 1); // 1 = Sunday
        cmos[DAY] = (byte) toGuest(t.getDayOfMonth());
        cmos[MONTH] = (byte) toGuest(t.getMonthValue());
        cmos[YEAR] = (byte) toGuest(t.getYear() % 100);
        cmos[CENTURY] = (byte) toGuest(t.getYear() / 100);
    }

    /** Sets the clock from the time registers (SET cleared, or a time register written while running). */
    private void commitTime() {
        int year = fromGuest(reg(CENTURY)) * 100 + fromGuest(reg(YEAR));
        try {
            LocalDateTime t = LocalDateTime.of(year, fromGuest(reg(MONTH)), fromGuest(reg(DAY)), hourFromGuest(reg(HOUR)),
                    fromGuest(reg(MIN)), fromGuest(reg(SEC)));
            long ns = rtc.now();
            rtc.set(t.toEpochSecond(ZoneOffset.UTC) * SECOND + Math.floorMod(ns, SECOND));
        } catch (java.time.DateTimeException e) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "rtc: invalid time written (%s); clock unchanged", e.getMessage());
        }
        scheduleUpdate();
    }

    private int readRegister(int i) {
        switch (i) {
            case SEC, MIN, HOUR, WEEKDAY, DAY, MONTH, YEAR, CENTURY -> latchTime();
            case A -> {
                boolean uip = (reg(B) & B_SET) == 0 && Math.floorMod(rtc.now(), SECOND) >= SECOND - UIP_NS;
                return (reg(A) & 0x7f) | (uip ? A_UIP : 0);
            }
            case C -> {
                int v = reg(C);
                cmos[C] = 0;
                irq.set(false);
                return v;
            }
            default -> { }
        }
        return reg(i);
    }

    private void writeRegister(int i, int v) {
        switch (i) {
            case SEC, MIN, HOUR, WEEKDAY, DAY, MONTH, YEAR, CENTURY -> {
                latchTime();
                cmos[i] = (byte) v;
                if ((reg(B) & B_SET) == 0) {
                    commitTime();
                }
            }
            case A -> {
                cmos[A] = (byte) (v & 0x7f);
                if (((v >> 4) & 7) != 2) {
                    DebugLog.log(DebugLog.Category.UNIMP, "rtc: divider 0x%x (only 32.768 kHz, running)", (v >> 4) & 7);
                }
                schedulePeriodic();
            }
            case B -> {
                int old = reg(B);
                if ((v & B_SET) != 0 && (old & B_SET) == 0) {
                    latchTime(); // SET freezes the registers at the time it was set
                }
                cmos[B] = (byte) (v & ((v & B_SET) != 0 ? ~B_UIE : 0xff)); // SET clears UIE
                if ((v & B_SET) == 0 && (old & B_SET) != 0) {
                    commitTime();
                }
                updateIrq();
                schedulePeriodic();
                scheduleUpdate();
            }
            case C, D -> DebugLog.log(DebugLog.Category.GUEST_ERRORS, "rtc: write 0x%x to read-only register %c", v,
                    'A' + i - A);
            default -> cmos[i] = (byte) v;
        }
    }

    private void updateIrq() {
        int c = reg(C) & ~C_IRQF;
        boolean on = (c & reg(B) & (C_PF | C_AF | C_UF)) != 0;
        cmos[C] = (byte) (c | (on ? C_IRQF : 0));
        irq.set(on);
    }

    /** The periodic interrupt's period in ns from register A's rate select, or 0 for none. */
    private long periodNs() {
        int rs = reg(A) & 0xf;
        if (rs == 0) {
            return 0;
        }
        if (rs <= 2) {
            rs += 7;
        }
        return (SECOND << (rs - 1)) / 32768;
    }

    private void schedulePeriodic() {
        long p = periodNs();
        if (p == 0 || (reg(B) & B_PIE) == 0) {
            periodic.cancel();
        } else if (!periodic.isArmed()) {
            long now = clock.nanos();
            periodic.armAt(now - now % p + p);
        }
    }

    private void periodicTick() {
        cmos[C] = (byte) (reg(C) | C_PF);
        updateIrq();
        long p = periodNs();
        if (p != 0 && (reg(B) & B_PIE) != 0) {
            long now = clock.nanos();
            periodic.armAt(now - now % p + p);
        }
    }

    /** The update-ended and alarm interrupts need a tick at each second of RTC time. */
    private void scheduleUpdate() {
        if ((reg(B) & (B_UIE | B_AIE)) == 0 || (reg(B) & B_SET) != 0) {
            update.cancel();
            return;
        }
        long toNext = SECOND - Math.floorMod(rtc.now(), SECOND);
        update.armAfter(toNext);
    }

    private void secondTick() {
        if ((reg(B) & B_SET) != 0) {
            return;
        }
        latchTime();
        int c = reg(C) | C_UF;
        if (alarmMatches(SEC_ALARM, SEC) && alarmMatches(MIN_ALARM, MIN) && alarmMatches(HOUR_ALARM, HOUR)) {
            c |= C_AF;
        }
        cmos[C] = (byte) c;
        updateIrq();
        scheduleUpdate();
    }

    /** An alarm byte of 0xc0-0xff matches any value. */
    private boolean alarmMatches(int alarm, int field) {
        return (reg(alarm) & 0xc0) == 0xc0 || reg(alarm) == reg(field);
    }

    @Override
    public long read(long offset, int size) {
        if (offset == 0) {
            return 0xff; // the index register is write-only
        }
        return readRegister(index);
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset == 0) {
            index = (int) value & 0x7f; // bit 7 masks NMIs: the board has no NMI source
        } else {
            writeRegister(index, (int) value & 0xff);
        }
    }

    @Override
    public String stateId() {
        return "rtc";
    }

    @Override
    public void saveState(StateWriter out) {
        out.putBytes("cmos", cmos);
        out.putInt("index", index);
        out.putLong("rtc_offset", rtc.saved());
        out.putBoolean("irq", irq.level());
    }

    @Override
    public void loadState(StateReader in) {
        byte[] b = in.getBytes("cmos");
        System.arraycopy(b, 0, cmos, 0, Math.min(b.length, cmos.length));
        index = in.getInt("index") & 0x7f;
        rtc.restore(in.getLong("rtc_offset"));
        irq.force(in.getBoolean("irq"));
        periodic.cancel();
        schedulePeriodic();
        scheduleUpdate();
    }
}
