package dev.jemu.riscv.virt;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.state.Stateful;
import dev.jemu.riscv.cpu.Hart;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The board with several harts, running tiny programs: under the built-in SBI hart 0 starts hart 1 with HSM;
 * with {@code -bios none} every hart enters the program from the reset vector with its hart id. Nothing here
 * assumes how the harts interleave (the same runs hold with one thread per hart).
 */
@Timeout(30)
class VirtSmpTest {
    static final int HSM = 0x48534D, DBCN = 0x4442434E, SRST = 0x53525354;
    @TempDir
    Path dir;
    /** VirtMachineTest's machine set-up (a program as the kernel, serial captured), with several harts. */
    final VirtMachineTest board = new VirtMachineTest();

    MachineConfig config(int harts, int... program) throws Exception {
        board.dir = dir;
        MachineConfig c = board.config(program);
        c.smp = c.cores = c.maxCpus = harts;
        return c;
    }

    static int[] li(int rd, int value) {
        int lo = value << 20 >> 20, hi = (value - lo) >>> 12;
        return new int[] {Asm.lui(rd, hi), Asm.addi(rd, rd, lo)};
    }

    static int bneSelf(int rs1, int rs2) {
        return rs2 << 20 | rs1 << 15 | 1 << 12 | 0x63; // bne rs1, rs2, . (offset 0)
    }

    @Test
    void builtinSbiStartsTheOthersStoppedAndHsmStartsThem() throws Exception {
        int secondary = 10; // word index of the secondary's code
        int[] program = VirtMachineTest.concat(
                new int[] {Asm.auipc(Asm.T0, 0), Asm.addi(Asm.A1, Asm.T0, 4 * secondary),
                    Asm.addi(Asm.A0, Asm.ZERO, 1), Asm.addi(Asm.A2, Asm.ZERO, 'H')},
                li(Asm.A7, HSM), new int[] {Asm.addi(Asm.A6, Asm.ZERO, 0), Asm.ecall(), Asm.jSelf(), Asm.jSelf()},
                // hart 1, from hart_start: a0 = its hart id, a1 = opaque; prints both, then shuts down
                new int[] {Asm.addi(Asm.T1, Asm.A0, '0')}, li(Asm.A7, DBCN),
                new int[] {Asm.addi(Asm.A6, Asm.ZERO, 2), Asm.addi(Asm.A0, Asm.A1, 0), Asm.ecall(),
                    Asm.addi(Asm.A0, Asm.T1, 0), Asm.ecall()},
                li(Asm.A7, SRST), new int[] {Asm.addi(Asm.A6, Asm.ZERO, 0), Asm.addi(Asm.A0, Asm.ZERO, 0),
                    Asm.addi(Asm.A1, Asm.ZERO, 0), Asm.ecall(), Asm.jSelf()});
        assertEquals(Asm.addi(Asm.T1, Asm.A0, '0'), program[secondary]);
        try (VirtMachine m = (VirtMachine) new VirtMachineType().create(config(2, program))) {
            List<Hart> harts = m.cpus();
            assertEquals(2, harts.size());
            assertFalse(harts.get(0).isStopped());
            assertTrue(harts.get(1).isStopped(), "HSM STOPPED until hart_start");
            assertEquals(0, m.run());
        }
        assertEquals("H1", board.serial.toString());
    }

    @Test
    void withoutTheBuiltinSbiEveryHartEntersAtTheResetVector() throws Exception {
        // each hart prints its id (a0 from the boot ROM); harts 0-2 then spin, hart 3 powers the machine off
        MachineConfig c = config(4, VirtMachineTest.concat(
                new int[] {Asm.addi(Asm.T1, Asm.A0, '0'), Asm.lui(Asm.T0, 0x10000), Asm.sb(Asm.T1, Asm.T0, 0),
                    Asm.addi(Asm.T1, Asm.A0, -3), bneSelf(Asm.T1, Asm.ZERO)},
                VirtMachineTest.testDevice(0x5555)));
        c.bios = "none";
        try (VirtMachine m = (VirtMachine) new VirtMachineType().create(c)) {
            for (Hart h : m.cpus()) {
                assertFalse(h.isStopped());
                assertEquals(3, h.privilege());
                assertEquals(VirtMap.MROM.base + BootRom.RESET_VECTOR, h.pc());
            }
            assertEquals(0, m.run());
        }
        assertTrue(board.serial.toString().contains("3"), board.serial.toString());
    }

    @Test
    void everyHartIsSavedUnderItsOwnId() throws Exception {
        try (VirtMachine m = (VirtMachine) new VirtMachineType().create(config(3, Asm.jSelf()))) {
            List<String> ids = m.stateful().stream().map(Stateful::stateId).toList();
            assertTrue(ids.containsAll(List.of("hart0", "hart1", "hart2")), ids.toString());
            assertEquals(VirtMap.VIRTIO.count + 5 + 3, ids.size(), ids.toString());
        }
    }

    @Test
    void moreHartsThanQemuTakesIsRefusedWithQemusLine() throws Exception {
        MachineConfig c = config(1, Asm.jSelf());
        c.smp = c.maxCpus = 513;
        assertEquals("Invalid SMP CPUs 513. The max CPUs supported by machine 'virt' is 512",
                assertThrows(ConfigException.class, () -> new VirtMachineType().create(c)).getMessage());
    }
}
