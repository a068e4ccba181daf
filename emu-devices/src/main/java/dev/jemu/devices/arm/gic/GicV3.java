package dev.jemu.devices.arm.gic;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * A GICv3 as QEMU 7.2's {@code virt} has it for a kernel: one security state (GICD_CTLR.DS = 1), affinity
 * routing always on (ARE RAO/WI), no LPIs/ITS, no message-based SPIs, 5 priority bits in the CPU interface.
 * The distributor (GICD) holds the SPIs, each CPU's redistributor (GICR: an RD_base frame and an SGI_base
 * frame, 0x20000 apart) its SGIs and PPIs, and the CPU interface is the ICC_* system registers
 * ({@link GicV3CpuInterface}). Group 0 is signalled as FIQ, group 1 (non-secure) as IRQ.
 *
 * <p>Where this differs from QEMU 7.2: no LPIs (QEMU's virt has an ITS, so its GICD_TYPER.LPIS, GICR_TYPER.PLPIS
 * and GICR_CTLR.EnableLPIs are set); 1-of-N routing is not done (GICD_IROUTER.IRM is kept but ignored, and
 * QEMU too routes by the affinity fields only). GICD_TYPER.ITLinesNumber counts SPIs only, as 7.2 computes it,
 * so a kernel sees interrupt IDs up to 32 * (spis / 32) - 1.
 */
public final class GicV3 extends GicWiring {
    public static final int GICD_CTLR = 0x0000, GICD_TYPER = 0x0004, GICD_IIDR = 0x0008, GICD_TYPER2 = 0x000c,
            GICD_STATUSR = 0x0010, GICD_IGROUPR = 0x0080, GICD_ISENABLER = 0x0100, GICD_ICENABLER = 0x0180,
            GICD_ISPENDR = 0x0200, GICD_ICPENDR = 0x0280, GICD_ISACTIVER = 0x0300, GICD_ICACTIVER = 0x0380,
            GICD_IPRIORITYR = 0x0400, GICD_ITARGETSR = 0x0800, GICD_ICFGR = 0x0c00, GICD_IGRPMODR = 0x0d00,
            GICD_NSACR = 0x0e00, GICD_SGIR = 0x0f00, GICD_IROUTER = 0x6000, GICD_PIDR4 = 0xffd0,
            GICD_PIDR2 = 0xffe8;
    public static final int GICD_CTLR_ENABLE_GRP0 = 1, GICD_CTLR_ENABLE_GRP1 = 2, GICD_CTLR_ARE = 0x10,
            GICD_CTLR_DS = 0x40;
    public static final int GICR_CTLR = 0x0000, GICR_IIDR = 0x0004, GICR_TYPER = 0x0008, GICR_STATUSR = 0x0010,
            GICR_WAKER = 0x0014, GICR_PIDR4 = 0xffd0, GICR_PIDR2 = 0xffe8, GICR_SGI_BASE = 0x10000,
            GICR_STRIDE = 0x20000;
    public static final int GICR_WAKER_PROCESSOR_SLEEP = 2, GICR_WAKER_CHILDREN_ASLEEP = 4;
    /** QEMU's values: Arm's JEP106 code; GICR_CTLR.CES (clearing EnableLPIs supported). */
    public static final int IIDR_VALUE = 0x43b, GICR_CTLR_VALUE = 2;
    /** PIDR4..7, PIDR0..3, CIDR0..3 at 0xffd0 (QEMU's GICv3 values; the GICR's PIDR0 is 0x93). */
    private static final int[] GICD_ID_REGS = {0x44, 0, 0, 0, 0x92, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1};

    private final long[] irouter;
    private int dctlr;
    private final int[] waker;
    private final GicV3CpuInterface[] cpuifs;

    /** @param spis number of shared peripheral interrupts, a multiple of 32 (virt: 256) */
    public GicV3(int cpus, int spis) {
        super(check(cpus, spis), spis);
        this.irouter = new long[spis];
        this.waker = new int[cpus];
        this.cpuifs = new GicV3CpuInterface[cpus];
        for (int c = 0; c < cpus; c++) {
            cpuifs[c] = new GicV3CpuInterface(this, c);
        }
        reset();
    }

    private static int check(int cpus, int spis) {
        if (cpus < 1 || cpus > 256 || spis < 32 || spis > 988 || spis % 32 != 0) {
            throw new IllegalArgumentException("GICv3 with " + cpus + " CPUs and " + spis + " SPIs");
        }
        return cpus;
    }

    /**
     * CPU {@code cpu}'s affinity as QEMU's virt numbers CPUs for a GICv3 (16 per cluster), in MPIDR_EL1's
     * layout (Aff0 bits 7:0, Aff1 15:8, Aff2 23:16, Aff3 39:32): the board's MPIDR must agree.
     */
    public static long affinity(int cpu) {
        return (long) (cpu / 16) << 8 | cpu % 16;
    }

    /** Power-on state: redistributors asleep (GICR_WAKER.ProcessorSleep), everything disabled. */
    public void reset() {
        irqs.reset();
        java.util.Arrays.fill(irouter, 0);
        java.util.Arrays.fill(waker, GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP);
        dctlr = 0;
        for (GicV3CpuInterface c : cpuifs) {
            c.reset();
        }
        update();
    }

    @Override
    public int version() {
        return 3;
    }

    public MmioDevice distributor() {
        return distributor;
    }

    /** All CPUs' redistributors, {@link #GICR_STRIDE} bytes each. */
    public MmioDevice redistributors() {
        return redistributors;
    }

    public GicV3CpuInterface cpuInterface(int cpu) {
        checkCpu(cpu);
        return cpuifs[cpu];
    }

    // ---- prioritization ----

    private boolean routedTo(int cpu, int intid) {
        if (intid < IrqStates.PRIVATE) {
            return true;
        }
        long r = irouter[intid - IrqStates.PRIVATE];
        long aff = affinity(cpu);
        return (r & 0xff_ffffL) == aff && (r >>> 32 & 0xff) == (aff >>> 32 & 0xff);
    }

    /**
     * The highest priority pending interrupt for {@code cpu} among the enabled ones of groups the distributor
     * forwards (a priority of 0xff is never pending), or -1.
     */
    int highestPending(int cpu) {
        int bestId = -1, bestPrio = 0xff;
        for (int id = 0; id < irqs.limit(); id++) {
            int i = irqs.index(cpu, id);
            if (irqs.enabled[i] != 0 && irqs.active[i] == 0 && irqs.priority[i] < bestPrio && irqs.isPending(i)
                    && (dctlr >> irqs.group[i] & 1) != 0 && routedTo(cpu, id)) {
                bestPrio = irqs.priority[i];
                bestId = id;
            }
        }
        return bestId;
    }

    @Override
    int signal(int cpu) {
        return cpuifs[cpu].signal();
    }

    /** An SGI generated by a CPU interface: pends on {@code target} if the SGI there is in {@code group}. */
    void sendSgi(int target, int sgi, int group) {
        int i = irqs.index(target, sgi);
        if (irqs.group[i] == group) {
            irqs.pending[i] = 1;
        }
    }

    // ---- MMIO helpers ----

    private static void bad(String what, long off, int size) {
        DebugLog.log(DebugLog.Category.GUEST_ERRORS, "gic: bad %d-byte %s access at 0x%x", size, what, off);
    }

    /** Reads of the set/clear, group, priority and configuration registers for interrupts from {@code first}. */
    private int readIrqRegs(int cpu, int off, int first) {
        if (off < 0x400) {
            return switch (off >> 7) {
                case 1 -> irqs.bits(irqs.group, cpu, first);
                case 2, 3 -> irqs.bits(irqs.enabled, cpu, first);
                case 4, 5 -> irqs.pendingBits(cpu, first);
                default -> irqs.bits(irqs.active, cpu, first);
            };
        }
        if (off < 0x800) {
            int v = 0;
            for (int b = 0; b < 4; b++) {
                v |= irqs.priority[irqs.index(cpu, first + b)] << 8 * b;
            }
            return v;
        }
        return irqs.config(cpu, first);
    }

    private void writeIrqRegs(int cpu, int off, int first, int v, int byteMask) {
        if (off < 0x400) {
            switch (off >> 7) {
                case 1 -> {
                    irqs.change(irqs.group, cpu, first, v, true);
                    irqs.change(irqs.group, cpu, first, ~v, false);
                }
                case 2 -> irqs.change(irqs.enabled, cpu, first, v, true);
                case 3 -> irqs.change(irqs.enabled, cpu, first, v, false);
                case 4 -> irqs.change(irqs.pending, cpu, first, v, true);
                case 5 -> irqs.change(irqs.pending, cpu, first, v, false);
                case 6 -> irqs.change(irqs.active, cpu, first, v, true);
                default -> irqs.change(irqs.active, cpu, first, v, false);
            }
        } else if (off < 0x800) {
            for (int b = 0; b < 4; b++) {
                if ((byteMask & 1 << b) != 0) {
                    irqs.priority[irqs.index(cpu, first + b)] = v >>> 8 * b & 0xff;
                }
            }
        } else {
            irqs.setConfig(cpu, first, v);
        }
    }

    /** The first interrupt an IGROUPR..ICFGR register at {@code off} covers, or -1 if off is not one. */
    private static int firstIntid(int off) {
        if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
            return (off & 0x7f) * 8;
        }
        if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR) {
            return off - GICD_IPRIORITYR;
        }
        if (off >= GICD_ICFGR && off < GICD_IGRPMODR) {
            return (off - GICD_ICFGR) * 4;
        }
        return -1;
    }

    private static boolean byteRegister(int off) {
        return off >= GICD_IPRIORITYR && off < GICD_ICFGR;
    }

    /** Priority and target bytes take any aligned size up to 32 bits, every other register 32 bits. */
    private static boolean sizeOk(int off, int size) {
        boolean sized = byteRegister(off) ? size == 1 || size == 2 || size == 4 : size == 4;
        return sized && (off & (size - 1)) == 0;
    }

    // ---- distributor ----

    private int distTyper() {
        // No1N, A3V, IDbits = 15 (16-bit INTIDs), no LPIs or MBIS, SecurityExtn 0 (DS);
        // ITLinesNumber counts the SPIs only, as QEMU 7.2 computes it.
        return 1 << 25 | 1 << 24 | 0xf << 19 | (irqs.spis / 32 - 1);
    }

    private long distRead(int off, int size) {
        if (off >= GICD_IROUTER + 8 * IrqStates.PRIVATE && off < GICD_IROUTER + 8 * 1020) {
            int id = (off - GICD_IROUTER) / 8;
            if (id >= irqs.limit() || (size != 8 && size != 4) || (off & (size - 1)) != 0) {
                bad("GICD_IROUTER", off, size);
                return 0;
            }
            long r = irouter[id - IrqStates.PRIVATE];
            return size == 8 ? r : (off & 4) == 0 ? r & 0xffff_ffffL : r >>> 32;
        }
        if (!sizeOk(off, size)) {
            bad("distributor read", off, size);
            return 0;
        }
        int first = firstIntid(off);
        if (first >= 0) {
            if (first < IrqStates.PRIVATE) {
                return 0; // with affinity routing the private interrupts live in the redistributors
            }
            if (first >= irqs.limit()) {
                bad("distributor read", off, size);
                return 0;
            }
            int word = readIrqRegs(0, off & ~3, first & ~(byteRegister(off) ? 3 : 0));
            return (word >>> 8 * (off & 3)) & (size == 4 ? 0xffff_ffffL : (1L << 8 * size) - 1);
        }
        if (off >= GICD_PIDR4 && off < 0x10000) {
            return (off & 3) == 0 ? GICD_ID_REGS[(off - GICD_PIDR4) >> 2] : 0;
        }
        return switch (off) {
            case GICD_CTLR -> dctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
            case GICD_TYPER -> distTyper();
            case GICD_IIDR -> IIDR_VALUE;
            default -> {
                if (!(off >= GICD_ITARGETSR && off < GICD_ICFGR) && off != GICD_TYPER2 && off != GICD_STATUSR
                        && !(off >= GICD_IGRPMODR && off < GICD_SGIR)) {
                    bad("distributor read", off, size);
                }
                yield 0L; // ITARGETSR (affinity routing), IGRPMODR and NSACR (DS = 1): RAZ/WI
            }
        };
    }

    private void distWrite(int off, int size, long value) {
        if (off >= GICD_IROUTER + 8 * IrqStates.PRIVATE && off < GICD_IROUTER + 8 * 1020) {
            int id = (off - GICD_IROUTER) / 8;
            if (id >= irqs.limit() || (size != 8 && size != 4) || (off & (size - 1)) != 0) {
                bad("GICD_IROUTER", off, size);
                return;
            }
            int k = id - IrqStates.PRIVATE;
            long r = size == 8 ? value
                    : (off & 4) == 0 ? irouter[k] & ~0xffff_ffffL | value & 0xffff_ffffL
                    : irouter[k] & 0xffff_ffffL | value << 32;
            irouter[k] = r; // kept whole as QEMU does; routing looks at the affinity fields only (no 1-of-N)
            return;
        }
        if (!sizeOk(off, size)) {
            bad("distributor write", off, size);
            return;
        }
        int v = (int) value;
        int first = firstIntid(off);
        if (first >= 0) {
            if (first < IrqStates.PRIVATE) {
                return;
            }
            if (first >= irqs.limit()) {
                bad("distributor write", off, size);
                return;
            }
            if (byteRegister(off)) {
                int shift = 8 * (off & 3);
                writeIrqRegs(0, off & ~3, first & ~3, v << shift, ((1 << size) - 1) << (off & 3));
            } else {
                writeIrqRegs(0, off, first, v, 0xf);
            }
            return;
        }
        if (off == GICD_CTLR) {
            dctlr = v & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
        } else if (!(off >= GICD_ITARGETSR && off < GICD_ICFGR) && !(off >= GICD_IGRPMODR && off <= GICD_SGIR)
                && off != GICD_STATUSR) {
            bad("distributor write", off, size);
        }
    }

    private final MmioDevice distributor = new MmioDevice() {
        @Override
        public long read(long offset, int size) {
            return offset >= 0 && offset < 0x10000 ? distRead((int) offset, size) : 0;
        }

        @Override
        public void write(long offset, int size, long value) {
            if (offset >= 0 && offset < 0x10000) {
                distWrite((int) offset, size, value);
                update();
            }
        }
    };

    // ---- redistributors ----

    private long redistTyper(int cpu) {
        long aff = affinity(cpu);
        long packed = (aff >>> 32 & 0xff) << 24 | aff & 0xff_ffffL;
        // Processor_Number, Last, CommonLPIAff = 1 (QEMU's bit 24)
        return packed << 32 | 1 << 24 | (long) cpu << 8 | (cpu == cpus - 1 ? 1 << 4 : 0);
    }

    private long redistRead(int cpu, int off, int size) {
        if (off < GICR_SGI_BASE) {
            if (off == GICR_TYPER && size == 8) {
                return redistTyper(cpu);
            }
            if (size != 4 || (off & 3) != 0) {
                bad("redistributor read", off, size);
                return 0;
            }
            if (off >= GICR_PIDR4 && off < GICR_SGI_BASE) {
                int v = GICD_ID_REGS[(off - GICR_PIDR4) >> 2];
                return off == GICR_PIDR4 + 0x10 ? 0x93 : v; // PIDR0: a redistributor
            }
            return switch (off) {
                case GICR_CTLR -> GICR_CTLR_VALUE;
                case GICR_IIDR -> IIDR_VALUE;
                case GICR_TYPER -> redistTyper(cpu) & 0xffff_ffffL;
                case GICR_TYPER + 4 -> redistTyper(cpu) >>> 32;
                case GICR_WAKER -> waker[cpu];
                default -> 0L;
            };
        }
        int sgiOff = off - GICR_SGI_BASE;
        if (!sizeOk(sgiOff, size)) {
            bad("redistributor read", off, size);
            return 0;
        }
        int first = firstIntid(sgiOff);
        if (first < 0 || first >= IrqStates.PRIVATE) {
            return 0; // IGRPMODR0, NSACR (DS = 1) and the rest: RAZ/WI
        }
        int word = readIrqRegs(cpu, sgiOff & ~3, first & ~(byteRegister(sgiOff) ? 3 : 0));
        return (word >>> 8 * (sgiOff & 3)) & (size == 4 ? 0xffff_ffffL : (1L << 8 * size) - 1);
    }

    private void redistWrite(int cpu, int off, int size, long value) {
        int v = (int) value;
        if (off < GICR_SGI_BASE) {
            if (size != 4 || (off & 3) != 0) {
                bad("redistributor write", off, size);
            } else if (off == GICR_WAKER) {
                // The quiescing handshake completes at once: ChildrenAsleep follows ProcessorSleep.
                waker[cpu] = (v & GICR_WAKER_PROCESSOR_SLEEP) != 0
                        ? GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP : 0;
            }
            return;
        }
        int sgiOff = off - GICR_SGI_BASE;
        if (!sizeOk(sgiOff, size)) {
            bad("redistributor write", off, size);
            return;
        }
        int first = firstIntid(sgiOff);
        if (first < 0 || first >= IrqStates.PRIVATE) {
            return;
        }
        if (byteRegister(sgiOff)) {
            int shift = 8 * (sgiOff & 3);
            writeIrqRegs(cpu, sgiOff & ~3, first & ~3, v << shift, ((1 << size) - 1) << (sgiOff & 3));
        } else if (sgiOff == GICD_ICFGR) {
            // ICFGR0: SGIs are edge-triggered, read-only
        } else {
            writeIrqRegs(cpu, sgiOff, first, v, 0xf);
        }
    }

    private final MmioDevice redistributors = new MmioDevice() {
        @Override
        public long read(long offset, int size) {
            int cpu = (int) (offset / GICR_STRIDE);
            return offset >= 0 && cpu < cpus ? redistRead(cpu, (int) (offset % GICR_STRIDE), size) : 0;
        }

        @Override
        public void write(long offset, int size, long value) {
            int cpu = (int) (offset / GICR_STRIDE);
            if (offset >= 0 && cpu < cpus) {
                redistWrite(cpu, (int) (offset % GICR_STRIDE), size, value);
                update();
            }
        }
    };

    // ---- state ----

    @Override
    public void saveState(StateWriter out) {
        irqs.save(out);
        out.putLongs("irouter", irouter).putInt("dctlr", dctlr).putInts("waker", waker);
        for (int c = 0; c < cpus; c++) {
            cpuifs[c].save(out, "cpu" + c + ".");
        }
    }

    @Override
    public void loadState(StateReader in) {
        irqs.load(in);
        long[] r = in.getLongs("irouter");
        java.util.Arrays.fill(irouter, 0);
        System.arraycopy(r, 0, irouter, 0, Math.min(r.length, irouter.length));
        dctlr = in.getInt("dctlr") & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
        GicV2.copy(in.getInts("waker"), waker);
        for (int c = 0; c < cpus; c++) {
            cpuifs[c].load(in, "cpu" + c + ".");
        }
        drive(true);
    }
}
