package dev.jemu.devices.arm.gic;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * One CPU's GICv3 CPU interface: the ICC_*_EL1 system registers as a non-secure EL1 sees them with
 * GICD_CTLR.DS = 1 and no EL2/EL3, as QEMU 7.2 has them for {@code -cpu cortex-a57}: 5 priority bits
 * (ICC_CTLR_EL1.PRIbits = 4, PMR and preemption in steps of 8, one active priority register per group),
 * system register access only (ICC_SRE_EL1 = SRE|DFB|DIB, read-only). The CPU forwards MRS/MSR of the
 * {@link #handles handled} keys; the rest are the CPU's (an AP0R1..3 access is UNDEFINED, as on QEMU).
 */
public final class GicV3CpuInterface {
    /** A system register key: op0:op1:CRn:CRm:op2 as bits 20:5 of the MRS/MSR word. */
    static int key(int op0, int op1, int crn, int crm, int op2) {
        return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
    }

    public static final int ICC_PMR_EL1 = key(3, 0, 4, 6, 0);      // S3_0_C4_C6_0
    public static final int ICC_IAR0_EL1 = key(3, 0, 12, 8, 0);    // S3_0_C12_C8_0
    public static final int ICC_EOIR0_EL1 = key(3, 0, 12, 8, 1);   // S3_0_C12_C8_1
    public static final int ICC_HPPIR0_EL1 = key(3, 0, 12, 8, 2);  // S3_0_C12_C8_2
    public static final int ICC_BPR0_EL1 = key(3, 0, 12, 8, 3);    // S3_0_C12_C8_3
    public static final int ICC_AP0R0_EL1 = key(3, 0, 12, 8, 4);   // S3_0_C12_C8_4
    public static final int ICC_AP1R0_EL1 = key(3, 0, 12, 9, 0);   // S3_0_C12_C9_0
    public static final int ICC_DIR_EL1 = key(3, 0, 12, 11, 1);    // S3_0_C12_C11_1
    public static final int ICC_RPR_EL1 = key(3, 0, 12, 11, 3);    // S3_0_C12_C11_3
    public static final int ICC_SGI1R_EL1 = key(3, 0, 12, 11, 5);  // S3_0_C12_C11_5
    public static final int ICC_ASGI1R_EL1 = key(3, 0, 12, 11, 6); // S3_0_C12_C11_6
    public static final int ICC_SGI0R_EL1 = key(3, 0, 12, 11, 7);  // S3_0_C12_C11_7
    public static final int ICC_IAR1_EL1 = key(3, 0, 12, 12, 0);   // S3_0_C12_C12_0
    public static final int ICC_EOIR1_EL1 = key(3, 0, 12, 12, 1);  // S3_0_C12_C12_1
    public static final int ICC_HPPIR1_EL1 = key(3, 0, 12, 12, 2); // S3_0_C12_C12_2
    public static final int ICC_BPR1_EL1 = key(3, 0, 12, 12, 3);   // S3_0_C12_C12_3
    public static final int ICC_CTLR_EL1 = key(3, 0, 12, 12, 4);   // S3_0_C12_C12_4
    public static final int ICC_SRE_EL1 = key(3, 0, 12, 12, 5);    // S3_0_C12_C12_5
    public static final int ICC_IGRPEN0_EL1 = key(3, 0, 12, 12, 6); // S3_0_C12_C12_6
    public static final int ICC_IGRPEN1_EL1 = key(3, 0, 12, 12, 7); // S3_0_C12_C12_7

    public static final int SPURIOUS = 1023;
    public static final int PRIORITY_BITS = 5;
    /** The implemented priority bits (PMR, group priorities). */
    public static final int PRIORITY_MASK = 0xff << (8 - PRIORITY_BITS) & 0xff;
    public static final int ICC_CTLR_CBPR = 1, ICC_CTLR_EOIMODE = 2;
    /** Read-only ICC_CTLR_EL1 fields: A3V, IDbits = 1 (24 bits), PRIbits, as QEMU 7.2. */
    static final int ICC_CTLR_FIXED = 1 << 15 | 1 << 11 | (PRIORITY_BITS - 1) << 8;
    /** ICC_SRE_EL1: SRE, DFB, DIB all RAO/WI. */
    public static final int ICC_SRE_VALUE = 7;
    static final int MIN_BPR0 = 7 - PRIORITY_BITS, MIN_BPR1 = MIN_BPR0 + 1;

    private final GicV3 gic;
    private final int cpu;
    private int ctlr, pmr, bpr0, bpr1, igrpen0, igrpen1;
    private final ActivePriorities apr = new ActivePriorities(8 - PRIORITY_BITS);

    GicV3CpuInterface(GicV3 gic, int cpu) {
        this.gic = gic;
        this.cpu = cpu;
    }

    void reset() {
        ctlr = 0;
        pmr = 0;
        bpr0 = MIN_BPR0;
        bpr1 = MIN_BPR1;
        igrpen0 = 0;
        igrpen1 = 0;
        apr.reset();
    }

    public boolean handles(int key) {
        return key == ICC_PMR_EL1 || key == ICC_IAR0_EL1 || key == ICC_EOIR0_EL1 || key == ICC_HPPIR0_EL1
                || key == ICC_BPR0_EL1 || key == ICC_AP0R0_EL1 || key == ICC_AP1R0_EL1 || key == ICC_DIR_EL1
                || key == ICC_RPR_EL1 || key == ICC_SGI1R_EL1 || key == ICC_ASGI1R_EL1 || key == ICC_SGI0R_EL1
                || key == ICC_IAR1_EL1 || key == ICC_EOIR1_EL1 || key == ICC_HPPIR1_EL1 || key == ICC_BPR1_EL1
                || key == ICC_CTLR_EL1 || key == ICC_SRE_EL1 || key == ICC_IGRPEN0_EL1 || key == ICC_IGRPEN1_EL1;
    }

    public long read(int key) {
        if (key == ICC_PMR_EL1) {
            return pmr;
        } else if (key == ICC_IAR0_EL1) {
            return acknowledge(0);
        } else if (key == ICC_IAR1_EL1) {
            return acknowledge(1);
        } else if (key == ICC_HPPIR0_EL1) {
            return highestPending(0);
        } else if (key == ICC_HPPIR1_EL1) {
            return highestPending(1);
        } else if (key == ICC_BPR0_EL1) {
            return bpr0;
        } else if (key == ICC_BPR1_EL1) {
            return (ctlr & ICC_CTLR_CBPR) != 0 ? Math.min(bpr0 + 1, 7) : bpr1;
        } else if (key == ICC_AP0R0_EL1) {
            return apr.apr[0][0] & 0xffff_ffffL;
        } else if (key == ICC_AP1R0_EL1) {
            return apr.apr[1][0] & 0xffff_ffffL;
        } else if (key == ICC_RPR_EL1) {
            return Math.min(apr.running(), 0xff);
        } else if (key == ICC_CTLR_EL1) {
            return ctlr | ICC_CTLR_FIXED;
        } else if (key == ICC_SRE_EL1) {
            return ICC_SRE_VALUE;
        } else if (key == ICC_IGRPEN0_EL1) {
            return igrpen0;
        } else if (key == ICC_IGRPEN1_EL1) {
            return igrpen1;
        }
        return 0; // write-only registers (EOIR, DIR, SGI*R) read as 0
    }

    public void write(int key, long value) {
        int v = (int) value;
        if (key == ICC_PMR_EL1) {
            pmr = v & PRIORITY_MASK;
        } else if (key == ICC_EOIR0_EL1) {
            endOfInterrupt(0, v);
        } else if (key == ICC_EOIR1_EL1) {
            endOfInterrupt(1, v);
        } else if (key == ICC_DIR_EL1) {
            deactivate(v);
        } else if (key == ICC_BPR0_EL1) {
            bpr0 = Math.max(v & 7, MIN_BPR0);
        } else if (key == ICC_BPR1_EL1) {
            if ((ctlr & ICC_CTLR_CBPR) == 0) {
                bpr1 = Math.max(v & 7, MIN_BPR1);
            }
        } else if (key == ICC_AP0R0_EL1) {
            apr.apr[0][0] = v;
        } else if (key == ICC_AP1R0_EL1) {
            apr.apr[1][0] = v;
        } else if (key == ICC_SGI1R_EL1) {
            generateSgi(value, 1);
        } else if (key == ICC_SGI0R_EL1) {
            generateSgi(value, 0);
        } else if (key == ICC_ASGI1R_EL1) {
            // With one security state QEMU turns the "other state's group 1" SGI into a group 0 one.
            generateSgi(value, 0);
        } else if (key == ICC_CTLR_EL1) {
            ctlr = v & (ICC_CTLR_CBPR | ICC_CTLR_EOIMODE);
        } else if (key == ICC_IGRPEN0_EL1) {
            igrpen0 = v & 1;
        } else if (key == ICC_IGRPEN1_EL1) {
            igrpen1 = v & 1;
        } else {
            return; // read-only (IAR, HPPIR, RPR, SRE): writes ignored
        }
        gic.update();
    }

    // ---- prioritization (the GICv3 pseudocode's GroupBits, CanSignalInterrupt) ----

    /** The mask that keeps the group priority bits of an interrupt of {@code group}. */
    private int groupPriorityMask(int group) {
        int bpr = group == 0 || (ctlr & ICC_CTLR_CBPR) != 0 ? bpr0 : bpr1 - 1;
        return 0xff << (bpr + 1) & 0xff;
    }

    private boolean canPreempt(int id) {
        if (id < 0) {
            return false;
        }
        int i = gic.irqs.index(cpu, id);
        int group = gic.irqs.group[i], prio = gic.irqs.priority[i];
        boolean enabled = (group == 0 ? igrpen0 : igrpen1) != 0;
        return enabled && prio < pmr && (prio & groupPriorityMask(group)) < apr.running();
    }

    /** Group 1 is signalled as IRQ, group 0 as FIQ. */
    int signal() {
        int id = gic.highestPending(cpu);
        if (!canPreempt(id)) {
            return GicWiring.NONE;
        }
        return gic.irqs.group[gic.irqs.index(cpu, id)] == 0 ? GicWiring.FIQ : GicWiring.IRQ;
    }

    private int acknowledge(int group) {
        int id = gic.highestPending(cpu);
        if (!canPreempt(id)) {
            return SPURIOUS;
        }
        int i = gic.irqs.index(cpu, id);
        if (gic.irqs.group[i] != group) {
            return SPURIOUS;
        }
        apr.activate(group, gic.irqs.priority[i] & groupPriorityMask(group));
        gic.irqs.active[i] = 1;
        gic.irqs.pending[i] = 0; // a level-sensitive one stays pending while its line is high
        gic.update();
        return id;
    }

    /** ICC_HPPIRn_EL1: spurious unless the highest pending interrupt is of group n, enabled here (as QEMU). */
    private int highestPending(int group) {
        int id = gic.highestPending(cpu);
        if (id < 0) {
            return SPURIOUS;
        }
        int g = gic.irqs.group[gic.irqs.index(cpu, id)];
        return g == group && (g == 0 ? igrpen0 : igrpen1) != 0 ? id : SPURIOUS;
    }

    private void endOfInterrupt(int group, int value) {
        int id = value & 0xff_ffff;
        if (id >= gic.irqs.limit()) {
            return; // special INTIDs and LPIs: ignored
        }
        int active = apr.highestGroup();
        if (active < 0) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "gic: ICC_EOIR%d_EL1 of %d with nothing active", group, id);
            return;
        }
        if (active != group) {
            return; // the highest active priority belongs to the other group: ignored, as QEMU
        }
        apr.drop(group);
        if ((ctlr & ICC_CTLR_EOIMODE) == 0) {
            gic.irqs.active[gic.irqs.index(cpu, id)] = 0;
        }
    }

    private void deactivate(int value) {
        int id = value & 0xff_ffff;
        if ((ctlr & ICC_CTLR_EOIMODE) == 0 || id >= gic.irqs.limit()) {
            return;
        }
        gic.irqs.active[gic.irqs.index(cpu, id)] = 0;
    }

    /** ICC_SGI0R/SGI1R/ASGI1R: TargetList 15:0, Aff1 23:16, INTID 27:24, Aff2 39:32, IRM 40, RS 47:44, Aff3 55:48. */
    private void generateSgi(long value, int group) {
        int sgi = (int) (value >>> 24) & 0xf;
        boolean all = (value >>> 40 & 1) != 0;
        int list = (int) value & 0xffff, rs = (int) (value >>> 44) & 0xf;
        long upper = (value >>> 48 & 0xff) << 32 | (value >>> 32 & 0xff) << 16 | (value >>> 16 & 0xff) << 8;
        for (int t = 0; t < gic.cpus; t++) {
            long aff = GicV3.affinity(t);
            boolean hit = all ? t != cpu
                    : (aff & ~0xffL) == upper && (aff & 0xff) >>> 4 == rs && (list >>> (aff & 0xf) & 1) != 0;
            if (hit) {
                gic.sendSgi(t, sgi, group);
            }
        }
    }

    // ---- state ----

    void save(StateWriter out, String p) {
        out.putInt(p + "ctlr", ctlr).putInt(p + "pmr", pmr).putInt(p + "bpr0", bpr0).putInt(p + "bpr1", bpr1)
                .putInt(p + "igrpen0", igrpen0).putInt(p + "igrpen1", igrpen1).putInts(p + "apr", apr.flat());
    }

    void load(StateReader in, String p) {
        ctlr = in.getInt(p + "ctlr") & (ICC_CTLR_CBPR | ICC_CTLR_EOIMODE);
        pmr = in.getInt(p + "pmr") & PRIORITY_MASK;
        bpr0 = Math.max(in.getInt(p + "bpr0") & 7, MIN_BPR0);
        bpr1 = Math.max(in.getInt(p + "bpr1") & 7, MIN_BPR1);
        igrpen0 = in.getInt(p + "igrpen0") & 1;
        igrpen1 = in.getInt(p + "igrpen1") & 1;
        apr.load(in.getInts(p + "apr"));
    }
}
