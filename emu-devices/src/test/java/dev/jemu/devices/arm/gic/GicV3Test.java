package dev.jemu.devices.arm.gic;

import static dev.jemu.devices.arm.gic.GicV3.*;
import static dev.jemu.devices.arm.gic.GicV3CpuInterface.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateRecord;
import org.junit.jupiter.api.Test;


/** GICv3 driven as irq-gic-v3 drives it: GICD/GICR over MMIO, the CPU interface through ICC_* keys. */
class GicV3Test {
    final boolean[] irq = new boolean[2], fiq = new boolean[2];
    GicV3 gic;
    MmioDevice gicd, gicr;
    GicV3CpuInterface icc;

    GicV3Test() {
        make(1);
    }

    void make(int cpus) {
        gic = new GicV3(cpus, 256);
        for (int c = 0; c < cpus; c++) {
            int cpu = c;
            gic.attachCpu(c, l -> irq[cpu] = l, l -> fiq[cpu] = l);
        }
        gicd = gic.distributor();
        gicr = gic.redistributors();
        icc = gic.cpuInterface(0);
    }

    static int r(MmioDevice d, long off) {
        return (int) d.read(off, 4);
    }

    static void w(MmioDevice d, long off, int v) {
        d.write(off, 4, v);
    }

    static long rd(int cpu) {
        return (long) cpu * GICR_STRIDE;
    }

    static long sgi(int cpu) {
        return rd(cpu) + GICR_SGI_BASE;
    }

    /** gic_dist_init + gic_cpu_init + gic_cpu_sys_reg_init, roughly. */
    void linuxInit(int cpus) {
        w(gicd, GICD_CTLR, 0);
        for (int i = 1; i < 8; i++) {
            w(gicd, GICD_IGROUPR + 4 * i, -1);
        }
        w(gicd, GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
        for (int c = 0; c < cpus; c++) {
            w(gicr, rd(c) + GICR_WAKER, r(gicr, rd(c) + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
            assertEquals(0, r(gicr, rd(c) + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP, "the driver waits for this");
            w(gicr, sgi(c) + GICD_IGROUPR, -1);
            GicV3CpuInterface cc = gic.cpuInterface(c);
            assertEquals(ICC_SRE_VALUE, cc.read(ICC_SRE_EL1));
            cc.write(ICC_PMR_EL1, 0xf0);
            cc.write(ICC_BPR1_EL1, 0);
            cc.write(ICC_CTLR_EL1, 0);
            cc.write(ICC_IGRPEN1_EL1, 1);
        }
    }

    void spi(int id, int prio, boolean edge, int cpu) {
        gicd.write(GICD_IPRIORITYR + id, 1, prio);
        long reg = GICD_ICFGR + id / 16 * 4;
        int cfg = r(gicd, reg) & ~(3 << (id % 16) * 2);
        w(gicd, reg, cfg | (edge ? 2 : 0) << (id % 16) * 2);
        gicd.write(GICD_IROUTER + 8L * id, 8, GicV3.affinity(cpu));
        w(gicd, GICD_ISENABLER + id / 32 * 4, 1 << (id % 32));
    }

    @Test
    void encodingsAreTheArchitecturalOnes() {
        assertEquals(0xc660, ICC_IAR1_EL1); // S3_0_C12_C12_0
        assertEquals(0xc230, ICC_PMR_EL1);  // S3_0_C4_C6_0
        assertEquals(0xc65d, ICC_SGI1R_EL1); // S3_0_C12_C11_5
        assertTrue(icc.handles(ICC_EOIR1_EL1));
        assertFalse(icc.handles(ICC_AP0R0_EL1 + 1), "one active priority register with 5 priority bits");
        assertFalse(icc.handles(0xc000));
    }

    @Test
    void identificationAndResetValuesAreQemus() {
        assertEquals(0x50, r(gicd, GICD_CTLR), "ARE and DS");
        assertEquals(0x03780007, r(gicd, GICD_TYPER), "QEMU 7.2's value without LPIs");
        assertEquals(0x43b, r(gicd, GICD_IIDR));
        assertEquals(0x3b, r(gicd, GICD_PIDR2));
        assertEquals(0x44, r(gicd, GICD_PIDR4));
        assertEquals(GICR_CTLR_VALUE, r(gicr, GICR_CTLR));
        assertEquals(0x43b, r(gicr, GICR_IIDR));
        assertEquals(0x1000010L, gicr.read(GICR_TYPER, 8), "Last, affinity 0.0.0.0");
        assertEquals(6, r(gicr, GICR_WAKER), "asleep");
        assertEquals(0x3b, r(gicr, GICR_PIDR2));
        assertEquals(0xaaaaaaaa, r(gicr, GICR_SGI_BASE + GICD_ICFGR));
        assertEquals(0, r(gicr, GICR_SGI_BASE + GICD_ISENABLER));
        assertEquals(0x8c00, icc.read(ICC_CTLR_EL1), "A3V, IDbits 24, PRIbits 5");
        assertEquals(0xff, icc.read(ICC_RPR_EL1));
        assertEquals(2, icc.read(ICC_BPR0_EL1));
        assertEquals(3, icc.read(ICC_BPR1_EL1));
        assertEquals(SPURIOUS, icc.read(ICC_HPPIR1_EL1));
        icc.write(ICC_PMR_EL1, 0xff);
        assertEquals(0xf8, icc.read(ICC_PMR_EL1), "5 priority bits");
        icc.write(ICC_SRE_EL1, 0);
        assertEquals(7, icc.read(ICC_SRE_EL1));
        make(2);
        assertEquals(0x1000000L | 1L << 32 | 1 << 8 | 1 << 4, gicr.read(rd(1) + GICR_TYPER, 8), "CPU 1 is the last");
        assertEquals(0x1000000L, gicr.read(rd(0) + GICR_TYPER, 8));
    }

    @Test
    void wakerHandshake() {
        w(gicr, GICR_WAKER, 0);
        assertEquals(0, r(gicr, GICR_WAKER));
        w(gicr, GICR_WAKER, GICR_WAKER_PROCESSOR_SLEEP);
        assertEquals(6, r(gicr, GICR_WAKER));
        w(gicr, GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP);
        assertEquals(0, r(gicr, GICR_WAKER), "ChildrenAsleep is read-only");
    }

    @Test
    void spiAcknowledgeAndEoi() {
        linuxInit(1);
        IrqLine line = gic.spi(40);
        spi(40, 0xa0, false, 0);
        assertEquals(-1, r(gicd, GICD_IGROUPR + 4), "group 1 as Linux sets it");
        line.raise();
        assertTrue(irq[0]);
        assertFalse(fiq[0]);
        assertEquals(40, icc.read(ICC_HPPIR1_EL1));
        assertEquals(SPURIOUS, icc.read(ICC_HPPIR0_EL1));
        assertEquals(SPURIOUS, icc.read(ICC_IAR0_EL1), "not group 0");
        assertEquals(40, icc.read(ICC_IAR1_EL1));
        assertFalse(irq[0]);
        assertEquals(0xa0, icc.read(ICC_RPR_EL1));
        assertEquals(1L << (0xa0 >> 3), icc.read(ICC_AP1R0_EL1));
        assertEquals(1 << 8, r(gicd, GICD_ISACTIVER + 4));
        icc.write(ICC_EOIR1_EL1, 40);
        assertEquals(0xff, icc.read(ICC_RPR_EL1));
        assertTrue(irq[0], "level still high");
        line.lower();
        assertFalse(irq[0]);
        assertEquals(SPURIOUS, icc.read(ICC_IAR1_EL1));
        w(gicd, GICD_ISPENDR + 4, 1 << 8);
        assertTrue(irq[0]);
        icc.write(ICC_PMR_EL1, 0xa0);
        assertFalse(irq[0], "PMR masks priority 0xa0");
        assertEquals(SPURIOUS, icc.read(ICC_IAR1_EL1));
        icc.write(ICC_PMR_EL1, 0xf0);
        icc.write(ICC_IGRPEN1_EL1, 0);
        assertFalse(irq[0], "group 1 disabled in the CPU interface");
        icc.write(ICC_IGRPEN1_EL1, 1);
        w(gicd, GICD_CTLR, GICD_CTLR_ENABLE_GRP0);
        assertFalse(irq[0], "group 1 disabled in the distributor");
        w(gicd, GICD_CTLR, GICD_CTLR_ENABLE_GRP1);
        w(gicd, GICD_ICENABLER + 4, 1 << 8);
        assertFalse(irq[0], "disabled");
        assertEquals(0, r(gicd, GICD_ISENABLER + 4));
    }

    @Test
    void levelDroppingWhilePendingAndEdgeLatching() {
        linuxInit(1);
        IrqLine level = gic.spi(33), edge = gic.spi(34);
        spi(33, 0x80, false, 0);
        spi(34, 0x80, true, 0);
        level.raise();
        level.lower();
        assertFalse(irq[0], "a level interrupt follows its line");
        edge.raise();
        edge.lower();
        assertTrue(irq[0], "an edge is latched");
        assertEquals(1 << 2, r(gicd, GICD_ISPENDR + 4));
        assertEquals(34, icc.read(ICC_IAR1_EL1));
        icc.write(ICC_EOIR1_EL1, 34);
        assertFalse(irq[0]);
    }

    @Test
    void nestedPreemptionAndEoiModeSplit() {
        linuxInit(1);
        icc.write(ICC_PMR_EL1, 0xff);
        IrqLine low = gic.spi(40), high = gic.spi(41), same = gic.spi(42);
        spi(40, 0xa8, true, 0);
        spi(41, 0x80, true, 0);
        spi(42, 0xa0, true, 0);
        icc.write(ICC_BPR1_EL1, 5); // group priority bits 7:5 for group 1 (BPR1 - 1 = 4)
        low.raise();
        assertEquals(40, icc.read(ICC_IAR1_EL1));
        assertEquals(0xa0, icc.read(ICC_RPR_EL1));
        same.raise();
        assertFalse(irq[0], "same group priority: no preemption");
        assertEquals(SPURIOUS, icc.read(ICC_IAR1_EL1));
        high.raise();
        assertTrue(irq[0]);
        assertEquals(41, icc.read(ICC_IAR1_EL1));
        assertEquals(0x80, icc.read(ICC_RPR_EL1));
        icc.write(ICC_EOIR1_EL1, 41);
        assertEquals(0xa0, icc.read(ICC_RPR_EL1));
        icc.write(ICC_EOIR1_EL1, 40);
        assertTrue(irq[0]);
        icc.write(ICC_CTLR_EL1, ICC_CTLR_EOIMODE);
        assertEquals(42, icc.read(ICC_IAR1_EL1));
        icc.write(ICC_EOIR1_EL1, 42);
        assertEquals(0xff, icc.read(ICC_RPR_EL1), "priority dropped");
        assertEquals(1 << 10, r(gicd, GICD_ISACTIVER + 4), "still active until ICC_DIR_EL1");
        icc.write(ICC_DIR_EL1, 42);
        assertEquals(0, r(gicd, GICD_ISACTIVER + 4));
        icc.write(ICC_EOIR1_EL1, 1023); // spurious: ignored
        assertEquals(SPURIOUS, icc.read(ICC_IAR1_EL1));
    }

    @Test
    void groupZeroIsFiq() {
        linuxInit(1);
        w(gicd, GICD_CTLR, GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
        icc.write(ICC_IGRPEN0_EL1, 1);
        IrqLine line = gic.spi(36);
        w(gicd, GICD_IGROUPR + 4, ~(1 << 4));
        spi(36, 0x40, false, 0);
        line.raise();
        assertTrue(fiq[0]);
        assertFalse(irq[0]);
        assertEquals(SPURIOUS, icc.read(ICC_IAR1_EL1));
        assertEquals(36, icc.read(ICC_HPPIR0_EL1));
        assertEquals(36, icc.read(ICC_IAR0_EL1));
        assertEquals(1L << (0x40 >> 3), icc.read(ICC_AP0R0_EL1));
        icc.write(ICC_EOIR1_EL1, 36);
        assertEquals(0x40, icc.read(ICC_RPR_EL1), "EOIR1 does not drop a group 0 priority");
        icc.write(ICC_EOIR0_EL1, 36);
        assertEquals(0xff, icc.read(ICC_RPR_EL1));
        assertTrue(fiq[0]);
        line.lower();
        assertFalse(fiq[0]);
    }

    @Test
    void sgisByAffinityAndPpisPerCpu() {
        make(2);
        linuxInit(2);
        GicV3CpuInterface icc1 = gic.cpuInterface(1);
        w(gicr, sgi(0) + GICD_ISENABLER, 0xffff | 1 << 27);
        w(gicr, sgi(1) + GICD_ISENABLER, 0xffff | 1 << 27);
        icc.write(ICC_SGI1R_EL1, 3L << 24 | 1 << 1); // SGI 3 to Aff0 = 1
        assertTrue(irq[1]);
        assertFalse(irq[0]);
        assertEquals(1 << 3, r(gicr, sgi(1) + GICD_ISPENDR));
        assertEquals(3, icc1.read(ICC_IAR1_EL1));
        icc1.write(ICC_EOIR1_EL1, 3);
        icc1.write(ICC_SGI1R_EL1, 5L << 24 | 1L << 40); // IRM: everyone else
        assertTrue(irq[0]);
        assertFalse(irq[1]);
        assertEquals(5, icc.read(ICC_IAR1_EL1));
        icc.write(ICC_EOIR1_EL1, 5);
        icc.write(ICC_SGI1R_EL1, 6L << 24 | 1 << 1 | 1L << 16); // Aff1 = 1: nobody
        assertFalse(irq[0] || irq[1]);
        icc.write(ICC_SGI1R_EL1, 6L << 24 | 1 << 1 | 1L << 44); // RS = 1: Aff0 17: nobody
        assertFalse(irq[0] || irq[1]);
        icc.write(ICC_SGI0R_EL1, 7L << 24 | 3);
        assertFalse(irq[0] || irq[1], "SGI 7 is group 1: SGI0R does not pend it");
        // PPIs: banked per redistributor
        IrqLine t0 = gic.ppi(0, 27), t1 = gic.ppi(1, 27);
        gicr.write(sgi(1) + GICD_IPRIORITYR + 27, 1, 0x90);
        assertEquals(0x90, gicr.read(sgi(1) + GICD_IPRIORITYR + 27, 1));
        assertEquals(0, gicr.read(sgi(0) + GICD_IPRIORITYR + 27, 1));
        t1.raise();
        assertTrue(irq[1]);
        assertFalse(irq[0]);
        assertEquals(27, icc1.read(ICC_IAR1_EL1));
        t0.raise();
        assertTrue(irq[0]);
        assertEquals(27, icc.read(ICC_IAR1_EL1));
        assertEquals(SPURIOUS, icc.read(ICC_IAR1_EL1));
        // an SPI follows its route
        IrqLine dev = gic.spi(45);
        spi(45, 0x80, false, 1);
        icc1.write(ICC_EOIR1_EL1, 27);
        t1.lower();
        dev.raise();
        assertTrue(irq[1]);
        assertEquals(45, icc1.read(ICC_IAR1_EL1));
        assertEquals(1L, gicd.read(GICD_IROUTER + 8 * 45, 8));
        assertEquals(0, r(gicd, GICD_ISENABLER), "private interrupts are the redistributors' with ARE");
    }

    @Test
    void saveAndLoadMidFlight() {
        linuxInit(1);
        icc.write(ICC_PMR_EL1, 0xff);
        IrqLine a = gic.spi(40), b = gic.spi(41), c = gic.spi(42);
        spi(40, 0xa0, false, 0);
        spi(41, 0x80, true, 0);
        spi(42, 0xc0, true, 0);
        a.raise();
        assertEquals(40, icc.read(ICC_IAR1_EL1));
        b.raise();
        assertEquals(41, icc.read(ICC_IAR1_EL1));
        c.raise();
        StateRecord saved = StateRecord.of(gic);
        assertEquals("gic", saved.id());
        GicV3 other = new GicV3(1, 256);
        boolean[] line = new boolean[1];
        other.attachCpu(0, l -> line[0] = l, IrqLine.NONE);
        saved.restore(other);
        GicV3CpuInterface icc2 = other.cpuInterface(0);
        MmioDevice d2 = other.distributor();
        assertEquals(0x80, icc2.read(ICC_RPR_EL1));
        assertEquals(0xf8, icc2.read(ICC_PMR_EL1));
        assertEquals(1 << 8 | 1 << 9, r(d2, GICD_ISACTIVER + 4));
        assertEquals(1 << 8 | 1 << 10, r(d2, GICD_ISPENDR + 4));
        assertEquals(0, r(other.redistributors(), GICR_WAKER), "awake");
        assertFalse(line[0]);
        icc2.write(ICC_EOIR1_EL1, 41);
        icc2.write(ICC_EOIR1_EL1, 40);
        assertTrue(line[0]);
        assertEquals(40, icc2.read(ICC_IAR1_EL1));
        icc2.write(ICC_EOIR1_EL1, 40);
        other.spi(40).lower();
        assertEquals(42, icc2.read(ICC_IAR1_EL1));
        icc2.write(ICC_EOIR1_EL1, 42);
        assertFalse(line[0]);
        assertEquals(0x80, icc.read(ICC_RPR_EL1), "the original is untouched");
        assertThrows(dev.jemu.core.state.StateException.class, () -> saved.restore(new GicV3(2, 256)),
                "a state of another shape is refused");
    }

    @Test
    void badAccessesAreHarmless() {
        linuxInit(1);
        for (int size : new int[] {1, 2, 3, 8, 16, 0, -1}) {
            for (long off : new long[] {-4, 0x1000, 0xffff, 0x10000, 0x1ffff, 0x20000, 0x40000, 0x7fff_ffffL,
                    0x1_0000_0000L, 3, GICD_IROUTER + 8 * 1019 + 4, GICD_IROUTER + 8 * 300}) {
                gicd.read(off, size);
                gicd.write(off, size, -1);
                gicr.read(off, size);
                gicr.write(off, size, -1);
            }
        }
        icc.write(0xc000, -1);
        assertEquals(0, icc.read(0xc000));
        gicd.write(GICD_ISENABLER + 4, 1, 0xff);
        assertEquals(0, r(gicd, GICD_ISENABLER + 4), "byte writes to ISENABLER are not allowed");
        assertThrows(IllegalArgumentException.class, () -> gic.spi(288));
        assertThrows(IllegalArgumentException.class, () -> gic.cpuInterface(1));
    }

    /** Seeded random MMIO and system register accesses: nothing throws, and the outputs agree with the state. */
    @Test
    void fuzzKeepsOutputsConsistent() {
        make(2);
        IrqLine[] inputs = {gic.spi(32), gic.spi(40), gic.spi(63), gic.ppi(0, 27), gic.ppi(1, 30)};
        int[] keys = {ICC_PMR_EL1, ICC_IAR0_EL1, ICC_EOIR0_EL1, ICC_HPPIR0_EL1, ICC_BPR0_EL1, ICC_AP0R0_EL1,
                ICC_AP1R0_EL1, ICC_DIR_EL1, ICC_RPR_EL1, ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1,
                ICC_IAR1_EL1, ICC_EOIR1_EL1, ICC_HPPIR1_EL1, ICC_BPR1_EL1, ICC_CTLR_EL1, ICC_SRE_EL1,
                ICC_IGRPEN0_EL1, ICC_IGRPEN1_EL1};
        int[] hot = {0, 4, 0x14, 0x80, 0x84, 0x100, 0x104, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0x420,
                0xc00, 0xc04, 0xc08, 0x6100, 0x6140, 0x6108};
        CpuOutputs.fuzz(rnd -> {
            int size = new int[] {1, 2, 4, 4, 4, 8}[rnd.nextInt(6)];
            long value = rnd.nextInt(8) == 0 ? -1L : rnd.nextLong() & 0xff1f_ff0f_ff0f_00ffL;
            int cpu = rnd.nextInt(2);
            switch (rnd.nextInt(7)) {
                case 0 -> gicd.read(rnd.nextInt(4) == 0 ? rnd.nextInt(0x11000) : hot[rnd.nextInt(hot.length)], size);
                case 1 -> gicd.write(rnd.nextInt(4) == 0 ? rnd.nextInt(0x11000) : hot[rnd.nextInt(hot.length)],
                        size, value);
                case 2 -> {
                    long off = rd(cpu) + (rnd.nextBoolean() ? GICR_SGI_BASE : 0)
                            + (rnd.nextInt(4) == 0 ? rnd.nextInt(0x10000) : hot[rnd.nextInt(15)]);
                    if (rnd.nextBoolean()) {
                        gicr.read(off, size);
                    } else {
                        gicr.write(off, size, value);
                    }
                }
                case 3 -> inputs[rnd.nextInt(inputs.length)].set(rnd.nextBoolean());
                case 4 -> gic.cpuInterface(cpu).read(keys[rnd.nextInt(keys.length)]);
                default -> gic.cpuInterface(cpu).write(keys[rnd.nextInt(keys.length)], value);
            }
        }, this::checkOutputsAgainstCopy);
    }

    private void checkOutputsAgainstCopy(long seed, int step) {
        GicV3 copy = new GicV3(2, 256);
        CpuOutputs out = new CpuOutputs(copy, 2);
        StateRecord.of(gic).restore(copy);
        for (int c = 0; c < 2; c++) {
            String at = "seed " + seed + " step " + step + " cpu " + c;
            assertEquals(irq[c], out.irq[c], at);
            assertEquals(fiq[c], out.fiq[c], at);
            GicV3CpuInterface cc = copy.cpuInterface(c);
            // IRQ is exactly "IAR1 would take something", FIQ "IAR0 would"
            assertEquals(fiq[c], cc.read(ICC_IAR0_EL1) != SPURIOUS, at);
            assertEquals(irq[c], cc.read(ICC_IAR1_EL1) != SPURIOUS, at);
        }
    }
}
