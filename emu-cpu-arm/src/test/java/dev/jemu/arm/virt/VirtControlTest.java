package dev.jemu.arm.virt;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.time.VirtualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the monitors see of the aarch64 virt board: register dump, registers, memory, the power key. */
class VirtControlTest {
    @TempDir
    Path dir;

    VirtMachine machine(VirtualClock clock) throws Exception {
        MachineConfig c = new MachineConfig();
        c.cpu = "cortex-a57";
        c.clock = clock;
        c.ramBytes = 64 << 20;
        c.bios = "none";
        c.kernel = Files.write(dir.resolve("k.bin"), new byte[] {(byte) 0x1f, 0x20, 0x03, (byte) 0xd5});
        return (VirtMachine) new VirtMachineType().create(c);
    }

    @Test
    void infoRegistersHasQemusAarch64Layout() throws Exception {
        try (VirtMachine m = machine(VirtualClock.instructionCount(0))) {
            m.cpu().setReg(0, 0x44000000L);
            m.cpu().setReg(30, 0x1234);
            m.cpu().setNzcv(0x60000000L);
            String[] lines = m.controlledBoard().registerDump(0).split("\n");
            assertEquals("", lines[0]);
            assertEquals("CPU#0", lines[1]);
            assertEquals(" PC=0000000040000000 X00=0000000044000000 X01=0000000000000000", lines[2]);
            assertEquals("X02=0000000000000000 X03=0000000000000000 X04=0000000000000000", lines[3]);
            assertEquals("X29=0000000000000000 X30=0000000000001234  SP=0000000000000000", lines[12]);
            assertTrue(lines[13].startsWith("PSTATE=600003c5 -ZC- EL1h"), lines[13]);
            assertEquals(0x1234L, m.controlledBoard().register(0, "x30"));
            assertEquals(0x40000000L, m.controlledBoard().register(0, "pc"));
            byte[] b = new byte[4];
            assertEquals(4, m.controlledBoard().readMemory(0, 0x40000000L, b, true));
            assertEquals((byte) 0xd5, b[3]);
            assertEquals(0, m.controlledBoard().readMemory(0, 0x30000000L, b, true), "nothing mapped there");
        }
    }

    @Test
    void powerButtonPressesTheGpioKeyFor100Ms() throws Exception {
        VirtualClock clock = VirtualClock.instructionCount(0);
        try (VirtMachine m = machine(clock)) {
            AddressSpace bus = m.addressSpace();
            long gpio = VirtMap.GPIO.base;
            bus.write(gpio + 0x408, 4, 1 << 3); // IBE: both edges, as gpio-keys asks
            bus.write(gpio + 0x410, 4, 1 << 3); // IE
            m.controlledBoard().powerButton();
            assertEquals(1 << 3, bus.read(gpio + 0x418, 4), "MIS: the press");
            assertEquals(1 << 3, bus.read(gpio + (1 << 3 << 2), 4), "the key line reads high");
            bus.write(gpio + 0x41c, 4, 0xff);
            clock.addInstructions(VirtMachine.KEY_PRESS_NS);
            clock.runExpired();
            assertEquals(0, bus.read(gpio + (1 << 3 << 2), 4), "released after 100 ms");
            assertEquals(1 << 3, bus.read(gpio + 0x418, 4), "MIS: the release");
        }
    }

    @Test
    void everyCpuAndDeviceIsStatefulUnderItsOwnIdAndRoundTrips() throws Exception {
        try (VirtMachine m = machine(VirtualClock.instructionCount(0))) {
            java.util.List<String> ids = m.stateful().stream().map(dev.jemu.core.state.Stateful::stateId).toList();
            assertEquals(ids.size(), new java.util.HashSet<>(ids).size(), ids.toString());
            assertTrue(ids.containsAll(java.util.List.of("cpu0", "gic", "pl011@9000000", "pl031@9010000",
                    "pl061@9030000", "virtio_mmio@a003e00")), ids.toString());
            m.addressSpace().write(VirtMap.UART.base + 0x24, 4, 26); // IBRD
            m.cpu().setReg(5, 0x55);
            java.util.List<dev.jemu.core.state.StateRecord> saved = m.stateful().stream()
                    .map(dev.jemu.core.state.StateRecord::of).toList();
            m.addressSpace().write(VirtMap.UART.base + 0x24, 4, 1);
            m.cpu().setReg(5, 0);
            for (int i = 0; i < saved.size(); i++) {
                saved.get(i).restore(m.stateful().get(i));
            }
            assertEquals(26, m.addressSpace().read(VirtMap.UART.base + 0x24, 4));
            assertEquals(0x55, m.cpu().reg(5));
        }
    }

    @Test
    void theSerialBackendIsThePl011AndTheRtcTheHostClock() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        MachineConfig c = new MachineConfig();
        c.cpu = "cortex-a57";
        c.clock = VirtualClock.instructionCount(0);
        c.ramBytes = 64 << 20;
        c.bios = "none";
        c.kernel = Files.write(dir.resolve("k.bin"), new byte[4]);
        c.serials.add(new dev.jemu.core.chardev.CharBackend() {
            @Override
            public void write(byte[] d, int off, int len) {
                out.write(d, off, len);
            }

            @Override
            public void connect(dev.jemu.core.chardev.CharReceiver r, java.util.function.Consumer<Runnable> p) {
            }
        });
        long before = System.currentTimeMillis() / 1000;
        try (VirtMachine m = (VirtMachine) new VirtMachineType().create(c)) {
            for (char ch : "ok".toCharArray()) {
                m.addressSpace().write(VirtMap.UART.base, 4, ch);
            }
            assertEquals("ok", out.toString());
            long rtc = m.addressSpace().read(VirtMap.RTC.base, 4);
            assertTrue(rtc >= before && rtc <= System.currentTimeMillis() / 1000 + 1, Long.toString(rtc));
        }
    }
}
