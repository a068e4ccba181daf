package dev.jemu.arm.cpu;

import static dev.jemu.arm.cpu.ExceptionsTest.rig;
import static dev.jemu.arm.cpu.ExceptionsTest.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.state.StateRecord;
import org.junit.jupiter.api.Test;

/** The EL1 physical and virtual timers: outputs as levels through a test IrqLine, ISTATUS/IMASK, TVAL, the counter. */
class GenericTimerTest {
    final TestRig r = rig("mrs x1, cntvct_el0\nmrs x2, cntfrq_el0\nmsr cntp_tval_el0, x3\nmrs x4, cntp_ctl_el0");
    final boolean[] phys = new boolean[1], virt = new boolean[1];

    GenericTimerTest() {
        IrqLine p = level -> phys[0] = level, v = level -> virt[0] = level;
        r.cpu.connectTimers(p, v, IrqLine.NONE, IrqLine.NONE);
    }

    void advanceTo(long ns) {
        r.clock.setNanos(ns);
        r.clock.runExpired();
    }

    @Test
    void counterAndFrequency() {
        advanceTo(1600);
        step(r, 2);
        assertEquals(100, r.x(1)); // 1600 ns at 62.5 MHz
        assertEquals(62_500_000L, r.x(2));
    }

    @Test
    void virtualTimerFiresAtCvalAndImaskLowersIt() {
        SysRegs s = r.cpu.sysregs;
        s.write(GenericTimer.CNTV_CVAL, 0, 100);
        s.write(GenericTimer.CNTV_CTL, 0, 1);
        assertFalse(virt[0]);
        assertEquals(1, s.read(GenericTimer.CNTV_CTL, 0));
        advanceTo(99 * 16);
        assertFalse(virt[0]);
        advanceTo(100 * 16);
        assertTrue(virt[0]);
        assertFalse(phys[0]);
        assertEquals(5, s.read(GenericTimer.CNTV_CTL, 0)); // ENABLE, ISTATUS
        s.write(GenericTimer.CNTV_CTL, 0, 3); // IMASK
        assertFalse(virt[0]);
        assertEquals(7, s.read(GenericTimer.CNTV_CTL, 0));
        s.write(GenericTimer.CNTV_CTL, 0, 1);
        assertTrue(virt[0]);
        s.write(GenericTimer.CNTV_CVAL, 0, 1000); // moved into the future: the level drops
        assertFalse(virt[0]);
        s.write(GenericTimer.CNTV_CTL, 0, 0);
        advanceTo(2000 * 16);
        assertFalse(virt[0]); // disabled
    }

    @Test
    void physicalTimerThroughTvalFromCode() {
        r.cpu.x[3] = 50;
        r.cpu.sysregs.write(GenericTimer.CNTP_CTL, 0, 1);
        r.cpu.setPc(TestRig.RAM + 8);
        step(r, 2); // msr cntp_tval_el0, x3; mrs x4, cntp_ctl_el0
        assertEquals(1, r.x(4));
        assertEquals(50, r.cpu.sysregs.read(GenericTimer.CNTP_TVAL, 0));
        assertFalse(phys[0]);
        advanceTo(50 * 16);
        assertTrue(phys[0]);
        assertEquals(0, r.cpu.timer.read(GenericTimer.CNTP_TVAL)); // CVAL reached: TVAL counts down to 0
    }

    /**
     * A loaded state drives the outputs even when the timer's own idea of the level is unchanged: on loadvm the
     * interrupt controller's saved line may be low for a timer already past CVAL (its wake-up had not run yet).
     */
    @Test
    void loadStateDrivesTheOutputAgain() {
        SysRegs s = r.cpu.sysregs;
        s.write(GenericTimer.CNTV_CVAL, 0, 100);
        s.write(GenericTimer.CNTV_CTL, 0, 1);
        advanceTo(100 * 16);
        assertTrue(virt[0]);
        StateRecord saved = StateRecord.of(r.cpu);
        virt[0] = false; // the line as a GIC restored with a stale level holds it
        saved.restore(r.cpu);
        assertTrue(virt[0]);
        assertFalse(phys[0]);
    }
}
