package dev.jemu.devices.x86;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateRecord;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random register traffic on every x86 device window, as a guest gone wrong would send it (the board
 * fuzzer reaches only the MMIO bus, not the I/O ports): no access throws, interrupts and timers keep working, and
 * each device's state survives a save and load unchanged.
 */
class X86DevicesFuzzTest {
    record Window(String name, MmioDevice device, long size) { }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void randomAccessesNeverThrowAndStateRoundTrips(long seed) {
        VirtualClock clock = VirtualClock.instructionCount(0);
        LocalApic lapic = new LocalApic("lapic", 0, true, clock, 25_000_000, new Timebase(clock, 2_000_000_000L)::nanosAt, v -> { });
        IoApic ioapic = new IoApic("ioapic", 0, lapic);
        I8259Pair pic = new I8259Pair(lapic.lint0());
        lapic.connect(() -> true, pic::acknowledge);
        I8254 pit = new I8254(clock, pic.irq(0));
        Mc146818Rtc rtc = new Mc146818Rtc(clock, 1_796_000_000_000_000_000L, true, pic.irq(8));
        AcpiGed ged = new AcpiGed(AcpiGed.POWER_DOWN_EVENT, ioapic.pin(9), e -> { });
        List<Window> windows = List.of(new Window("pic-master", pic.ports(true), 2),
                new Window("pic-slave", pic.ports(false), 2), new Window("elcr0", pic.elcr(true), 1),
                new Window("elcr1", pic.elcr(false), 1), new Window("ioapic", ioapic, IoApic.SIZE),
                new Window("lapic", lapic, 0x1000), new Window("pit", pit, 4), new Window("port61", pit.port61(), 1),
                new Window("rtc", rtc, 2), new Window("ged", ged.events(), 4), new Window("ged-regs", ged.registers(), 3));
        List<Stateful> states = List.of(lapic, ioapic, pic, pit, rtc, ged);
        Random r = new Random(seed);
        int[] sizes = {1, 2, 4, 8};
        for (int i = 0; i < 100_000; i++) {
            Window w = windows.get(r.nextInt(windows.size()));
            long offset = r.nextInt(8) == 0 ? r.nextLong(w.size()) : r.nextLong(Math.min(w.size(), 0x400)) & ~3L;
            int size = sizes[r.nextInt(sizes.length)];
            long value = switch (r.nextInt(4)) {
                case 0 -> 0;
                case 1 -> -1L;
                case 2 -> r.nextInt(256);
                default -> r.nextLong();
            };
            try {
                if (r.nextBoolean()) {
                    w.device().read(offset, size);
                } else {
                    w.device().write(offset, size, value);
                }
                if (r.nextInt(16) == 0) {
                    ioapic.pin(r.nextInt(IoApic.PINS)).set(r.nextBoolean());
                    pic.irq(r.nextInt(16)).set(r.nextBoolean());
                }
                if (r.nextInt(64) == 0 && lapic.hasInterrupt()) {
                    lapic.acknowledge();
                }
                if (r.nextInt(32) == 0) {
                    clock.setNanos(clock.nanos() + r.nextInt(2_000_000));
                    clock.runExpired();
                }
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " op " + i + ": " + w.name() + " offset 0x"
                        + Long.toHexString(offset) + " size " + size + " value 0x" + Long.toHexString(value), e);
            }
        }
        for (Stateful s : states) {
            StateRecord saved = StateRecord.of(s);
            saved.restore(s);
            assertEquals(saved, StateRecord.of(s), s.stateId());
        }
        // the timers still run: a fresh one-shot APIC timer fires
        lapic.write(0xf0, 4, 0x1ff);
        lapic.write(0x320, 4, 0x30);
        lapic.write(0x3e0, 4, 0xb);
        lapic.write(0x80, 4, 0);
        for (int i = 0; i < 256; i++) {
            lapic.write(0xb0, 4, 0); // whatever is in service ends
        }
        for (int i = 0; i < 300 && lapic.hasInterrupt(); i++) {
            lapic.acknowledge();
            lapic.write(0xb0, 4, 0);
        }
        assertFalse(lapic.hasInterrupt());
        lapic.write(0x380, 4, 100);
        clock.setNanos(clock.nanos() + 1_000_000);
        clock.runExpired();
        assertTrue(lapic.hasInterrupt(), "the APIC timer fires after the fuzzing");
    }
}
