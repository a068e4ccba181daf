package dev.jemu.x86.microvm;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.state.StateRecord;
import dev.jemu.core.state.Stateful;
import dev.jemu.devices.x86.LocalApic;
import dev.jemu.x86.cpu.Msrs;
import dev.jemu.x86.cpu.X86Cpu;
import dev.jemu.x86.cpu.X86Model;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The microvm board's wiring: interrupts from its devices through the IOAPIC or the PIC to the CPU, CMOS, GED. */
class MicrovmMachineTest {
    static void initPicLikeLinux(AddressSpace io) {
        int[][] seq = {{0x21, 0xff}, {0xa1, 0xff}, {0x20, 0x11}, {0x21, 0x30}, {0x21, 0x04}, {0x21, 0x01},
                {0xa0, 0x11}, {0xa1, 0x38}, {0xa1, 0x02}, {0xa1, 0x01}, {0x21, 0xfb}, {0xa1, 0xff}};
        for (int[] w : seq) {
            io.write(w[0], 1, w[1]);
        }
    }

    static LocalApic lapic(MicrovmMachine m) {
        return ((TcgAccelerator) m.accelerator()).lapic();
    }

    static void route(MicrovmMachine m, int pin, int vector) {
        m.addressSpace().write(0xfec00000L, 4, 0x10 + 2 * pin);
        m.addressSpace().write(0xfec00010L, 4, vector);
    }

    @Test
    void serialIrq4ReachesTheCpuThroughTheIoapic() throws Exception {
        try (MicrovmMachine m = MicrovmTesting.build(MicrovmTesting.config(""))) {
            m.addressSpace().write(0xfee000f0L, 4, 0x1ff); // APIC software enabled
            m.addressSpace().write(0xfee00350L, 4, 0x10700); // LINT0 masked: the PIC is not used
            route(m, 4, 0x34);
            assertFalse(lapic(m).hasInterrupt());
            m.io().write(0x3f9, 1, 0x02); // IER: THR empty interrupt
            assertTrue(lapic(m).hasInterrupt());
            assertEquals(0x34, lapic(m).acknowledge());
        }
    }

    @Test
    void serialIrq4ReachesTheCpuThroughThePicAndLint0() throws Exception {
        try (MicrovmMachine m = MicrovmTesting.build(MicrovmTesting.config(""))) {
            initPicLikeLinux(m.io());
            m.io().write(0x21, 1, 0xeb); // unmask IRQ 4
            m.io().write(0x3f9, 1, 0x02);
            assertTrue(lapic(m).hasInterrupt(), "LINT0 is ExtINT at reset");
            assertEquals(0x34, lapic(m).acknowledge());
            m.io().write(0x20, 1, 0x64); // specific EOI
            X86Cpu cpu = ((TcgAccelerator) m.accelerator()).x86();
            m.io().write(0x3f9, 1, 0x00);
            cpu.msrs.apicBase &= ~(1L << 11); // APIC globally off: the PIC's INTR goes straight to the CPU
            m.addressSpace().write(0xfee00350L, 4, 0x10700);
            m.io().write(0x3f9, 1, 0x02);
            assertEquals(0x34, lapic(m).acknowledge());
        }
    }

    @Test
    void pitIrq0ArrivesOnIoapicPin2() throws Exception {
        MachineConfig config = MicrovmTesting.config("");
        try (MicrovmMachine m = MicrovmTesting.build(config)) {
            m.addressSpace().write(0xfee000f0L, 4, 0x1ff);
            m.addressSpace().write(0xfee00350L, 4, 0x10700);
            route(m, 2, 0x40);
            m.io().write(0x43, 1, 0x34);
            m.io().write(0x40, 1, 0xa9);
            m.io().write(0x40, 1, 0x04); // 1193 ticks: 1 ms
            lapic(m).acknowledge(); // the control word's first rising edge
            m.addressSpace().write(0xfee000b0L, 4, 0);
            for (long t = 100_000; t <= 1_100_000; t += 100_000) {
                config.clock.setNanos(t);
                config.clock.runExpired();
            }
            assertTrue(lapic(m).hasInterrupt());
            assertEquals(0x40, lapic(m).acknowledge());
        }
    }

    @Test
    void cr8AndTprAreOneRegisterAndTheTscDeadlineMsrReachesTheApic() throws Exception {
        MachineConfig config = MicrovmTesting.config("");
        try (MicrovmMachine m = MicrovmTesting.build(config)) {
            TcgAccelerator tcg = (TcgAccelerator) m.accelerator();
            X86Cpu cpu = tcg.x86();
            cpu.cr8 = 5; // MOV CR8
            tcg.interruptSource().hasInterrupt();
            assertEquals(0x50, m.addressSpace().read(0xfee00080L, 4));
            m.addressSpace().write(0xfee00080L, 4, 0x30); // TPR through the window
            tcg.interruptSource().hasInterrupt();
            assertEquals(3, cpu.cr8);
            m.addressSpace().write(0xfee00080L, 4, 0);
            m.addressSpace().write(0xfee000f0L, 4, 0x1ff);
            m.addressSpace().write(0xfee00320L, 4, 0x40000 | 0xec); // TSC-deadline mode
            tcg.interruptSource().setTscDeadline(cpu.tsc.ticks() + 20_000); // 10 us at 2 GHz
            assertEquals(cpu.tsc.ticks() + 20_000, tcg.interruptSource().tscDeadline());
            config.clock.setNanos(10_000);
            config.clock.runExpired();
            assertTrue(tcg.interruptSource().hasInterrupt());
            assertEquals(0xec, tcg.interruptSource().acknowledge());
        }
    }

    @Test
    void theTscDeadlineFollowsTheGuestsTscWrites() throws Exception {
        MachineConfig config = MicrovmTesting.config("");
        try (MicrovmMachine m = MicrovmTesting.build(config)) {
            TcgAccelerator tcg = (TcgAccelerator) m.accelerator();
            X86Cpu cpu = tcg.x86();
            cpu.msrs.write(Msrs.IA32_TSC, 1L << 40); // WRMSR IA32_TSC: the TSC is now far ahead of the clock's ticks
            m.addressSpace().write(0xfee000f0L, 4, 0x1ff);
            m.addressSpace().write(0xfee00320L, 4, 0x40000 | 0xec); // TSC-deadline mode
            tcg.interruptSource().setTscDeadline(cpu.msrs.tsc() + 20_000); // 10 us at 2 GHz of the guest's TSC
            config.clock.setNanos(9_000);
            config.clock.runExpired();
            assertFalse(tcg.interruptSource().hasInterrupt(), "not before the deadline");
            config.clock.setNanos(10_000);
            config.clock.runExpired();
            assertTrue(tcg.interruptSource().hasInterrupt(), "at the deadline, on the TSC RDTSC reads");
            assertEquals(0xec, tcg.interruptSource().acknowledge());
        }
    }

    @Test
    void cpuModelComesFromCpuAndUnknownNamesAreRefused() throws Exception {
        MachineConfig config = MicrovmTesting.config("");
        try (MicrovmMachine m = MicrovmTesting.build(config)) {
            X86Cpu cpu = ((TcgAccelerator) m.accelerator()).x86();
            assertEquals(X86Model.QEMU64, cpu.model, "QEMU's microvm default");
            cpu.reset();
            assertEquals(X86Model.QEMU64.signature(), cpu.r[X86Cpu.RDX], "EDX at reset: the model's signature");
        }
        config = MicrovmTesting.config("");
        config.cpu = "max";
        try (MicrovmMachine m = MicrovmTesting.build(config)) {
            assertEquals(X86Model.MAX, ((TcgAccelerator) m.accelerator()).x86().model);
        }
        MachineConfig bad = MicrovmTesting.config("");
        bad.cpu = "pentium";
        ConfigException e = assertThrows(ConfigException.class, () -> new MicrovmMachineType().create(bad));
        assertEquals("microvm: unknown x86_64 CPU model 'pentium' (see -cpu help)", e.getMessage());
    }

    @Test
    void cmosHoldsQemusMemorySizeBytes() throws Exception {
        try (MicrovmMachine m = MicrovmTesting.build(MicrovmTesting.config(""))) {
            assertEquals(640, cmos(m, 0x15) | cmos(m, 0x16) << 8, "base memory KiB");
            assertEquals(0xffff, cmos(m, 0x17) | cmos(m, 0x18) << 8, "extended memory KiB, capped");
            assertEquals((512 - 16) * 16, cmos(m, 0x34) | cmos(m, 0x35) << 8, "64 KiB blocks above 16 MiB");
            assertEquals(0, cmos(m, 0x5b));
        }
    }

    /**
     * -m 5G: the first 3 GiB at 0, the other 2 GiB from 4 GiB on, both one RAM block (what snapshots save): a
     * write above 4 GiB lands 3 GiB into it; nothing answers in the hole; the CMOS counts 64 KiB blocks above 4 GiB.
     */
    @Test
    void ramAboveThreeGiBContinuesAtFourGiB() throws Exception {
        MachineConfig c = MicrovmTesting.config("");
        c.ramBytes = 5L << 30;
        try (MicrovmMachine m = MicrovmTesting.build(c)) {
            m.addressSpace().write((4L << 30) + 0x1238, 8, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, m.ram().readLong((3L << 30) + 0x1238));
            m.ram().writeInt((3L << 30) - 4, 0x55aa);
            assertEquals(0x55aa, m.addressSpace().read((3L << 30) - 4, 4));
            m.addressSpace().write((6L << 30) - 8, 8, -1L);
            assertEquals(-1L, m.ram().readLong((5L << 30) - 8), "the last bytes of RAM, below 6 GiB");
            assertNull(m.addressSpace().find(3L << 30), "the hole below 4 GiB");
            assertNull(m.addressSpace().find(6L << 30), "nothing past the end of RAM");
            assertEquals((2L << 30) >> 16, cmos(m, 0x5b) | cmos(m, 0x5c) << 8 | cmos(m, 0x5d) << 16);
            assertEquals((3072 - 16) * 16, cmos(m, 0x34) | cmos(m, 0x35) << 8, "64 KiB blocks from 16 MiB to 3 GiB");
        }
    }

    static int cmos(MicrovmMachine m, int i) {
        m.io().write(0x70, 1, i);
        return (int) m.io().read(0x71, 1);
    }

    @Test
    void powerButtonIsAGedEvent() throws Exception {
        try (MicrovmMachine m = MicrovmTesting.build(MicrovmTesting.config(""))) {
            route(m, 9, 0x49);
            m.addressSpace().write(0xfee000f0L, 4, 0x1ff);
            m.addressSpace().write(0xfee00350L, 4, 0x10700);
            m.controlledBoard().powerButton();
            assertEquals(2, m.addressSpace().read(0xfea00000L, 4), "the power-down event bit");
            assertEquals(0x49, lapic(m).acknowledge(), "on GSI 9");
        }
    }

    @Test
    void virtioSlotsAndGsisFollowAcpiAndIoapic2() throws ConfigException {
        MicrovmLayout on = new MicrovmLayout(MicrovmOptions.of(java.util.Map.of()), 512L << 20);
        assertEquals(24, on.virtioSlots());
        assertEquals(24, on.virtioGsiBase());
        MicrovmLayout off = new MicrovmLayout(opts("acpi", "off"), 512L << 20);
        assertEquals(8, off.virtioSlots());
        assertEquals(5, off.virtioGsiBase());
        // what MicrovmBoot puts on the command line without ACPI (virtio_mmio.device=512@0xfeb00e00:12 for slot 7)
        assertEquals(0xfeb00e00L, off.virtioBase(7));
        assertEquals(12, MicrovmLayout.virtioGsi(7, false, off.options().ioapic2()));
        MicrovmLayout one = new MicrovmLayout(opts("ioapic2", "off"), 512L << 20);
        assertEquals(16, one.virtioGsiBase());
        assertEquals(new E820.Entry(1L << 32, 1L << 30, E820.RAM), E820.map(4L << 30).getLast(),
                "RAM above 3 GiB goes above 4 GiB");
    }

    private static MicrovmOptions opts(String k, String v) {
        try {
            return MicrovmOptions.of(java.util.Map.of(k, v));
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refusesWhatItDoesNotHaveInOneLine() {
        MachineConfig smp = MicrovmTesting.config("");
        smp.smp = 2;
        assertThrows(ConfigException.class, () -> MicrovmTesting.build(smp));
        if (ServiceLoader.load(MicrovmLoader.class).findFirst().isEmpty()) {
            assertEquals("microvm: no kernel loader yet", assertThrows(ConfigException.class,
                    () -> new MicrovmMachineType().create(MicrovmTesting.config(""))).getMessage());
        }
    }

    @Test
    void everyDeviceStateRoundTrips() throws Exception {
        try (MicrovmMachine a = MicrovmTesting.build(MicrovmTesting.config(""));
                MicrovmMachine b = MicrovmTesting.build(MicrovmTesting.config(""))) {
            initPicLikeLinux(a.io());
            route(a, 4, 0x34);
            a.addressSpace().write(0xfee00380L, 4, 12345);
            a.io().write(0x3f9, 1, 0x02);
            List<Stateful> from = a.stateful(), to = b.stateful();
            assertEquals(from.size(), to.size());
            assertEquals(from.size(), from.stream().map(Stateful::stateId).distinct().count(), "unique state IDs");
            for (int i = 0; i < from.size(); i++) {
                StateRecord r = StateRecord.of(from.get(i));
                r.restore(to.get(i));
                assertEquals(r, StateRecord.of(to.get(i)), from.get(i).stateId());
            }
        }
    }
}
