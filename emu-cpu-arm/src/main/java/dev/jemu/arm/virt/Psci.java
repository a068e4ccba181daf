package dev.jemu.arm.virt;

import dev.jemu.arm.cpu.ArmCpu;
import dev.jemu.arm.cpu.FirmwareCall;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.machine.ExitRequest;
import java.util.function.Consumer;

/**
 * PSCI 1.1 (Arm DEN 0022) answered by the board over HVC, as QEMU's virt does when it runs no EL2/EL3 firmware
 * (the device tree says {@code method = "hvc"}). One CPU for now: CPU_ON of it is ALREADY_ON, of any other
 * INVALID_PARAMETERS; AFFINITY_INFO says it is on. SMC is left to the architecture (UNDEFINED without EL3).
 * Unknown function IDs return NOT_SUPPORTED, so SMCCC_VERSION reads as SMCCC 1.0, as on QEMU 7.2 (which
 * does not list it in PSCI_FEATURES either).
 */
final class Psci implements FirmwareCall {
    static final int VERSION = 0x84000000, CPU_SUSPEND = 0x84000001, CPU_OFF = 0x84000002, CPU_ON = 0x84000003,
            AFFINITY_INFO = 0x84000004, MIGRATE = 0x84000005, MIGRATE_INFO_TYPE = 0x84000006,
            MIGRATE_INFO_UP_CPU = 0x84000007, SYSTEM_OFF = 0x84000008, SYSTEM_RESET = 0x84000009,
            FEATURES = 0x8400000a, SMCCC_VERSION = 0x80000000;
    /** Bit 30 of a function ID: the SMC64 form (x registers) of the call. */
    static final int SMC64 = 0x40000000;
    static final int SUCCESS = 0, NOT_SUPPORTED = -1, INVALID_PARAMETERS = -2, DENIED = -3, ALREADY_ON = -4;
    /** PSCI 1.1: major 1 in bits 31:16, minor 1. */
    static final int PSCI_1_1 = 0x10001;
    /** MIGRATE_INFO_TYPE: a Trusted OS is not present (or needs no migration). */
    static final int TOS_NOT_PRESENT = 2;

    private final Consumer<ExitRequest> exit;

    Psci(Consumer<ExitRequest> exit) {
        this.exit = exit;
    }

    @Override
    public boolean call(ArmCpu cpu, boolean smc, int imm16) {
        if (smc) {
            return false; // the conduit is HVC
        }
        int fn = (int) cpu.reg(0);
        long result = answer(cpu, fn);
        cpu.setReg(0, result);
        return true;
    }

    private long answer(ArmCpu cpu, int fn) {
        switch (fn) {
            case VERSION -> {
                return PSCI_1_1;
            }
            case FEATURES -> {
                return implemented((int) cpu.reg(1)) ? SUCCESS : NOT_SUPPORTED;
            }
            case MIGRATE_INFO_TYPE -> {
                return TOS_NOT_PRESENT;
            }
            case SYSTEM_OFF -> {
                exit.accept(ExitRequest.poweroff(0));
                return SUCCESS; // not seen: the machine stops
            }
            case SYSTEM_RESET -> {
                exit.accept(ExitRequest.reset());
                return SUCCESS;
            }
            case CPU_SUSPEND, CPU_SUSPEND | SMC64 -> {
                // power state bits other than 15:0 (state id), 16 (type) and 25:24 (level) must be zero
                return (cpu.reg(1) & ~0x301ffffL & 0xffffffffL) != 0 ? INVALID_PARAMETERS : SUCCESS; // an early wake-up
            }
            case CPU_OFF -> {
                // the only CPU: switching it off would leave nothing running; Linux never asks for that
                DebugLog.log(DebugLog.Category.GUEST_ERRORS, "psci: CPU_OFF of the only CPU denied");
                return DENIED;
            }
            case CPU_ON, CPU_ON | SMC64 -> {
                return mpidr(cpu, fn) == 0 ? ALREADY_ON : INVALID_PARAMETERS;
            }
            case AFFINITY_INFO, AFFINITY_INFO | SMC64 -> {
                int level = (int) cpu.reg(2);
                if (level != 0) {
                    return INVALID_PARAMETERS; // QEMU answers only affinity level 0 too
                }
                return mpidr(cpu, fn) == 0 ? 0 /* ON */ : INVALID_PARAMETERS;
            }
            default -> {
                return NOT_SUPPORTED; // MIGRATE, MIGRATE_INFO_UP_CPU, SMCCC_VERSION, SYSTEM_SUSPEND, ...
            }
        }
    }

    /** The target MPIDR of CPU_ON / AFFINITY_INFO, its affinity fields (32-bit calls see w1 only). */
    private static long mpidr(ArmCpu cpu, int fn) {
        long target = cpu.reg(1);
        if ((fn & SMC64) == 0) {
            target &= 0xffffffffL;
        }
        return target & 0xff00ffffffL;
    }

    /** What PSCI_FEATURES reports as present: QEMU 7.2's list. */
    static boolean implemented(int fn) {
        return switch (fn) {
            case VERSION, MIGRATE_INFO_TYPE, AFFINITY_INFO, AFFINITY_INFO | SMC64, SYSTEM_RESET, SYSTEM_OFF, CPU_ON,
                 CPU_ON | SMC64, CPU_OFF, CPU_SUSPEND, CPU_SUSPEND | SMC64, FEATURES -> true;
            default -> false;
        };
    }
}
