package dev.jemu.riscv.sbi;

import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.devices.Uart16550;
import dev.jemu.riscv.cpu.EcallHandler;
import dev.jemu.riscv.cpu.Hart;
import dev.jemu.riscv.cpu.HartGroup;
import java.util.function.Consumer;

/**
 * An SBI 2.0 implementation in Java for the machine's harts, in place of OpenSBI: the kernel's ECALLs from
 * S-mode come here ({@link Hart#setEcallHandler}); the calls that reach other harts go through {@link SbiHarts}. Extensions: base, time (through Sstc's {@code stimecmp}), ipi,
 * rfence, srst, hsm, dbcn, and the legacy v0.1 calls; anything else is {@link Sbi#ERR_NOT_SUPPORTED}.
 * {@link #prepare} leaves the M-mode state as OpenSBI would before entering the kernel.
 */
public final class BuiltinSbi implements EcallHandler {
    static final int A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A6 = 16, A7 = 17;
    // CSR numbers used here.
    static final int MSTATUS = 0x300, MEDELEG = 0x302, MIDELEG = 0x303, MIE = 0x304, MTVEC = 0x305,
            MCOUNTEREN = 0x306, SCOUNTEREN = 0x106, MENVCFG = 0x30a, PMPCFG0 = 0x3a0, PMPADDR0 = 0x3b0, STIMECMP = 0x14d,
            MVENDORID = 0xf11, MARCHID = 0xf12, MIMPID = 0xf13;
    /**
     * Exceptions handed to S-mode: everything but ECALLs from S/M (which come here) and what only M-mode
     * firmware could fix. Unlike OpenSBI we do not emulate in M-mode, so illegal-instruction and misaligned
     * accesses go to the kernel too (Linux handles both).
     */
    static final long MEDELEG_VALUE = 1L << 0 | 1L << 1 | 1L << 2 | 1L << 3 | 1L << 4 | 1L << 5 | 1L << 6 | 1L << 7
            | 1L << 8 | 1L << 12 | 1L << 13 | 1L << 15;
    /** Supervisor software, timer and external interrupts. */
    static final long MIDELEG_VALUE = 1L << 1 | 1L << 5 | 1L << 9;
    static final long MENVCFG_STCE = 1L << 63;
    static final long MSTATUS_FS_INITIAL = 1L << 13;
    static final int DBCN_MAX = 4096;

    private final AddressSpace bus;
    private final Uart16550 console;
    private final Consumer<ExitRequest> exit;
    private final SbiHarts harts;
    /** Where unexpected M-mode traps go (set by {@link #prepare}; a started hart gets the same). */
    private long mtrapVector;

    /** For the harts of {@code group} (ids 0..n-1): HSM, IPI and RFENCE reach them all. */
    public BuiltinSbi(AddressSpace bus, Uart16550 console, Consumer<ExitRequest> exit, HartGroup group) {
        this.bus = bus;
        this.console = console;
        this.exit = exit;
        this.harts = new SbiHarts(bus, group, this::enterSupervisor);
    }

    /**
     * Sets up M-mode as OpenSBI leaves it and enters the kernel in S-mode at {@code entry} with a0 = hart id,
     * a1 = device tree. {@code mtrapVector} is where unexpected M-mode traps go.
     */
    public void prepare(Hart hart, long entry, long fdt, long mtrapVector) {
        this.mtrapVector = mtrapVector;
        enterSupervisor(hart, entry, fdt);
    }

    /**
     * Leaves {@code hart} in S-mode at {@code pc} as OpenSBI does (boot, HSM hart_start, a non-retentive
     * resume): the M-mode set-up, then a0 = the hart id and a1 = {@code a1} (the device tree, or the opaque).
     */
    void enterSupervisor(Hart hart, long pc, long a1) {
        machineSetup(hart);
        hart.setReg(A0, hart.hartId());
        hart.setReg(A1, a1);
        hart.setPc(pc);
        hart.setPrivilege(1);
    }

    /** The M-mode state OpenSBI leaves before a hart enters S-mode (boot, or HSM hart_start). */
    private void machineSetup(Hart hart) {
        hart.setCsr(MEDELEG, MEDELEG_VALUE);
        hart.setCsr(MIDELEG, MIDELEG_VALUE);
        hart.setCsr(MCOUNTEREN, 0x7);          // cycle, time, instret readable from S/U
        hart.setCsr(SCOUNTEREN, 0x7);          // ...and from U, as OpenSBI leaves it: Linux without SBI PMU never
                                               // sets it, and the vDSO's rdtime would trap (busybox ping: SIGILL)
        hart.setCsr(MENVCFG, MENVCFG_STCE);    // Sstc: the kernel programs stimecmp itself
        hart.setCsr(PMPADDR0, -1L >>> 10);     // one NAPOT region covering everything...
        hart.setCsr(PMPCFG0, 0x1f);            // ...readable, writable, executable
        hart.setCsr(MTVEC, mtrapVector);
        hart.setCsr(MIE, 0);
        hart.setCsr(MSTATUS, hart.csr(MSTATUS) | MSTATUS_FS_INITIAL);
        hart.setEcallHandler(this);
    }

    @Override
    public boolean ecall(Hart hart) {
        long eid = hart.reg(A7);
        long fid = hart.reg(A6);
        if (Long.compareUnsigned(eid, LEGACY_LIMIT) < 0) {
            hart.setReg(A0, legacy(hart, eid));
            return true;
        }
        long[] r = call(hart, eid, fid);
        if (r == null) {
            return true; // the call set a0/a1 itself (a non-retentive suspend's resume state)
        }
        hart.setReg(A0, r[0]);
        hart.setReg(A1, r[1]);
        return true;
    }

    private static final long LEGACY_LIMIT = 0x10;

    private static long[] ret(long error, long value) {
        return new long[] {error, value};
    }

    private static final long[] NOT_SUPPORTED = {Sbi.ERR_NOT_SUPPORTED, 0};

    private long[] call(Hart hart, long eid, long fid) {
        long a0 = hart.reg(A0), a1 = hart.reg(A1), a2 = hart.reg(A2), a3 = hart.reg(A3);
        if (eid == Sbi.EXT_BASE) {
            return switch ((int) fid) {
                case 0 -> ret(0, Sbi.SPEC_VERSION);
                case 1 -> ret(0, Sbi.IMPL_ID);
                case 2 -> ret(0, Sbi.IMPL_VERSION);
                case 3 -> ret(0, probe(a0) ? 1 : 0);
                case 4 -> ret(0, hart.csr(MVENDORID));
                case 5 -> ret(0, hart.csr(MARCHID));
                case 6 -> ret(0, hart.csr(MIMPID));
                default -> NOT_SUPPORTED;
            };
        }
        if (eid == Sbi.EXT_TIME) {
            if (fid != 0) {
                return NOT_SUPPORTED;
            }
            setTimer(hart, a0);
            return ret(0, 0);
        }
        if (eid == Sbi.EXT_IPI) {
            if (fid != 0) {
                return NOT_SUPPORTED;
            }
            return harts.sendIpi(hart, a0, a1);
        }
        if (eid == Sbi.EXT_RFENCE) {
            if (fid < 0 || fid > 2) {
                return NOT_SUPPORTED; // the hypervisor fences: no H extension
            }
            return harts.remoteFence(hart, fid, a0, a1, a2, a3);
        }
        if (eid == Sbi.EXT_SRST) {
            if (fid != 0) {
                return NOT_SUPPORTED;
            }
            if (a0 == Sbi.SRST_SHUTDOWN) {
                exit.accept(ExitRequest.poweroff(a1 == Sbi.SRST_REASON_FAILURE ? 1 : 0));
            } else if (a0 == Sbi.SRST_COLD_REBOOT || a0 == Sbi.SRST_WARM_REBOOT) {
                exit.accept(ExitRequest.reset());
            } else {
                return ret(Sbi.ERR_INVALID_PARAM, 0);
            }
            return ret(0, 0);
        }
        if (eid == Sbi.EXT_HSM) {
            return switch ((int) fid) {
                case 0 -> harts.hartStart(hart, a0, a1, a2);
                case 1 -> harts.hartStop(hart);
                case 2 -> harts.hartStatus(hart, a0);
                case 3 -> harts.hartSuspend(hart, a0, a1, a2);
                default -> NOT_SUPPORTED;
            };
        }
        if (eid == Sbi.EXT_DBCN) {
            return switch ((int) fid) {
                case 0 -> consoleWrite(a0, a1, a2);
                case 1 -> consoleRead(a0, a1, a2);
                case 2 -> {
                    console.backend().write((int) a0 & 0xff);
                    yield ret(0, 0);
                }
                default -> NOT_SUPPORTED;
            };
        }
        // --- PMU (smplitmus, issue 12): Linux sets scounteren itself as under OpenSBI, see SbiPmu ---
        if (eid == Sbi.EXT_PMU) {
            return SbiPmu.call(fid, a0, a1);
        }
        return NOT_SUPPORTED;
    }

    static boolean probe(long eid) {
        return eid == Sbi.EXT_BASE || eid == Sbi.EXT_TIME || eid == Sbi.EXT_IPI || eid == Sbi.EXT_RFENCE
                || eid == Sbi.EXT_SRST || eid == Sbi.EXT_HSM || eid == Sbi.EXT_DBCN
                || eid == Sbi.EXT_PMU
                || (eid >= 0 && eid <= Sbi.LEGACY_SHUTDOWN);
    }

    private static void setTimer(Hart hart, long value) {
        // With Sstc the timer interrupt follows stimecmp directly (STIP clears once it is in the future).
        hart.setCsr(STIMECMP, value);
    }

    private long[] consoleWrite(long n, long lo, long hi) {
        int len = (int) Math.min(Math.max(n, 0), DBCN_MAX);
        byte[] buf = new byte[len];
        try {
            bus.copyOut(lo, buf, 0, len);
        } catch (BusError e) {
            return ret(Sbi.ERR_INVALID_PARAM, 0);
        }
        if (hi != 0) {
            return ret(Sbi.ERR_INVALID_PARAM, 0);
        }
        console.backend().write(buf, 0, len);
        return ret(0, len);
    }

    private long[] consoleRead(long n, long lo, long hi) {
        if (hi != 0) {
            return ret(Sbi.ERR_INVALID_PARAM, 0);
        }
        int len = (int) Math.min(Math.max(n, 0), DBCN_MAX);
        int got = 0;
        try {
            int c;
            while (got < len && (c = console.takeInput()) >= 0) {
                bus.write(lo + got, 1, c);
                got++;
            }
        } catch (BusError e) {
            return ret(Sbi.ERR_INVALID_PARAM, 0);
        }
        return ret(0, got);
    }

    private long legacy(Hart hart, long eid) {
        long a0 = hart.reg(A0), a1 = hart.reg(A1), a2 = hart.reg(A2);
        switch ((int) eid) {
            case (int) Sbi.LEGACY_SET_TIMER -> setTimer(hart, a0);
            case (int) Sbi.LEGACY_CONSOLE_PUTCHAR -> console.backend().write((int) a0 & 0xff);
            case (int) Sbi.LEGACY_CONSOLE_GETCHAR -> {
                return console.takeInput();
            }
            case (int) Sbi.LEGACY_CLEAR_IPI -> {
                return harts.clearIpi(hart);
            }
            case (int) Sbi.LEGACY_SEND_IPI -> {
                return harts.legacySendIpi(hart, a0);
            }
            case (int) Sbi.LEGACY_REMOTE_FENCE_I -> {
                return harts.legacyFence(hart, true, a0, 0, -1);
            }
            case (int) Sbi.LEGACY_REMOTE_SFENCE_VMA, (int) Sbi.LEGACY_REMOTE_SFENCE_VMA_ASID -> {
                return harts.legacyFence(hart, false, a0, a1, a2);
            }
            case (int) Sbi.LEGACY_SHUTDOWN -> exit.accept(ExitRequest.poweroff(0));
            default -> {
                return Sbi.ERR_NOT_SUPPORTED;
            }
        }
        return 0;
    }
}
