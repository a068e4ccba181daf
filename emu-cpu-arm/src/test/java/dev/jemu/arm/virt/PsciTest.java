package dev.jemu.arm.virt;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.arm.cpu.ArmCpu;
import dev.jemu.arm.cpu.CpuModels;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PSCI over HVC as Linux's psci driver calls it (function ID in x0, result in x0). */
class PsciTest {
    final List<ExitRequest> exits = new ArrayList<>();
    final Psci psci = new Psci(exits::add);
    final VirtualClock clock = VirtualClock.instructionCount(0);
    final ArmCpu cpu = new ArmCpu(0, CpuModels.byName("cortex-a57"), new AddressSpace(), new MachineLoop(clock),
            new Timebase(clock, VirtMap.COUNTER_HZ));

    long call(long fn, long... args) {
        cpu.setReg(0, fn);
        for (int i = 0; i < args.length; i++) {
            cpu.setReg(i + 1, args[i]);
        }
        assertTrue(psci.call(cpu, false, 0));
        return cpu.reg(0);
    }

    @Test
    void versionIs1Point1AndFeaturesAreQemusList() {
        assertEquals(0x10001, call(Psci.VERSION));
        assertEquals(0, call(Psci.FEATURES, Psci.CPU_ON | Psci.SMC64));
        assertEquals(0, call(Psci.FEATURES, Psci.SYSTEM_OFF));
        assertEquals(0, call(Psci.FEATURES, Psci.FEATURES));
        assertEquals(-1, call(Psci.FEATURES, Psci.MIGRATE));
        assertEquals(-1, call(Psci.FEATURES, Psci.SMCCC_VERSION));
        assertEquals(2, call(Psci.MIGRATE_INFO_TYPE));
    }

    @Test
    void unknownFunctionsAndSmccVersionAreNotSupported() {
        assertEquals(-1, call(Psci.SMCCC_VERSION), "SMCCC 1.0: no SMCCC_VERSION");
        assertEquals(-1, call(0x8400000e)); // SYSTEM_SUSPEND
        assertEquals(-1, call(Psci.MIGRATE));
        assertFalse(psci.call(cpu, true, 0), "SMC is not the conduit");
    }

    @Test
    void oneCpuIsOnAndNoOtherExists() {
        assertEquals(-4, call(Psci.CPU_ON | Psci.SMC64, 0, 0x40080000L, 0), "ALREADY_ON");
        assertEquals(-2, call(Psci.CPU_ON | Psci.SMC64, 1, 0x40080000L, 0), "INVALID_PARAMETERS");
        assertEquals(0, call(Psci.AFFINITY_INFO | Psci.SMC64, 0, 0), "ON");
        assertEquals(-2, call(Psci.AFFINITY_INFO | Psci.SMC64, 2, 0));
        assertEquals(0, call(Psci.CPU_SUSPEND | Psci.SMC64, 0, 0x40080000L, 0));
        assertEquals(-2, call(Psci.CPU_SUSPEND | Psci.SMC64, 0x80000000L, 0, 0));
    }

    @Test
    void systemOffAndResetEndOrRestartTheMachine() {
        call(Psci.SYSTEM_OFF);
        call(Psci.SYSTEM_RESET);
        assertEquals(List.of(ExitRequest.poweroff(0), ExitRequest.reset()), exits);
    }
}
