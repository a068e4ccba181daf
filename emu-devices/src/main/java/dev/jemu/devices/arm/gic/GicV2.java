package dev.jemu.devices.arm.gic;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

import java.util.function.IntSupplier;

/**
 * A GICv2 (Arm GIC architecture version 2.0) without the security extensions, as QEMU 7.2's {@code virt}
 * has it for a kernel: the distributor (GICD, byte-addressable like QEMU's) and one CPU interface (GICC)
 * per CPU. Without security extensions every access sees the Secure view: interrupts reset to group 0 and
 * group 0 is signalled as IRQ unless GICC_CTLR.FIQEn; a group 1 interrupt is acknowledged through GICC_IAR
 * only with GICC_CTLR.AckCtl (else 1022), or through GICC_AIAR. SGIs are always enabled and edge-triggered;
 * on one CPU the target registers read as zero and every SPI goes to CPU 0 (both as QEMU).
 *
 * <p>Where this differs from QEMU 7.2: GICC_AIAR/AEOIR/AHPPIR work as the architecture says (QEMU reads them
 * as 0); PPI edge/level configuration is banked per CPU (QEMU keeps one copy); an SPI is pending and active
 * once for all the CPUs it targets (1-of-N; QEMU keeps a copy per CPU); GICD_SPENDSGIR written with 0 sets
 * nothing pending. {@code GicQemuDiffTest} runs the same register accesses on QEMU and here.
 */
public final class GicV2 extends GicWiring {
    // Distributor register offsets.
    public static final int GICD_CTLR = 0x000, GICD_TYPER = 0x004, GICD_IIDR = 0x008, GICD_IGROUPR = 0x080,
            GICD_ISENABLER = 0x100, GICD_ICENABLER = 0x180, GICD_ISPENDR = 0x200, GICD_ICPENDR = 0x280,
            GICD_ISACTIVER = 0x300, GICD_ICACTIVER = 0x380, GICD_IPRIORITYR = 0x400, GICD_ITARGETSR = 0x800,
            GICD_ICFGR = 0xc00, GICD_SGIR = 0xf00, GICD_CPENDSGIR = 0xf10, GICD_SPENDSGIR = 0xf20,
            GICD_PIDR4 = 0xfd0, GICD_PIDR2 = 0xfe8;
    // CPU interface register offsets.
    public static final int GICC_CTLR = 0x00, GICC_PMR = 0x04, GICC_BPR = 0x08, GICC_IAR = 0x0c, GICC_EOIR = 0x10,
            GICC_RPR = 0x14, GICC_HPPIR = 0x18, GICC_ABPR = 0x1c, GICC_AIAR = 0x20, GICC_AEOIR = 0x24,
            GICC_AHPPIR = 0x28, GICC_APR0 = 0xd0, GICC_NSAPR0 = 0xe0, GICC_IIDR = 0xfc, GICC_DIR = 0x1000;
    /** QEMU's values: Arm's JEP106 code, GICv2. */
    public static final int GICD_IIDR_VALUE = 0x43b, GICC_IIDR_VALUE = 0x2043b;
    public static final int GICC_CTLR_ENABLE_GRP0 = 1, GICC_CTLR_ENABLE_GRP1 = 2, GICC_CTLR_ACK_CTL = 4,
            GICC_CTLR_FIQ_EN = 8, GICC_CTLR_CBPR = 0x10, GICC_CTLR_EOIMODE_S = 0x200;
    /** Without security extensions QEMU 7.2 lets EnableGrp0/1, AckCtl, FIQEn, CBPR and EOImodeS be written. */
    static final int GICC_CTLR_WRITABLE = 0x21f;
    public static final int SPURIOUS = 1023, SPURIOUS_GROUP1 = 1022;
    /** PIDR4..7, PIDR0..3, CIDR0..3 at 0xfd0 (QEMU's GICv2 values). */
    private static final int[] ID_REGS = {0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0, 0x0d, 0xf0, 0x05, 0xb1};

    /** Per target CPU and SGI, the CPUs that sent it (GICD_SPENDSGIR view): [cpu * 16 + sgi]. */
    private final byte[] sgiSources;
    private final int[] targets;
    private int dctlr;
    private final int[] cctlr, pmr, bpr, abpr;
    private final ActivePriorities[] apr;
    private IntSupplier currentCpu = () -> 0;

    /** @param spis number of shared peripheral interrupts, a multiple of 32 (virt: 256) */
    public GicV2(int cpus, int spis) {
        super(check(cpus, spis), spis);
        this.sgiSources = new byte[cpus * 16];
        this.targets = new int[spis];
        this.cctlr = new int[cpus];
        this.pmr = new int[cpus];
        this.bpr = new int[cpus];
        this.abpr = new int[cpus];
        this.apr = new ActivePriorities[cpus];
        for (int c = 0; c < cpus; c++) {
            apr[c] = new ActivePriorities(1);
        }
        reset();
    }

    private static int check(int cpus, int spis) {
        if (cpus < 1 || cpus > 8 || spis < 0 || spis > 988 || spis % 32 != 0) {
            throw new IllegalArgumentException("GICv2 with " + cpus + " CPUs and " + spis + " SPIs");
        }
        return cpus;
    }

    /** Power-on state: QEMU's reset values (BPR 0, ABPR 1, SGIs enabled and edge-triggered). */
    public void reset() {
        irqs.reset();
        for (int c = 0; c < cpus; c++) {
            irqs.change(irqs.enabled, c, 0, 0xffff, true);
            cctlr[c] = 0;
            pmr[c] = 0;
            bpr[c] = 0;
            abpr[c] = 1;
            apr[c].reset();
        }
        java.util.Arrays.fill(sgiSources, (byte) 0);
        java.util.Arrays.fill(targets, 0);
        dctlr = 0;
        update();
    }

    @Override
    public int version() {
        return 2;
    }

    /** The distributor as the CPU {@link #setCurrentCpu} names sees it (banked SGI/PPI registers). */
    public MmioDevice distributor() {
        return new Distributor(-1);
    }

    /** The distributor as CPU {@code cpu} sees it. */
    public MmioDevice distributor(int cpu) {
        checkCpu(cpu);
        return new Distributor(cpu);
    }

    /** Which CPU makes the distributor accesses through {@link #distributor()} (SMP boards); CPU 0 by default. */
    public void setCurrentCpu(IntSupplier cpu) {
        this.currentCpu = cpu;
    }

    public MmioDevice cpuInterface(int cpu) {
        checkCpu(cpu);
        return new CpuInterface(cpu);
    }

    // ---- prioritization ----

    private boolean targets(int cpu, int intid) {
        return intid < IrqStates.PRIVATE || cpus == 1 || (targets[intid - IrqStates.PRIVATE] & 1 << cpu) != 0;
    }

    /**
     * The highest priority pending interrupt for CPU {@code cpu} when it is under PMR, or 1023. As QEMU's, the
     * choice ignores which groups are enabled once the distributor and the CPU interface enable any: a group's
     * enables only gate the IRQ/FIQ signal ({@link #drive}), GICC_IAR still hands out such an interrupt.
     */
    private int best(int cpu) {
        if ((dctlr & 3) == 0 || (cctlr[cpu] & 3) == 0) {
            return SPURIOUS;
        }
        int bestId = SPURIOUS, bestPrio = 0x100;
        for (int id = 0; id < irqs.limit(); id++) {
            int i = irqs.index(cpu, id);
            if (irqs.enabled[i] != 0 && irqs.active[i] == 0 && irqs.isPending(i) && irqs.priority[i] < bestPrio
                    && targets(cpu, id)) {
                bestPrio = irqs.priority[i];
                bestId = id;
            }
        }
        return bestPrio < pmr[cpu] ? bestId : SPURIOUS;
    }

    /** The priority bits that take part in preemption: BPR for group 0, ABPR - 1 for group 1 unless CBPR. */
    private int groupPriority(int cpu, int i) {
        int b = irqs.group[i] != 0 && (cctlr[cpu] & GICC_CTLR_CBPR) == 0 ? abpr[cpu] - 1 : bpr[cpu];
        return irqs.priority[i] & (0xff << (b + 1)) & 0xff;
    }

    @Override
    int signal(int c) {
        int id = best(c);
        if (id == SPURIOUS) {
            return NONE;
        }
        int i = irqs.index(c, id);
        int g = irqs.group[i];
        if (irqs.priority[i] >= apr[c].running() || (dctlr >> g & 1) == 0 || (cctlr[c] >> g & 1) == 0) {
            return NONE;
        }
        return g == 0 && (cctlr[c] & GICC_CTLR_FIQ_EN) != 0 ? FIQ : IRQ;
    }

    // ---- CPU interface operations ----

    private int acknowledge(int cpu, boolean alias) {
        int id = best(cpu);
        if (id == SPURIOUS) {
            return SPURIOUS;
        }
        int i = irqs.index(cpu, id);
        int g = irqs.group[i];
        if (alias && g == 0) {
            return SPURIOUS;
        }
        if (!alias && g == 1 && (cctlr[cpu] & GICC_CTLR_ACK_CTL) == 0) {
            return SPURIOUS_GROUP1;
        }
        if (irqs.priority[i] >= apr[cpu].running()) {
            return SPURIOUS;
        }
        int ret = id;
        if (id < 16) {
            int sources = sgiSources[cpu * 16 + id] & 0xff;
            int src = sources == 0 ? 0 : Integer.numberOfTrailingZeros(sources);
            sources &= ~(1 << src);
            sgiSources[cpu * 16 + id] = (byte) sources;
            if (sources == 0) {
                irqs.pending[i] = 0;
            }
            ret |= src << 10;
        } else {
            irqs.pending[i] = 0;
        }
        irqs.active[i] = 1;
        apr[cpu].activate(g, groupPriority(cpu, i));
        update();
        return ret;
    }

    private int highestPending(int cpu, boolean alias) {
        int id = best(cpu);
        if (id == SPURIOUS) {
            return id;
        }
        int g = irqs.group[irqs.index(cpu, id)];
        if (alias) {
            return g == 1 ? id : SPURIOUS;
        }
        return g == 1 && (cctlr[cpu] & GICC_CTLR_ACK_CTL) == 0 ? SPURIOUS_GROUP1 : id;
    }

    private void endOfInterrupt(int cpu, int value, boolean alias) {
        int id = value & 0x3ff;
        if (id >= irqs.limit() || !apr[cpu].any()) {
            return; // 1023 (spurious) or nothing active: ignored, as QEMU
        }
        int i = irqs.index(cpu, id);
        if (alias && irqs.group[i] == 0) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "gic: GICC_AEOIR of group 0 interrupt %d ignored", id);
            return;
        }
        apr[cpu].drop(irqs.group[i]);
        if ((cctlr[cpu] & GICC_CTLR_EOIMODE_S) == 0) {
            irqs.active[i] = 0;
        }
        update();
    }

    private void deactivate(int cpu, int value) {
        int id = value & 0x3ff;
        if (id >= irqs.limit()) {
            return;
        }
        if ((cctlr[cpu] & GICC_CTLR_EOIMODE_S) == 0) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "gic: GICC_DIR write when EOImode is 0");
            return;
        }
        irqs.active[irqs.index(cpu, id)] = 0;
        update();
    }

    private void sendSgi(int cpu, int value) {
        int sgi = value & 0xf;
        int all = (1 << cpus) - 1;
        int mask = switch (value >>> 24 & 3) {
            case 0 -> value >>> 16 & 0xff;
            case 1 -> all & ~(1 << cpu);
            case 2 -> 1 << cpu;
            default -> {
                DebugLog.log(DebugLog.Category.GUEST_ERRORS, "gic: GICD_SGIR reserved target filter: 0x%x", value);
                yield all; // QEMU sends it to every CPU
            }
        };
        mask &= all;
        for (int t = 0; t < cpus; t++) {
            if ((mask & 1 << t) != 0) {
                sgiSources[t * 16 + sgi] |= (byte) (1 << cpu);
                irqs.pending[irqs.index(t, sgi)] = 1;
            }
        }
        update();
    }

    // ---- distributor, one byte at a time as QEMU's ----

    private static void badOffset(String what, long off) {
        DebugLog.log(DebugLog.Category.GUEST_ERRORS, "gic: bad %s offset 0x%x", what, off);
    }

    private int readDistByte(int cpu, int off) {
        if (off < 0x80) {
            return switch (off) {
                case GICD_CTLR -> dctlr;
                case GICD_TYPER -> (irqs.limit() / 32 - 1) | (cpus - 1) << 5;
                case GICD_IIDR -> GICD_IIDR_VALUE & 0xff;
                case GICD_IIDR + 1 -> GICD_IIDR_VALUE >> 8;
                default -> {
                    if (off >= 0xc) {
                        badOffset("distributor read", off);
                    }
                    yield 0;
                }
            };
        }
        if (off < 0x400) {
            int id = (off & 0x7f) * 8;
            if (id >= irqs.limit()) {
                badOffset("distributor read", off);
                return 0;
            }
            return switch (off >> 7) {
                case 1 -> irqs.bits(irqs.group, cpu, id);
                case 2, 3 -> irqs.bits(irqs.enabled, cpu, id);
                case 4, 5 -> irqs.pendingBits(cpu, id);
                default -> irqs.bits(irqs.active, cpu, id);
            } & 0xff;
        }
        if (off < 0x800) {
            int id = off - GICD_IPRIORITYR;
            if (id >= irqs.limit()) {
                badOffset("distributor read", off);
                return 0;
            }
            return irqs.priority[irqs.index(cpu, id)];
        }
        if (off < 0xc00) {
            int id = off - GICD_ITARGETSR;
            if (cpus == 1) {
                return 0; // uniprocessor: RAZ/WI
            }
            if (id >= irqs.limit()) {
                badOffset("distributor read", off);
                return 0;
            }
            return id < IrqStates.PRIVATE ? 1 << cpu : targets[id - IrqStates.PRIVATE];
        }
        if (off < 0xf00) {
            int id = (off - GICD_ICFGR) * 4;
            if (id >= irqs.limit()) {
                badOffset("distributor read", off);
                return 0;
            }
            return irqs.config(cpu, id) & 0xff;
        }
        if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 16) {
            return sgiSources[cpu * 16 + (off & 0xf)] & 0xff;
        }
        if (off >= GICD_PIDR4 && off < 0x1000) {
            return (off & 3) == 0 ? ID_REGS[(off - GICD_PIDR4) >> 2] : 0;
        }
        badOffset("distributor read", off);
        return 0;
    }

    private void writeDistByte(int cpu, int off, int v) {
        if (off < 0x80) {
            if (off == GICD_CTLR) {
                dctlr = v & 3; // EnableGrp0, EnableGrp1
            } else if (off >= 4) {
                badOffset("distributor write", off);
            }
            return;
        }
        if (off < 0x400) {
            int id = (off & 0x7f) * 8;
            if (id >= irqs.limit()) {
                badOffset("distributor write", off);
                return;
            }
            boolean sgis = id < 16;
            switch (off >> 7) {
                case 1 -> {
                    irqs.change(irqs.group, cpu, id, v, true);
                    irqs.change(irqs.group, cpu, id, ~v & 0xff, false);
                }
                case 2 -> irqs.change(irqs.enabled, cpu, id, v, true);
                case 3 -> irqs.change(irqs.enabled, cpu, id, sgis ? 0 : v, false); // SGIs cannot be disabled
                case 4 -> irqs.change(irqs.pending, cpu, id, sgis ? 0 : v, true); // SGIs: GICD_SPENDSGIR
                case 5 -> irqs.change(irqs.pending, cpu, id, sgis ? 0 : v, false);
                case 6 -> irqs.change(irqs.active, cpu, id, v, true);
                default -> irqs.change(irqs.active, cpu, id, v, false);
            }
            return;
        }
        if (off < 0x800) {
            int id = off - GICD_IPRIORITYR;
            if (id >= irqs.limit()) {
                badOffset("distributor write", off);
                return;
            }
            irqs.priority[irqs.index(cpu, id)] = v & 0xff; // all 8 priority bits, as QEMU's GICv2
            return;
        }
        if (off < 0xc00) {
            int id = off - GICD_ITARGETSR;
            if (cpus == 1 || id < IrqStates.PRIVATE) {
                return; // read-only
            }
            if (id >= irqs.limit()) {
                badOffset("distributor write", off);
                return;
            }
            targets[id - IrqStates.PRIVATE] = v & 0xff;
            return;
        }
        if (off < 0xf00) {
            int id = (off - GICD_ICFGR) * 4;
            if (id >= irqs.limit()) {
                badOffset("distributor write", off);
                return;
            }
            int old = irqs.config(cpu, id & ~15);
            int shift = (id & 15) * 2;
            irqs.setConfig(cpu, id & ~15, old & ~(0xff << shift) | (v & 0xff) << shift);
            return;
        }
        if (off >= GICD_CPENDSGIR && off < GICD_CPENDSGIR + 16) {
            int k = cpu * 16 + (off & 0xf);
            sgiSources[k] &= (byte) ~v;
            if (sgiSources[k] == 0) {
                irqs.pending[irqs.index(cpu, off & 0xf)] = 0;
            }
            return;
        }
        if (off >= GICD_SPENDSGIR && off < GICD_SPENDSGIR + 16) {
            int k = cpu * 16 + (off & 0xf);
            sgiSources[k] |= (byte) v; // all 8 source bits, even of CPUs that do not exist, as QEMU
            if (sgiSources[k] != 0) {
                irqs.pending[irqs.index(cpu, off & 0xf)] = 1;
            }
            return;
        }
        badOffset("distributor write", off);
    }

    private final class Distributor implements MmioDevice {
        private final int fixedCpu;

        Distributor(int cpu) {
            this.fixedCpu = cpu;
        }

        private int cpu() {
            int c = fixedCpu >= 0 ? fixedCpu : currentCpu.getAsInt();
            return c >= 0 && c < cpus ? c : 0;
        }

        @Override
        public long read(long offset, int size) {
            if (size != 1 && size != 2 && size != 4 || offset < 0 || offset + size > 0x10000) {
                DebugLog.log(DebugLog.Category.GUEST_ERRORS, "gic: %d-byte distributor read at 0x%x", size, offset);
                return 0;
            }
            int cpu = cpu();
            long v = 0;
            for (int b = 0; b < size; b++) {
                v |= (long) readDistByte(cpu, (int) offset + b) << 8 * b;
            }
            return v;
        }

        @Override
        public void write(long offset, int size, long value) {
            if (size != 1 && size != 2 && size != 4 || offset < 0 || offset + size > 0x10000) {
                DebugLog.log(DebugLog.Category.GUEST_ERRORS, "gic: %d-byte distributor write at 0x%x", size, offset);
                return;
            }
            int cpu = cpu();
            if (offset == GICD_SGIR) {
                if (size == 4) {
                    sendSgi(cpu, (int) value);
                } else {
                    badOffset("distributor write (GICD_SGIR is 32-bit)", offset);
                }
                return;
            }
            for (int b = 0; b < size; b++) {
                writeDistByte(cpu, (int) offset + b, (int) (value >>> 8 * b) & 0xff);
            }
            update();
        }
    }

    private final class CpuInterface implements MmioDevice {
        private final int cpu;

        CpuInterface(int cpu) {
            this.cpu = cpu;
        }

        @Override
        public long read(long offset, int size) {
            if (size != 4 || (offset & 3) != 0) {
                DebugLog.log(DebugLog.Category.GUEST_ERRORS, "gic: %d-byte CPU interface read at 0x%x", size, offset);
                return 0;
            }
            int off = (int) offset;
            if (off >= GICC_APR0 && off < GICC_APR0 + 16) {
                return apr[cpu].apr[0][(off - GICC_APR0) >> 2] & 0xffff_ffffL;
            }
            if (off >= GICC_NSAPR0 && off < GICC_NSAPR0 + 16) {
                return apr[cpu].apr[1][(off - GICC_NSAPR0) >> 2] & 0xffff_ffffL;
            }
            return switch (off) {
                case GICC_CTLR -> cctlr[cpu];
                case GICC_PMR -> pmr[cpu];
                case GICC_BPR -> bpr[cpu];
                case GICC_IAR -> acknowledge(cpu, false);
                case GICC_RPR -> Math.min(apr[cpu].running(), 0xff);
                case GICC_HPPIR -> highestPending(cpu, false);
                case GICC_ABPR -> abpr[cpu];
                case GICC_AIAR -> acknowledge(cpu, true);
                case GICC_AHPPIR -> highestPending(cpu, true);
                case GICC_IIDR -> GICC_IIDR_VALUE;
                default -> {
                    if (off != GICC_EOIR && off != GICC_AEOIR && off != GICC_DIR) {
                        badOffset("CPU interface read", off);
                    }
                    yield 0;
                }
            };
        }

        @Override
        public void write(long offset, int size, long value) {
            if (size != 4 || (offset & 3) != 0) {
                DebugLog.log(DebugLog.Category.GUEST_ERRORS, "gic: %d-byte CPU interface write at 0x%x", size, offset);
                return;
            }
            int off = (int) offset;
            int v = (int) value;
            if (off >= GICC_APR0 && off < GICC_APR0 + 16) {
                apr[cpu].apr[0][(off - GICC_APR0) >> 2] = v;
            } else if (off >= GICC_NSAPR0 && off < GICC_NSAPR0 + 16) {
                apr[cpu].apr[1][(off - GICC_NSAPR0) >> 2] = v;
            } else {
                switch (off) {
                    case GICC_CTLR -> cctlr[cpu] = v & GICC_CTLR_WRITABLE;
                    case GICC_PMR -> pmr[cpu] = v & 0xff;
                    case GICC_BPR -> bpr[cpu] = v & 7;
                    case GICC_EOIR -> endOfInterrupt(cpu, v, false);
                    case GICC_ABPR -> abpr[cpu] = Math.max(v & 7, 1);
                    case GICC_AEOIR -> endOfInterrupt(cpu, v, true);
                    case GICC_DIR -> deactivate(cpu, v);
                    default -> badOffset("CPU interface write", off);
                }
            }
            update();
        }
    }

    // ---- state ----

    @Override
    public void saveState(StateWriter out) {
        irqs.save(out);
        out.putBytes("sgiSources", sgiSources).putInts("targets", targets)
                .putInt("dctlr", dctlr).putInts("cctlr", cctlr).putInts("pmr", pmr).putInts("bpr", bpr)
                .putInts("abpr", abpr);
        for (int c = 0; c < cpus; c++) {
            out.putInts("apr" + c, apr[c].flat());
        }
    }

    @Override
    public void loadState(StateReader in) {
        irqs.load(in);
        IrqStates.copy(in.getBytes("sgiSources"), sgiSources);
        copy(in.getInts("targets"), targets);
        dctlr = in.getInt("dctlr") & 3;
        copy(in.getInts("cctlr"), cctlr);
        copy(in.getInts("pmr"), pmr);
        copy(in.getInts("bpr"), bpr);
        copy(in.getInts("abpr"), abpr);
        for (int c = 0; c < cpus; c++) {
            apr[c].load(in.getInts("apr" + c));
        }
        drive(true);
    }

    static void copy(int[] src, int[] dst) {
        java.util.Arrays.fill(dst, 0);
        System.arraycopy(src, 0, dst, 0, Math.min(src.length, dst.length));
    }
}
