package dev.jemu.devices.arm.gic;

import static dev.jemu.devices.arm.gic.GicV2.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateRecord;
import org.junit.jupiter.api.Test;


/** GICv2 driven through its MMIO windows as irq-gic drives it; reset values are QEMU 7.2's (probed with xp). */
class GicV2Test {
    final boolean[] irq = new boolean[2], fiq = new boolean[2];
    GicV2 gic = new GicV2(1, 256);
    MmioDevice gicd = gic.distributor(), gicc = gic.cpuInterface(0);

    void attach(GicV2 g) {
        for (int c = 0; c < (g == gic ? cpus : 1); c++) {
            int cpu = c;
            g.attachCpu(c, l -> irq[cpu] = l, l -> fiq[cpu] = l);
        }
    }

    int cpus = 1;

    GicV2Test() {
        attach(gic);
    }

    void twoCpus() {
        cpus = 2;
        gic = new GicV2(2, 256);
        attach(gic);
        gicd = gic.distributor(0);
        gicc = gic.cpuInterface(0);
    }

    static int r(MmioDevice d, int off) {
        return (int) d.read(off, 4);
    }

    static void w(MmioDevice d, int off, int v) {
        d.write(off, 4, v);
    }

    /** What gic_dist_config/gic_cpu_init/gic_cpu_if_up do, then one SPI set up at {@code prio}. */
    void linuxInit(MmioDevice d, MmioDevice c) {
        w(d, GICD_CTLR, 1);
        w(c, GICC_PMR, 0xf0);
        w(c, GICC_CTLR, GICC_CTLR_ENABLE_GRP0);
    }

    void spi(int id, int prio, boolean edge) {
        gicd.write(GICD_IPRIORITYR + id, 1, prio);
        int reg = GICD_ICFGR + id / 16 * 4;
        int cfg = r(gicd, reg) & ~(3 << (id % 16) * 2);
        w(gicd, reg, cfg | (edge ? 2 : 0) << (id % 16) * 2);
        w(gicd, GICD_ISENABLER + id / 32 * 4, 1 << (id % 32));
    }

    @Test
    void identificationAndResetValuesAreQemus() {
        assertEquals(8, r(gicd, GICD_TYPER), "ITLinesNumber 8 for 288 interrupts, one CPU");
        assertEquals(0x43b, r(gicd, GICD_IIDR));
        assertEquals(0x2b, r(gicd, GICD_PIDR2));
        assertEquals(0x04, r(gicd, GICD_PIDR4));
        assertEquals(0xffff, r(gicd, GICD_ISENABLER), "SGIs always enabled");
        assertEquals(0xaaaaaaaa, r(gicd, GICD_ICFGR), "SGIs edge-triggered");
        assertEquals(0, r(gicd, GICD_ICFGR + 4), "PPIs level-sensitive");
        assertEquals(0x2043b, r(gicc, GICC_IIDR));
        assertEquals(0xff, r(gicc, GICC_RPR));
        assertEquals(1023, r(gicc, GICC_HPPIR));
        assertEquals(0, r(gicc, GICC_BPR));
        assertEquals(1, r(gicc, GICC_ABPR));
        assertEquals(0, r(gicd, GICD_ITARGETSR + 40), "uniprocessor: targets RAZ/WI");
        twoCpus();
        assertEquals(8 | 1 << 5, r(gicd, GICD_TYPER), "CPUNumber");
        assertEquals(0x01010101, r(gicd, GICD_ITARGETSR), "SGI targets: this CPU");
        assertEquals(0x02020202, r(gic.distributor(1), GICD_ITARGETSR + 16));
        w(gicd, GICD_ITARGETSR, 0);
        assertEquals(0x01010101, r(gicd, GICD_ITARGETSR), "read-only for SGIs");
    }

    @Test
    void levelInterruptAcknowledgeAndEoi() {
        linuxInit(gicd, gicc);
        IrqLine line = gic.spi(40);
        spi(40, 0xa0, false);
        assertFalse(irq[0]);
        line.raise();
        assertTrue(irq[0]);
        assertFalse(fiq[0]);
        assertEquals(1 << 8, r(gicd, GICD_ISPENDR + 4));
        assertEquals(40, r(gicc, GICC_HPPIR));
        assertEquals(40, r(gicc, GICC_IAR));
        assertFalse(irq[0], "active: no longer signalled");
        assertEquals(0xa0, r(gicc, GICC_RPR));
        assertEquals(1 << 8, r(gicd, GICD_ISACTIVER + 4));
        assertEquals(1 << 8, r(gicd, GICD_ISPENDR + 4), "active and pending while the line is high");
        assertEquals(1023, r(gicc, GICC_IAR));
        w(gicc, GICC_EOIR, 40);
        assertEquals(0xff, r(gicc, GICC_RPR));
        assertTrue(irq[0], "line still high: pending again");
        line.lower();
        assertFalse(irq[0]);
        assertEquals(0, r(gicd, GICD_ISPENDR + 4));
    }

    @Test
    void levelLineDroppingWhilePendingIsNoLongerPending() {
        linuxInit(gicd, gicc);
        IrqLine line = gic.spi(33);
        spi(33, 0x80, false);
        line.raise();
        assertTrue(irq[0]);
        line.lower();
        assertFalse(irq[0]);
        assertEquals(1023, r(gicc, GICC_IAR));
        w(gicd, GICD_ISPENDR + 4, 1 << 1);
        assertTrue(irq[0], "software can still set it pending");
        assertEquals(33, r(gicc, GICC_IAR));
        w(gicc, GICC_EOIR, 33);
        assertFalse(irq[0], "the software pending state was consumed by the acknowledge");
    }

    @Test
    void edgeInterruptLatchesPulse() {
        linuxInit(gicd, gicc);
        IrqLine line = gic.spi(50);
        spi(50, 0x80, true);
        assertEquals(2 << 4, r(gicd, GICD_ICFGR + 12) & (3 << 4));
        line.raise();
        line.lower();
        assertTrue(irq[0], "rising edge latched");
        assertEquals(50, r(gicc, GICC_IAR));
        line.raise(); // a second edge while active: pending again
        line.lower();
        w(gicc, GICC_EOIR, 50);
        assertTrue(irq[0]);
        assertEquals(50, r(gicc, GICC_IAR));
        w(gicc, GICC_EOIR, 50);
        assertFalse(irq[0]);
    }

    @Test
    void disabledAndMaskedInterruptsAreNotSignalled() {
        linuxInit(gicd, gicc);
        IrqLine line = gic.spi(60);
        spi(60, 0xf0, false);
        line.raise();
        assertFalse(irq[0], "priority 0xf0 is not below PMR 0xf0");
        assertEquals(1023, r(gicc, GICC_IAR));
        w(gicc, GICC_PMR, 0xf8);
        assertTrue(irq[0]);
        w(gicd, GICD_ICENABLER + 4, 1 << 28);
        assertFalse(irq[0], "disabled");
        w(gicd, GICD_ISENABLER + 4, 1 << 28);
        assertTrue(irq[0]);
        w(gicd, GICD_CTLR, 0);
        assertFalse(irq[0], "distributor disabled");
        w(gicd, GICD_CTLR, 1);
        w(gicc, GICC_CTLR, 0);
        assertFalse(irq[0], "CPU interface disabled");
        assertEquals(1023, r(gicc, GICC_IAR));
    }

    @Test
    void nestedPreemptionByGroupPriority() {
        linuxInit(gicd, gicc);
        w(gicc, GICC_PMR, 0xff);
        IrqLine low = gic.spi(40), high = gic.spi(41), same = gic.spi(42);
        spi(40, 0xa8, true);
        spi(41, 0x80, true);
        spi(42, 0xa0, true);
        w(gicc, GICC_BPR, 4); // group priority bits 7:5
        low.raise();
        assertEquals(40, r(gicc, GICC_IAR));
        assertEquals(0xa0, r(gicc, GICC_RPR), "running priority is the group priority");
        same.raise();
        assertFalse(irq[0], "0xa0 is in the running group priority: no preemption");
        assertEquals(1023, r(gicc, GICC_IAR));
        high.raise();
        assertTrue(irq[0], "0x80 preempts");
        assertEquals(41, r(gicc, GICC_IAR));
        assertEquals(0x80, r(gicc, GICC_RPR));
        assertEquals(1 << (0x80 >> 1) - 32 | 1 << (0xa0 >> 1) - 64, r(gicc, GICC_APR0 + 4) | r(gicc, GICC_APR0 + 8));
        w(gicc, GICC_EOIR, 41);
        assertEquals(0xa0, r(gicc, GICC_RPR));
        assertFalse(irq[0]);
        w(gicc, GICC_EOIR, 40);
        assertEquals(0xff, r(gicc, GICC_RPR));
        assertTrue(irq[0]);
        assertEquals(42, r(gicc, GICC_IAR));
        w(gicc, GICC_EOIR, 42);
        assertFalse(irq[0]);
        assertEquals(0, r(gicd, GICD_ISACTIVER + 4));
    }

    @Test
    void eoiModeSplitsPriorityDropFromDeactivation() {
        linuxInit(gicd, gicc);
        w(gicc, GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_EOIMODE_S);
        IrqLine line = gic.spi(35);
        spi(35, 0x40, true);
        line.raise();
        assertEquals(35, r(gicc, GICC_IAR));
        w(gicc, GICC_EOIR, 35);
        assertEquals(0xff, r(gicc, GICC_RPR), "priority dropped");
        assertEquals(1 << 3, r(gicd, GICD_ISACTIVER + 4), "still active");
        w(gicc, GICC_DIR, 35);
        assertEquals(0, r(gicd, GICD_ISACTIVER + 4));
        w(gicc, GICC_CTLR, GICC_CTLR_ENABLE_GRP0);
        w(gicd, GICD_ISACTIVER + 4, 1 << 3);
        w(gicc, GICC_DIR, 35);
        assertEquals(1 << 3, r(gicd, GICD_ISACTIVER + 4), "GICC_DIR with EOImode 0 is ignored");
    }

    @Test
    void spuriousWhenNothingPending() {
        linuxInit(gicd, gicc);
        assertEquals(1023, r(gicc, GICC_IAR));
        assertEquals(1023, r(gicc, GICC_AIAR));
        w(gicc, GICC_EOIR, 1023); // ignored
        assertEquals(0xff, r(gicc, GICC_RPR));
    }

    @Test
    void groupsSelectIrqOrFiqAndTheAliasedRegisters() {
        linuxInit(gicd, gicc);
        IrqLine g0 = gic.spi(36), g1 = gic.spi(37);
        spi(36, 0x80, false);
        spi(37, 0x40, false);
        w(gicd, GICD_IGROUPR + 4, 1 << 5); // 37 in group 1
        w(gicd, GICD_CTLR, 3);
        w(gicc, GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_FIQ_EN);
        g0.raise();
        assertTrue(fiq[0], "group 0 with FIQEn: FIQ");
        assertFalse(irq[0]);
        g1.raise();
        assertTrue(irq[0], "group 1 (higher priority): IRQ");
        assertFalse(fiq[0]);
        assertEquals(1022, r(gicc, GICC_HPPIR), "group 1 without AckCtl");
        assertEquals(1022, r(gicc, GICC_IAR));
        assertEquals(37, r(gicc, GICC_AHPPIR));
        assertEquals(37, r(gicc, GICC_AIAR));
        assertEquals(1 << (0x40 >> 1), r(gicc, GICC_NSAPR0 + 4 * ((0x40 >> 1) / 32)) , "group 1 active priority");
        assertFalse(irq[0] || fiq[0], "group 0 at 0x80 does not preempt 0x40");
        w(gicc, GICC_AEOIR, 37);
        assertEquals(0, r(gicd, GICD_ISACTIVER + 4));
        assertTrue(irq[0], "line 37 still high: pending again");
        g1.lower();
        assertFalse(irq[0]);
        assertTrue(fiq[0], "then group 0 again");
        assertEquals(1023, r(gicc, GICC_AIAR), "AIAR does not take group 0");
        assertEquals(36, r(gicc, GICC_IAR));
        assertFalse(fiq[0]);
        w(gicc, GICC_AEOIR, 36);
        assertEquals(0x80, r(gicc, GICC_RPR), "AEOIR of a group 0 interrupt is ignored");
        w(gicc, GICC_EOIR, 36);
        assertEquals(0xff, r(gicc, GICC_RPR));
    }

    @Test
    void groupOneWithAckCtlThroughIar() {
        linuxInit(gicd, gicc);
        IrqLine g1 = gic.spi(37);
        spi(37, 0x40, true);
        w(gicd, GICD_IGROUPR + 4, 1 << 5);
        w(gicd, GICD_CTLR, 3);
        w(gicc, GICC_CTLR, GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACK_CTL | GICC_CTLR_FIQ_EN);
        g1.raise();
        assertTrue(irq[0], "group 1 is never FIQ");
        assertEquals(37, r(gicc, GICC_IAR));
        w(gicc, GICC_EOIR, 37);
        assertEquals(0, r(gicd, GICD_ISACTIVER + 4));
        assertEquals(0xff, r(gicc, GICC_RPR));
    }

    @Test
    void sgiTargetListFilters() {
        twoCpus();
        MmioDevice d1 = gic.distributor(1), c1 = gic.cpuInterface(1);
        linuxInit(gicd, gicc);
        linuxInit(d1, c1);
        w(gicd, GICD_SGIR, 2 << 16 | 3); // list: CPU 1
        assertTrue(irq[1]);
        assertFalse(irq[0]);
        assertEquals(1, d1.read(GICD_SPENDSGIR + 3, 1), "sent by CPU 0");
        assertEquals(3, r(c1, GICC_IAR), "SGI 3 from CPU 0");
        w(c1, GICC_EOIR, 3);
        w(d1, GICD_SGIR, 1 << 24 | 5); // everyone but me
        assertTrue(irq[0]);
        assertFalse(irq[1]);
        assertEquals(5 | 1 << 10, r(gicc, GICC_IAR), "SGI 5 from CPU 1");
        w(gicc, GICC_EOIR, 5 | 1 << 10);
        w(d1, GICD_SGIR, 2 << 24 | 7); // only me
        assertTrue(irq[1]);
        assertFalse(irq[0]);
        assertEquals(7 | 1 << 10, r(c1, GICC_IAR));
        w(c1, GICC_EOIR, 7);
        // two senders of one SGI: taken twice, once per source
        w(gicd, GICD_SGIR, 2 << 16 | 1);
        w(d1, GICD_SGIR, 2 << 24 | 1);
        assertEquals(3, d1.read(GICD_SPENDSGIR + 1, 1));
        assertEquals(1, r(c1, GICC_IAR));
        w(c1, GICC_EOIR, 1);
        assertEquals(1 | 1 << 10, r(c1, GICC_IAR));
        w(c1, GICC_EOIR, 1 | 1 << 10);
        assertEquals(1023, r(c1, GICC_IAR));
        // set and clear pending through SPENDSGIR/CPENDSGIR
        d1.write(GICD_SPENDSGIR + 2, 1, 1);
        assertTrue(irq[1]);
        d1.write(GICD_CPENDSGIR + 2, 1, 1);
        assertFalse(irq[1]);
        assertEquals(0, r(d1, GICD_ISPENDR));
    }

    @Test
    void ppisAreBankedPerCpuAndSpisFollowTargets() {
        twoCpus();
        MmioDevice d1 = gic.distributor(1), c1 = gic.cpuInterface(1);
        linuxInit(gicd, gicc);
        linuxInit(d1, c1);
        IrqLine timer0 = gic.ppi(0, 27), timer1 = gic.ppi(1, 27);
        w(d1, GICD_ISENABLER, 1 << 27);
        d1.write(GICD_IPRIORITYR + 27, 1, 0xa0);
        assertEquals(0xa0, d1.read(GICD_IPRIORITYR + 27, 1));
        assertEquals(0, gicd.read(GICD_IPRIORITYR + 27, 1), "banked priority");
        timer0.raise();
        assertFalse(irq[0], "CPU 0's timer PPI is not enabled");
        timer1.raise();
        assertTrue(irq[1]);
        assertEquals(27, r(c1, GICC_IAR));
        timer1.lower();
        w(c1, GICC_EOIR, 27);
        assertFalse(irq[1]);
        IrqLine dev = gic.spi(45);
        spi(45, 0x80, false);
        dev.raise();
        assertFalse(irq[0] || irq[1], "targets no CPU yet");
        gicd.write(GICD_ITARGETSR + 45, 1, 2);
        assertTrue(irq[1]);
        assertFalse(irq[0]);
        gicd.write(GICD_ITARGETSR + 45, 1, 1);
        assertTrue(irq[0]);
        assertFalse(irq[1]);
    }

    @Test
    void saveAndLoadMidFlight() {
        linuxInit(gicd, gicc);
        w(gicc, GICC_PMR, 0xff);
        IrqLine a = gic.spi(40), b = gic.spi(41), c = gic.spi(42);
        spi(40, 0xa0, false);
        spi(41, 0x80, true);
        spi(42, 0xc0, true);
        a.raise();
        assertEquals(40, r(gicc, GICC_IAR));
        b.raise();
        assertEquals(41, r(gicc, GICC_IAR)); // nested: 40 and 41 active
        c.raise(); // pending behind them
        StateRecord saved = StateRecord.of(gic);
        assertEquals("gic", saved.id());

        GicV2 other = new GicV2(1, 256);
        boolean[] line = new boolean[1];
        other.attachCpu(0, l -> line[0] = l, IrqLine.NONE);
        saved.restore(other);
        MmioDevice c2 = other.cpuInterface(0), d2 = other.distributor();
        assertEquals(0x80, r(c2, GICC_RPR));
        assertEquals(1 << 8 | 1 << 9, r(d2, GICD_ISACTIVER + 4), "40 and 41 active");
        assertEquals(1 << 8 | 1 << 10, r(d2, GICD_ISPENDR + 4), "40 (line high) and 42 pending");
        assertFalse(line[0]);
        w(c2, GICC_EOIR, 41);
        w(c2, GICC_EOIR, 40);
        assertTrue(line[0]);
        assertEquals(40, r(c2, GICC_IAR), "level line 40 still high after restore");
        w(c2, GICC_EOIR, 40);
        other.spi(40).lower();
        assertEquals(42, r(c2, GICC_IAR));
        w(c2, GICC_EOIR, 42);
        assertFalse(line[0]);
        // the original is untouched
        assertEquals(0x80, r(gicc, GICC_RPR));
    }

    @Test
    void badAccessesAreHarmless() {
        linuxInit(gicd, gicc);
        for (int size : new int[] {1, 2, 3, 8, 16, 0, -1}) {
            for (long off : new long[] {-4, 0x1000, 0xffff, 0x10000, 0x7fff_ffffL, 0x1_0000_0000L, 3}) {
                gicd.read(off, size);
                gicd.write(off, size, -1);
                gicc.read(off, size);
                gicc.write(off, size, -1);
            }
        }
        assertEquals(0, r(gicd, GICD_ICFGR + 4 * 100), "beyond the last interrupt");
        gicd.write(GICD_SGIR, 1, 1);
        assertEquals(0, r(gicd, GICD_ISPENDR), "GICD_SGIR needs a 32-bit write");
        assertThrows(IllegalArgumentException.class, () -> gic.spi(300));
        assertThrows(IllegalArgumentException.class, () -> gic.ppi(0, 32));
        assertThrows(IllegalArgumentException.class, () -> gic.cpuInterface(1));
    }

    /** Seeded random accesses of every size to both windows: nothing throws, and the outputs agree with the state. */
    @Test
    void fuzzKeepsOutputsConsistent() {
        twoCpus();
        IrqLine[] inputs = {gic.spi(32), gic.spi(40), gic.spi(63), gic.ppi(0, 27), gic.ppi(1, 30)};
        MmioDevice[] windows = {gicd, gic.distributor(1), gicc, gic.cpuInterface(1)};
        int[] hot = {0, 4, 0x80, 0x100, 0x104, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0x420, 0x800, 0x820,
                0xc00, 0xc04, 0xc08, 0xf00, 0xf10, 0xf20, 0xc, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x28, 0xd0,
                0xe0, 0x1000};
        CpuOutputs.fuzz(rnd -> {
            MmioDevice wdw = windows[rnd.nextInt(windows.length)];
            int size = new int[] {1, 2, 4, 4, 4, 8}[rnd.nextInt(6)];
            long off = rnd.nextInt(4) == 0 ? rnd.nextInt(0x12000) : hot[rnd.nextInt(hot.length)] + rnd.nextInt(8);
            switch (rnd.nextInt(4)) {
                case 0 -> wdw.read(off, size);
                case 1 -> inputs[rnd.nextInt(inputs.length)].set(rnd.nextBoolean());
                default -> wdw.write(off, size, rnd.nextInt(8) == 0 ? -1L : rnd.nextLong() & 0xff0f_00ffL);
            }
        }, this::checkOutputsAgainstCopy);
    }

    private void checkOutputsAgainstCopy(long seed, int step) {
        GicV2 copy = new GicV2(2, 256);
        CpuOutputs out = new CpuOutputs(copy, 2);
        StateRecord.of(gic).restore(copy);
        for (int c = 0; c < 2; c++) {
            String at = "seed " + seed + " step " + step + " cpu " + c;
            assertEquals(irq[c], out.irq[c], at);
            assertEquals(fiq[c], out.fiq[c], at);
            assertFalse(irq[c] && fiq[c], at);
            MmioDevice cc = copy.cpuInterface(c);
            int iar = r(cc, GICC_IAR) & 0x3ff;
            if (irq[c] || fiq[c]) {
                assertTrue(iar != 1023 || (r(cc, GICC_AIAR) & 0x3ff) != 1023, "signalled but nothing to take: " + at);
            } else if (iar < 1022) {
                // QEMU's GIC hands out the best interrupt even when its group is disabled: only then is there
                // something to take without a signal
                MmioDevice cd = copy.distributor(c);
                int g = r(cd, GICD_IGROUPR + iar / 32 * 4) >>> iar % 32 & 1;
                boolean groupOff = (r(cd, GICD_CTLR) >> g & 1) == 0 || (r(cc, GICC_CTLR) >> g & 1) == 0;
                assertTrue(groupOff, "not signalled but IAR gave " + iar + ": " + at);
            }
        }
    }
}
