package dev.jemu.riscv.virt;

import static org.junit.jupiter.api.Assertions.*;

import static dev.jemu.riscv.virt.VirtSnapshotTest.load;
import static dev.jemu.riscv.virt.VirtSnapshotTest.records;
import static dev.jemu.riscv.virt.VirtSnapshotTest.save;

import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.state.StateException;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.riscv.cpu.Hart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The machine state of a board with several harts: every hart's own record, and no load into another -smp. */
@Timeout(60)
class VirtSmpSnapshotTest {
    @TempDir
    Path dir;

    private VirtMachine machine(int harts) throws Exception {
        MachineConfig c = new MachineConfig();
        c.kernel = Files.write(dir.resolve("k.bin"), new byte[] {0x6f, 0, 0, 0}); // j .
        c.clock = VirtualClock.instructionCount(0);
        c.rtc = new dev.jemu.core.machine.RtcOptions(c.rtc.startNanos(), true);
        c.ramBytes = 32 << 20;
        c.smp = c.cores = c.maxCpus = harts;
        return (VirtMachine) new VirtMachineType().create(c);
    }

    @Test
    void everyHartGoesIntoASecondBoard() throws Exception {
        try (VirtMachine a = machine(2); VirtMachine b = machine(2)) {
            Hart a1 = a.cpus().get(1);
            assertTrue(a1.isStopped(), "a secondary under the built-in SBI");
            assertTrue(a.cpus().get(1).start(h -> {
                h.setReg(5, 0xabcdef);
                h.setPc(VirtMap.DRAM.base + 0x80);
            }));
            a.bus().write(VirtMap.CLINT.base + 4, 4, 1);               // hart 1's MSIP
            a.bus().write(VirtMap.CLINT.base + 0x4008, 8, 0x7fff_0000L); // hart 1's mtimecmp
            a.bus().write(VirtMap.PLIC.base + 0x2000 + 3 * 0x80, 4, 1 << 10); // context 3 (hart 1 S) enables
            assertNotEquals(records(a), records(b));
            load(b, save(a));
            assertEquals(records(a), records(b));
            Hart b1 = b.cpus().get(1);
            assertFalse(b1.isStopped(), "hart 1 is running in the saved state");
            assertEquals(0xabcdef, b1.reg(5));
            assertEquals(VirtMap.DRAM.base + 0x80, b1.pc());
            assertEquals(1, b.bus().read(VirtMap.CLINT.base + 4, 4));
            assertTrue(b.cpus().get(0).reg(5) != 0xabcdef, "hart 0 keeps its own registers");
        }
    }

    /** A hart running in the loaded state but never started in this process still has the built-in SBI. */
    @Test
    void aLoadedRunningSecondaryCallsTheSbi() throws Exception {
        int srst = VirtSmpTest.SRST;
        int[] shutdown = VirtMachineTest.concat(VirtSmpTest.li(Asm.A7, srst), new int[] {Asm.addi(Asm.A6, Asm.ZERO, 0),
            Asm.addi(Asm.A0, Asm.ZERO, 0), Asm.addi(Asm.A1, Asm.ZERO, 0), Asm.ecall(), Asm.jSelf()});
        long at = VirtMap.DRAM.base + 0x1000;
        try (VirtMachine a = machine(2); VirtMachine b = machine(2)) {
            for (int i = 0; i < shutdown.length; i++) {
                a.bus().write(at + 4L * i, 4, shutdown[i] & 0xffffffffL);
            }
            assertTrue(a.cpus().get(1).start(h -> { // S-mode with the M-mode state that matters here
                h.setCsr(0x3b0, -1L >>> 10); // pmpaddr0: everything...
                h.setCsr(0x3a0, 0x1f);       // ...readable, writable, executable
                h.setCsr(0x305, VirtMap.MROM.base + BootRom.MTRAP); // an unserved ECALL ends the run with 1
                h.setPc(at);
                h.setPrivilege(1);
            }));
            load(b, save(a));
            assertEquals(0, b.run(), "SRST shutdown from hart 1, not a trap to M-mode");
        }
    }

    @Test
    void aStateOfTwoHartsIsRefusedByABoardOfOneAndTheOtherWay() throws Exception {
        try (VirtMachine two = machine(2); VirtMachine one = machine(1)) {
            StateException e = assertThrows(StateException.class, () -> load(one, save(two)));
            assertEquals("machine state was saved with 2 CPUs (-smp 2), this machine has 1", e.getMessage());
            e = assertThrows(StateException.class, () -> load(two, save(one)));
            assertEquals("machine state was saved with 1 CPU (-smp 1), this machine has 2", e.getMessage());
        }
    }

    @Test
    void eachHartHasItsOwnStateId() throws Exception {
        try (VirtMachine m = machine(4)) {
            List<String> ids = m.stateful().stream().map(Stateful::stateId).filter(s -> s.startsWith("hart")).toList();
            assertEquals(List.of("hart0", "hart1", "hart2", "hart3"), ids);
        }
    }
}
