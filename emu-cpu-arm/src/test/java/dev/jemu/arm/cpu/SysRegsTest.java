package dev.jemu.arm.cpu;

import static dev.jemu.arm.cpu.ExceptionsTest.VBAR;
import static dev.jemu.arm.cpu.ExceptionsTest.rig;
import static dev.jemu.arm.cpu.ExceptionsTest.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.state.StateRecord;
import org.junit.jupiter.api.Test;

/** MRS/MSR: values per model, EL0 access rules (UNDEFINED or EC 0x18 with its ISS), state save/load. */
class SysRegsTest {
    @Test
    void idRegistersOfTheA57AsJemuImplementsIt() {
        TestRig r = rig("""
                mrs x1, midr_el1
                mrs x2, mpidr_el1
                mrs x3, id_aa64pfr0_el1
                mrs x4, id_aa64isar0_el1
                mrs x5, id_aa64mmfr0_el1
                mrs x6, ctr_el0
                mrs x7, dczid_el0
                mrs x8, clidr_el1
                mrs x9, id_aa64dfr0_el1
                mrs x10, id_pfr0_el1
                mrs x11, currentel
                """);
        step(r, 11);
        assertEquals(0x411fd070L, r.x(1));
        assertEquals(0x80000000L, r.x(2));
        assertEquals(0x11L, r.x(3)); // EL0/EL1 AArch64 only, FP and AdvSIMD, no EL2/EL3
        assertEquals(0x11120L, r.x(4)); // AES+PMULL, SHA1, SHA2, CRC32 as QEMU's a57
        assertEquals(0x24L, r.x(5)); // 44-bit PA, 16-bit ASID, 4K/64K granules, no 16K
        assertEquals(0x8444c004L, r.x(6));
        assertEquals(4L, r.x(7));
        assertEquals(0x0a200023L, r.x(8));
        assertEquals(0L, r.x(9) >>> 8 & 0xf); // no PMU
        assertEquals(0L, r.x(10)); // no AArch32
        assertEquals(4L, r.x(11));
        assertEquals(TestRig.RAM + 44, r.cpu.pc);
    }

    @Test
    void ccsidrFollowsCsselr() {
        TestRig r = rig("msr csselr_el1, x1\nmrs x2, ccsidr_el1");
        r.cpu.x[1] = 1; // L1 instruction cache
        step(r, 2);
        assertEquals(0x201fe012L, r.x(2));
    }

    @Test
    void idRegisterAtEl0IsUndefined() {
        TestRig r = rig("mrs x1, id_aa64pfr0_el1");
        r.cpu.el = 0;
        step(r, 1);
        assertEquals(VBAR + 0x400, r.cpu.pc);
        assertEquals(0x0200_0000L, r.cpu.sysregs.esr);
    }

    @Test
    void ctrAtEl0TrapsUnlessSctlrUct() {
        TestRig r = rig("mrs x2, ctr_el0\nmrs x3, ctr_el0");
        r.cpu.el = 0;
        step(r, 1);
        // EC 0x18, IL; ISS: op0 3, op2 1, op1 3, CRn 0, Rt 2, CRm 0, read
        assertEquals(0x6200_0000L | 3 << 20 | 1 << 17 | 3 << 14 | 2 << 5 | 1, r.cpu.sysregs.esr);
        assertEquals(TestRig.RAM, r.cpu.sysregs.elr);
        r.cpu.sysregs.sctlr |= SysRegs.SCTLR_UCT;
        r.cpu.el = 0;
        r.cpu.setPc(TestRig.RAM + 4);
        step(r, 1);
        assertEquals(0x8444c004L, r.x(3));
    }

    @Test
    void counterAtEl0FollowsCntkctl() {
        TestRig r = rig("mrs x3, cntvct_el0\nmrs x4, cntvct_el0\nmsr cntv_ctl_el0, x5");
        r.cpu.el = 0;
        step(r, 1);
        assertEquals(0x6200_0000L | 3 << 20 | 2 << 17 | 3 << 14 | 14 << 10 | 3 << 5 | 1, r.cpu.sysregs.esr);
        r.cpu.sysregs.cntkctl = 2; // EL0VCTEN
        r.cpu.el = 0;
        r.cpu.setPc(TestRig.RAM + 4);
        step(r, 2); // the counter is readable, the virtual timer still traps (EL0VTEN clear)
        assertEquals(0x6200_0000L | 3 << 20 | 1 << 17 | 3 << 14 | 14 << 10 | 3 << 1 | 5 << 5, r.cpu.sysregs.esr);
        assertEquals(TestRig.RAM + 8, r.cpu.sysregs.elr);
    }

    @Test
    void tpidrroIsReadOnlyAtEl0AndDaifNeedsUma() {
        TestRig r = rig("mrs x1, tpidrro_el0\nmsr tpidrro_el0, x1\nmrs x2, daif");
        r.cpu.sysregs.tpidrroEl0 = 0x77;
        r.cpu.el = 0;
        step(r, 2);
        assertEquals(0x77, r.x(1));
        assertEquals(0x0200_0000L, r.cpu.sysregs.esr); // the write: UNDEFINED
        r.cpu.el = 0;
        r.cpu.setPc(TestRig.RAM + 8);
        step(r, 1);
        assertEquals(Syndrome.EC_SYSREG, (int) (r.cpu.sysregs.esr >>> 26));
    }

    @Test
    void fpcrTrapsWhileCpacrDisablesFp() {
        TestRig r = rig("mrs x1, fpcr\nmsr cpacr_el1, x2\nmrs x1, fpcr");
        r.cpu.sysregs.cpacr = 0; // CPACR_EL1's reset value: FP traps at EL1 (the rig enables it)
        r.cpu.sysregs.updateFpAccess();
        step(r, 1);
        assertEquals(0x1fe0_0000L, r.cpu.sysregs.esr); // EC 0x07, IL, CV, COND 0b1110 (as QEMU's syn_fp_access_trap)
        r.cpu.x[2] = 3L << 20;
        r.cpu.fpcr = 0x0300_0000;
        r.cpu.setPc(TestRig.RAM + 4);
        step(r, 2);
        assertEquals(0x0300_0000L, r.x(1));
        assertTrue(!r.cpu.fpDisabled);
    }

    @Test
    void unknownAndV81RegistersAreUndefined() {
        TestRig r = rig(".arch armv8.1-a\nmrs x1, s3_0_c15_c0_0\nmsr pan, #1");
        step(r, 1);
        assertEquals(0x0200_0000L, r.cpu.sysregs.esr);
        r.cpu.sysregs.esr = 0;
        r.cpu.setPc(TestRig.RAM + 4);
        step(r, 1);
        assertEquals(0x0200_0000L, r.cpu.sysregs.esr);
        assertEquals(TestRig.RAM + 4, r.cpu.sysregs.elr);
    }

    @Test
    void gicCpuInterfaceRegistersGoToTheSysRegDevice() {
        TestRig r = rig("msr icc_pmr_el1, x1\nmrs x2, icc_pmr_el1\nmrs x3, id_aa64pfr0_el1\nmrs x4, icc_pmr_el1");
        long[] pmr = new long[1];
        int key = SysReg.key(3, 0, 4, 6, 0);
        r.cpu.setSysRegDevice(new SysRegDevice() {
            public boolean handles(int k) {
                return k == key;
            }

            public long read(int k) {
                return pmr[0];
            }

            public void write(int k, long value) {
                pmr[0] = value;
            }
        });
        r.cpu.x[1] = 0xf0;
        step(r, 3);
        assertEquals(0xf0, pmr[0]);
        assertEquals(0xf0, r.x(2));
        assertEquals(1, r.x(3) >>> 24 & 0xf); // GIC system register interface
        r.cpu.el = 0;
        step(r, 1);
        assertEquals(0x0200_0000L, r.cpu.sysregs.esr);
    }

    @Test
    void a57ImplementationDefinedRegistersAndTheCommsChannelReadZero() {
        TestRig r = rig("mrs x1, s3_1_c11_c0_2\nmsr s3_1_c15_c2_1, x5\nmrs x2, s3_1_c15_c2_1\nmrs x3, mdccsr_el0");
        r.cpu.x[1] = r.cpu.x[2] = r.cpu.x[3] = -1;
        r.cpu.x[5] = 0x40;
        step(r, 4);
        assertEquals(TestRig.RAM + 16, r.cpu.pc);
        assertEquals(0, r.x(1));
        assertEquals(0, r.x(2));
        assertEquals(0, r.x(3));
    }

    @Test
    void osLockIsSetAtResetAndClearedByOslar() {
        TestRig r = rig("mrs x1, oslsr_el1\nmsr oslar_el1, xzr\nmrs x2, oslsr_el1");
        step(r, 3);
        assertEquals(0b1010, r.x(1));
        assertEquals(0b1000, r.x(2));
    }

    @Test
    void stateRoundTrip() {
        TestRig r = rig("nop");
        SysRegs s = r.cpu.sysregs;
        s.write(SysRegs.TTBR0, 0, 0x0001_0000_4000_0000L);
        s.write(SysRegs.VBAR, 0, 0xffff_0000_0000_0800L);
        s.write(SysRegs.TPIDR_EL1, 0, 0x1234);
        s.write(SysRegs.MDSCR, 0, 0x8000);
        s.write(SysRegs.CPACR, 0, 3L << 20);
        s.write(GenericTimer.CNTV_CVAL, 0, 999);
        s.write(GenericTimer.CNTV_CTL, 0, 1);
        s.dbgbvr[3] = 0x4000;
        r.cpu.exceptions.illegalState = true;
        StateRecord rec = StateRecord.of(r.cpu);
        TestRig o = rig("nop");
        rec.restore(o.cpu);
        SysRegs t = o.cpu.sysregs;
        assertEquals(0x0001_0000_4000_0000L, t.ttbr0);
        assertEquals(0xffff_0000_0000_0800L, t.vbar);
        assertEquals(0x1234, t.tpidrEl1);
        assertEquals(0x8000, t.mdscr);
        assertEquals(3L << 20, t.cpacr);
        assertEquals(999, o.cpu.timer.read(GenericTimer.CNTV_CVAL));
        assertEquals(1, o.cpu.timer.read(GenericTimer.CNTV_CTL) & 1);
        assertEquals(0x4000, t.dbgbvr[3]);
        assertTrue(o.cpu.exceptions.illegalState);
        assertTrue(!o.cpu.fpDisabled);
    }
}
