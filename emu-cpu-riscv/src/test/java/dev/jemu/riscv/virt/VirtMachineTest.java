package dev.jemu.riscv.virt;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineType;
import dev.jemu.core.machine.Plugins;
import dev.jemu.core.time.VirtualClock;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Whole-board runs of tiny programs assembled here: bare metal (-bios none) and under the built-in SBI. */
@Timeout(30)
class VirtMachineTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream serial = new ByteArrayOutputStream();

    MachineConfig config(int... program) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 * program.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int insn : program) {
            b.putInt(insn);
        }
        MachineConfig c = new MachineConfig();
        c.kernel = Files.write(dir.resolve("prog.bin"), b.array());
        c.clock = VirtualClock.instructionCount(0);
        c.ramBytes = 32 << 20;
        c.serials.add(new CharBackend() {
            @Override
            public void write(byte[] d, int off, int len) {
                serial.write(d, off, len);
            }

            @Override
            public void connect(CharReceiver r, Consumer<Runnable> poster) {
            }
        });
        return c;
    }

    static int[] putc(char ch) {
        return new int[] {Asm.lui(Asm.T0, 0x10000), Asm.addi(Asm.T1, Asm.ZERO, ch), Asm.sb(Asm.T1, Asm.T0, 0)};
    }

    static int[] testDevice(int value) {
        int lo = value & 0xfff, hi = (value >>> 12) + (lo >= 0x800 ? 1 : 0);
        return new int[] {Asm.lui(Asm.T0, 0x100), Asm.lui(Asm.T1, hi), Asm.addi(Asm.T1, Asm.T1, lo),
            Asm.sw(Asm.T1, Asm.T0, 0), Asm.jSelf()};
    }

    static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }

    @Test
    void registeredAsTheDefaultRiscv64Board() {
        MachineType t = Plugins.machines().stream().filter(m -> m.architecture().equals("riscv64")).findFirst()
                .orElseThrow();
        assertEquals("virt", t.name());
        assertTrue(t.isDefault());
    }

    @Test
    void bareMetalPrintsAndPowersOff() throws Exception {
        MachineConfig c = config(concat(putc('O'), putc('K'), testDevice(0x5555)));
        c.bios = "none";
        try (Machine m = new VirtMachineType().create(c)) {
            assertEquals(0, m.run());
        }
        assertEquals("OK", serial.toString());
    }

    @Test
    void everyDeviceAndTheHartSaveAndLoad() throws Exception {
        MachineConfig c = config(Asm.jSelf());
        c.bios = "none";
        MachineConfig d = config(Asm.jSelf());
        d.bios = "none";
        try (VirtMachine a = (VirtMachine) new VirtMachineType().create(c);
             VirtMachine b = (VirtMachine) new VirtMachineType().create(d)) {
            java.util.List<String> ids = a.stateful().stream().map(dev.jemu.core.state.Stateful::stateId).toList();
            assertEquals(ids.size(), new java.util.HashSet<>(ids).size(), "ids are unique: " + ids);
            // test, rtc, clint, plic, uart, the virtio-mmio slots and the hart
            assertEquals(VirtMap.VIRTIO.count + 6, ids.size(), ids.toString());
            // what one machine saves, a machine of the same shape loads
            for (int k = 0; k < ids.size(); k++) {
                dev.jemu.core.state.StateRecord.of(a.stateful().get(k)).restore(b.stateful().get(k));
            }
        }
    }

    @Test
    void failCodeBecomesTheExitStatus() throws Exception {
        MachineConfig c = config(testDevice(0x3333 | 42 << 16));
        c.bios = "none";
        try (Machine m = new VirtMachineType().create(c)) {
            assertEquals(42, m.run());
        }
    }

    @Test
    void resetWithNoRebootEndsTheRun() throws Exception {
        MachineConfig c = config(concat(putc('R'), testDevice(0x7777)));
        c.bios = "none";
        c.noReboot = true;
        try (Machine m = new VirtMachineType().create(c)) {
            assertEquals(0, m.run());
        }
        assertEquals("R", serial.toString());
    }

    @Test
    void resetRebootsFromTheStart() throws Exception {
        MachineConfig c = config(concat(putc('A'), testDevice(0x7777)));
        c.bios = "none";
        VirtMachine m = (VirtMachine) new VirtMachineType().create(c);
        int[] status = {-1};
        Thread t = new Thread(() -> status[0] = m.run());
        t.start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (serial.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        m.quit(7);
        t.join(10_000);
        m.close();
        assertTrue(serial.toString().startsWith("AAA"), "reboots and runs again: " + serial);
        assertEquals(7, status[0]);
    }

    @Test
    void sModeKernelUsesTheBuiltinSbi() throws Exception {
        int dbcn = 0x4442434E, srst = 0x53525354;
        MachineConfig c = config(
                Asm.lui(Asm.A7, dbcn >>> 12), Asm.addi(Asm.A7, Asm.A7, dbcn & 0xfff),
                Asm.addi(Asm.A6, Asm.ZERO, 2), Asm.addi(Asm.A0, Asm.ZERO, 'S'), Asm.ecall(),
                Asm.lui(Asm.A7, srst >>> 12), Asm.addi(Asm.A7, Asm.A7, srst & 0xfff),
                Asm.addi(Asm.A6, Asm.ZERO, 0), Asm.addi(Asm.A0, Asm.ZERO, 0), Asm.addi(Asm.A1, Asm.ZERO, 1),
                Asm.ecall(), Asm.jSelf());
        try (Machine m = new VirtMachineType().create(c)) {
            assertEquals(1, m.run(), "shutdown with reason 'system failure'");
        }
        assertEquals("S", serial.toString());
    }

    @Test
    void builtinSbiLeavesMtvecOnTheReportingStub() throws Exception {
        // Every exception S-mode can handle is delegated and ECALLs are served, so only a hart bug reaches
        // M-mode; check that it would land on the stub that ends the run with an explanation.
        try (Machine m = new VirtMachineType().create(config(Asm.jSelf()))) {
            VirtMachine vm = (VirtMachine) m;
            assertEquals(VirtMap.MROM.base + BootRom.MTRAP, vm.hart().csr(0x305));
            assertEquals(1, vm.hart().privilege());
            assertEquals(VirtMap.DRAM.base + 0x200000, vm.hart().pc());
        }
    }
}
