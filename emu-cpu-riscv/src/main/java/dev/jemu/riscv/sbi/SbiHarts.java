package dev.jemu.riscv.sbi;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.Region;
import dev.jemu.riscv.cpu.Hart;
import dev.jemu.riscv.cpu.HartDebug;
import dev.jemu.riscv.cpu.HartGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in SBI's calls that reach other harts: HSM (start, stop, status, suspend), IPI and RFENCE over a
 * hart mask, and the legacy v0.1 forms whose mask is a pointer into S-mode memory. Other harts are reached only
 * through {@link HartGroup} and {@link Hart}'s "other harts" requests, which are safe from any hart's thread;
 * the calling hart's own registers are read and written directly (the call runs on its thread).
 */
final class SbiHarts {
    /** hart_get_status values (START_PENDING and STOP_PENDING are never seen: start and stop act at once). */
    static final long HSM_STARTED = 0, HSM_STOPPED = 1, HSM_SUSPENDED = 4;
    static final long SUSPEND_RETENTIVE = 0, SUSPEND_NON_RETENTIVE = 0x80000000L;
    static final int SATP = 0x180, SSTATUS = 0x100;
    static final long SSTATUS_SIE = 1L << 1;

    private final AddressSpace bus;
    private final HartGroup group;
    /** How a hart enters S-mode (what {@code prepare} gives hart 0): hart, pc, a1. */
    interface SupervisorEntry {
        void enter(Hart hart, long pc, long a1);
    }

    private final SupervisorEntry entry;

    /** {@code group} null: the calling hart is the only one (a one-hart machine or rig). */
    SbiHarts(AddressSpace bus, HartGroup group, SupervisorEntry entry) {
        this.bus = bus;
        this.group = group;
        this.entry = entry;
    }

    // ---------------------------------------------------------------- HSM

    long[] hartStart(Hart caller, long hartId, long startAddr, long opaque) {
        Hart target = group.hart(hartId);
        if (target == null) {
            return ret(Sbi.ERR_INVALID_PARAM, 0);
        }
        if (!executable(startAddr)) {
            return ret(Sbi.ERR_INVALID_ADDRESS, 0);
        }
        boolean started = target.start(h -> enterSupervisor(h, startAddr, opaque));
        return ret(started ? Sbi.SUCCESS : Sbi.ERR_ALREADY_AVAILABLE, 0);
    }

    /** The spec's state of a hart entering S-mode from HSM: a0 = hart id, a1 = opaque, satp 0, SIE 0. */
    private void enterSupervisor(Hart h, long pc, long opaque) {
        h.setCsr(SATP, 0);
        h.setCsr(SSTATUS, h.csr(SSTATUS) & ~SSTATUS_SIE);
        h.flushTlb(); // whatever the hart cached before it stopped
        entry.enter(h, pc, opaque);
    }

    /** HART_STOP: returns only on failure (stopping the last running hart would leave nothing to run). */
    long[] hartStop(Hart caller) {
        for (Hart h : group.harts()) {
            if (h != caller && !h.isStopped()) {
                caller.stop();
                return ret(Sbi.SUCCESS, 0);
            }
        }
        return ret(Sbi.ERR_FAILED, 0);
    }

    long[] hartStatus(Hart caller, long hartId) {
        Hart target = group.hart(hartId);
        if (target == null) {
            return ret(Sbi.ERR_INVALID_PARAM, 0);
        }
        long state = target.isStopped() ? HSM_STOPPED : target.isSuspended() ? HSM_SUSPENDED : HSM_STARTED;
        return ret(Sbi.SUCCESS, state);
    }

    /**
     * HART_SUSPEND: the default retentive suspend waits for an interrupt as WFI does and returns 0; the default
     * non-retentive one waits the same way, then resumes at {@code resumeAddr} in S-mode as a started hart does.
     * Platform-specific types are not supported; reserved ones are invalid.
     */
    long[] hartSuspend(Hart caller, long type, long resumeAddr, long opaque) {
        if (type == SUSPEND_RETENTIVE) {
            caller.suspend();
            return ret(Sbi.SUCCESS, 0);
        }
        if (type == SUSPEND_NON_RETENTIVE) {
            if (!executable(resumeAddr)) {
                return ret(Sbi.ERR_INVALID_ADDRESS, 0);
            }
            enterSupervisor(caller, resumeAddr, opaque);
            caller.suspend();
            return null; // a0/a1 are the resume state, not a return value
        }
        boolean platform = (type >= 0x10000000L && type <= 0x7fffffffL) || (type >= 0x90000000L && type <= 0xffffffffL);
        return ret(platform ? Sbi.ERR_NOT_SUPPORTED : Sbi.ERR_INVALID_PARAM, 0);
    }

    /** A start or resume address: RAM or ROM (where a hart can fetch). */
    private boolean executable(long addr) {
        Region r = bus.find(addr);
        return r != null && r.kind() != Region.Kind.MMIO;
    }

    // ---------------------------------------------------------------- IPI and RFENCE

    /**
     * The harts named by {@code mask} from {@code base} ({@code base} -1: every hart), or null if one of them
     * does not exist (SBI_ERR_INVALID_PARAM).
     */
    List<Hart> targets(Hart caller, long mask, long base) {
        HartGroup g = group;
        if (base == -1L) {
            return g.harts();
        }
        List<Hart> out = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if ((mask >>> i & 1) != 0) {
                Hart h = Long.compareUnsigned(base, Long.MAX_VALUE - 64) < 0 ? g.hart(base + i) : null;
                if (h == null) {
                    return null;
                }
                out.add(h);
            }
        }
        return out;
    }

    long[] sendIpi(Hart caller, long mask, long base) {
        List<Hart> t = targets(caller, mask, base);
        if (t == null) {
            return ret(Sbi.ERR_INVALID_PARAM, 0);
        }
        t.forEach(Hart::raiseSupervisorSoftwareInterrupt);
        return ret(Sbi.SUCCESS, 0);
    }

    /** RFENCE FID 0 (fence.i), 1 (sfence.vma), 2 (sfence.vma.asid: every ASID is flushed, a superset). */
    long[] remoteFence(Hart caller, long fid, long mask, long base, long start, long size) {
        List<Hart> t = targets(caller, mask, base);
        if (t == null) {
            return ret(Sbi.ERR_INVALID_PARAM, 0);
        }
        fence(t, fid, start, size);
        return ret(Sbi.SUCCESS, 0);
    }

    private static void fence(List<Hart> t, long fid, long start, long size) {
        for (Hart h : t) {
            if (fid == 0) {
                h.remoteFenceI();
            } else {
                h.remoteSfenceVma(start, size);
            }
        }
    }

    // ---------------------------------------------------------------- legacy (v0.1) calls

    /**
     * The legacy calls' hart mask: a pointer to an unsigned long in S-mode memory (through the caller's
     * translation), 0 for every hart; null when the pointer cannot be read.
     */
    List<Hart> legacyTargets(Hart caller, long pointer) {
        if (pointer == 0) {
            return group.harts();
        }
        long pa = HartDebug.translate(caller, bus, pointer);
        if (pa == -1 || (pointer & 7) != 0) {
            return null;
        }
        try {
            List<Hart> t = targets(caller, bus.read(pa, 8), 0);
            return t;
        } catch (BusError e) {
            return null;
        }
    }

    long legacySendIpi(Hart caller, long pointer) {
        List<Hart> t = legacyTargets(caller, pointer);
        if (t == null) {
            return Sbi.ERR_INVALID_PARAM;
        }
        t.forEach(Hart::raiseSupervisorSoftwareInterrupt);
        return 0;
    }

    long legacyFence(Hart caller, boolean fenceI, long pointer, long start, long size) {
        List<Hart> t = legacyTargets(caller, pointer);
        if (t == null) {
            return Sbi.ERR_INVALID_PARAM;
        }
        fence(t, fenceI ? 0 : 1, start, size);
        return 0;
    }

    long clearIpi(Hart caller) {
        caller.clearSupervisorSoftwareInterrupt();
        return 0;
    }

    private static long[] ret(long error, long value) {
        return new long[] {error, value};
    }
}
