package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.state.StateRecord;
import org.junit.jupiter.api.Test;

/** RDMSR/WRMSR: values, read-only parts, #GP cases, the TSC offset and deadline, state. */
class MsrsTest {
    private static final String GP = Vectors.GP + ":0";

    private final MmuRig r = new MmuRig();
    private final Msrs m = r.c.msrs;

    private String rd(int index) {
        return r.fault(() -> m.read(index));
    }

    private String wr(int index, long v) {
        return r.fault(() -> m.write(index, v));
    }

    @Test
    void unknownMsrsAreGeneralProtectionFaults() {
        for (int index : new int[] {0x48, 0x49, 0x10a, 0x179, 0x802, 0xc0010015, 0x40000000, 0x12345678}) {
            assertEquals(GP, rd(index), Integer.toHexString(index));
            assertEquals(GP, wr(index, 0), Integer.toHexString(index));
        }
    }

    @Test
    void readOnlyMsrsRefuseWrites() {
        assertEquals((X86Clocks.TSC_HZ / X86Clocks.BUS_HZ) << 8, m.read(Msrs.MSR_PLATFORM_INFO));
        assertEquals(GP, wr(Msrs.MSR_PLATFORM_INFO, 0));
        assertEquals(0x508, m.read(Msrs.IA32_MTRRCAP));
        assertEquals(GP, wr(Msrs.IA32_MTRRCAP, 0));
        m.write(Msrs.IA32_DEBUGCTL, 0);
        assertEquals(0, m.read(Msrs.IA32_DEBUGCTL));
        assertEquals(GP, wr(Msrs.IA32_DEBUGCTL, 2), "no BTF");
        m.write(Msrs.IA32_BIOS_SIGN_ID, 0);
        assertEquals(0, m.read(Msrs.IA32_BIOS_SIGN_ID), "no microcode");
    }

    @Test
    void eferReservedBitsLmaAndLme() {
        assertEquals(GP, wr(Msrs.IA32_EFER, 1 << 12), "SVME is not reported");
        assertEquals(GP, wr(Msrs.IA32_EFER, 1L << 32));
        m.write(Msrs.IA32_EFER, X86Cpu.EFER_SCE | X86Cpu.EFER_LME | X86Cpu.EFER_NXE | X86Cpu.EFER_LMA);
        assertEquals(X86Cpu.EFER_SCE | X86Cpu.EFER_LME | X86Cpu.EFER_NXE, m.read(Msrs.IA32_EFER), "LMA is the CPU's");
        r.c.efer |= X86Cpu.EFER_LMA;
        r.c.cr0 |= X86Cpu.CR0_PG | X86Cpu.CR0_PE;
        m.write(Msrs.IA32_EFER, X86Cpu.EFER_LME); // clearing SCE/NXE keeps LMA
        assertEquals(X86Cpu.EFER_LME | X86Cpu.EFER_LMA, r.c.efer);
        assertEquals(GP, wr(Msrs.IA32_EFER, 0), "LME cannot change while paging is on");
    }

    @Test
    void segmentBasesAndCanonicalChecks() {
        m.write(Msrs.IA32_FS_BASE, 0x7f00_1234_5000L);
        m.write(Msrs.IA32_GS_BASE, 0xffff_8880_0000_0000L);
        assertEquals(0x7f00_1234_5000L, r.c.seg[X86Cpu.FS].base);
        assertEquals(0xffff_8880_0000_0000L, m.read(Msrs.IA32_GS_BASE));
        for (int index : new int[] {Msrs.IA32_FS_BASE, Msrs.IA32_GS_BASE, Msrs.IA32_KERNEL_GS_BASE, Msrs.IA32_LSTAR,
                Msrs.IA32_CSTAR, Msrs.IA32_SYSENTER_ESP, Msrs.IA32_SYSENTER_EIP}) {
            assertEquals(GP, wr(index, 0x0000_8000_0000_0000L), Integer.toHexString(index));
        }
        assertEquals(0xffff_8880_0000_0000L, r.c.seg[X86Cpu.GS].base, "unchanged by the faulting write");
        m.write(Msrs.IA32_STAR, 0x0023_0010_0000_0000L);
        m.write(Msrs.IA32_FMASK, 0x4_7700L);
        assertEquals(0x0023_0010_0000_0000L, m.read(Msrs.IA32_STAR));
        assertEquals(0x4_7700L, m.read(Msrs.IA32_FMASK));
    }

    @Test
    void patAndMtrrMemoryTypesAreChecked() {
        assertEquals(Msrs.PAT_DEFAULT, m.read(Msrs.IA32_PAT));
        assertEquals(GP, wr(Msrs.IA32_PAT, 0x0007_0406_0007_0402L), "type 2 is reserved");
        assertEquals(GP, wr(Msrs.IA32_PAT, 0x0007_0406_0007_0408L), "type 8 is reserved");
        m.write(Msrs.IA32_PAT, 0x0407_0501_0007_0406L);
        assertEquals(0x0407_0501_0007_0406L, m.read(Msrs.IA32_PAT));
        m.write(Msrs.IA32_MTRR_DEF_TYPE, 0xc06);
        assertEquals(0xc06, m.read(Msrs.IA32_MTRR_DEF_TYPE));
        assertEquals(GP, wr(Msrs.IA32_MTRR_DEF_TYPE, 0x1006));
        assertEquals(GP, wr(Msrs.IA32_MTRR_DEF_TYPE, 7));
        m.write(0x200, 0x8000_0006L);
        m.write(0x201, 0xff_8000_0800L);
        assertEquals(0xff_8000_0800L, m.read(0x201));
        assertEquals(GP, wr(0x203, 0x100_0000_0800L), "mask above 40 physical bits");
        assertEquals(GP, wr(0x202, 0x102), "base type 2");
        m.write(Msrs.IA32_MTRR_FIX4K_F8000, 0x0606_0606_0505_0404L);
        assertEquals(0x0606_0606_0505_0404L, m.read(Msrs.IA32_MTRR_FIX4K_F8000));
        assertEquals(GP, wr(Msrs.IA32_MTRR_FIX64K_00000, 0x0306_0606_0606_0606L));
        assertEquals(GP, rd(0x210), "only 8 variable pairs");
    }

    @Test
    void tscWritesOffsetTheCounterAndMoveTscAdjust() {
        r.clock.addInstructions(1000); // 1 us at one instruction per ns
        long before = m.read(Msrs.IA32_TSC);
        assertEquals(X86Clocks.TSC_HZ / 1_000_000, before, "the guest clock's ticks");
        m.write(Msrs.IA32_TSC, 1_000_000);
        assertEquals(1_000_000, m.tsc());
        assertEquals(1_000_000 - before, m.read(Msrs.IA32_TSC_ADJUST));
        r.clock.addInstructions(1000);
        assertEquals(1_000_000 + X86Clocks.TSC_HZ / 1_000_000, m.tsc());
        m.write(Msrs.IA32_TSC_ADJUST, 0);
        assertEquals(before + X86Clocks.TSC_HZ / 1_000_000, m.tsc(), "TSC_ADJUST moves the TSC back");
        assertEquals(r.clock.nanos() + 500, m.nanosAtTsc(m.tsc() + X86Clocks.TSC_HZ / 2_000_000));
    }

    @Test
    void tscDeadlineGoesToTheLocalApic() {
        assertEquals(0, m.read(Msrs.IA32_TSC_DEADLINE), "stored while no local APIC is connected");
        long[] armed = {-1};
        r.c.setInterruptSource(new InterruptSource() {
            @Override
            public boolean hasInterrupt() {
                return false;
            }

            @Override
            public int acknowledge() {
                return 0;
            }

            @Override
            public long tscDeadline() {
                return armed[0];
            }

            @Override
            public void setTscDeadline(long value) {
                armed[0] = value;
            }
        });
        m.write(Msrs.IA32_TSC_DEADLINE, 123456);
        assertEquals(123456, armed[0]);
        assertEquals(123456, m.read(Msrs.IA32_TSC_DEADLINE));
    }

    @Test
    void apicBaseRejectsX2apicAndKeepsBsp() {
        assertEquals(0xfee0_0900L, m.read(Msrs.IA32_APIC_BASE));
        assertEquals(GP, wr(Msrs.IA32_APIC_BASE, 0xfee0_0c00L), "no x2APIC");
        assertEquals(GP, wr(Msrs.IA32_APIC_BASE, 0x100_fee0_0800L), "above the physical address width");
        m.write(Msrs.IA32_APIC_BASE, 0xfed0_0000L); // disable, move, try to clear BSP
        assertEquals(0xfed0_0100L, m.read(Msrs.IA32_APIC_BASE));
    }

    @Test
    void tscAuxNeedsRdtscpAndFeatureControlLocks() {
        m.write(Msrs.IA32_TSC_AUX, 7);
        assertEquals(7, m.read(Msrs.IA32_TSC_AUX));
        assertEquals(GP, wr(Msrs.IA32_TSC_AUX, 1L << 32));
        r.c.model = X86Model.QEMU64;
        assertEquals(GP, rd(Msrs.IA32_TSC_AUX), "qemu64 has no RDTSCP");
        m.write(Msrs.IA32_FEATURE_CONTROL, 1);
        assertEquals(1, m.read(Msrs.IA32_FEATURE_CONTROL));
        assertEquals(GP, wr(Msrs.IA32_FEATURE_CONTROL, 0), "locked");
        assertEquals(GP, new MsrsTest().wr(Msrs.IA32_FEATURE_CONTROL, 5), "VMX in SMX is not reported");
    }

    @Test
    void stateRoundTripsAndOldStateLoadsWithDefaults() {
        m.write(Msrs.IA32_LSTAR, 0xffff_ffff_8100_0000L);
        m.write(Msrs.IA32_MISC_ENABLE, 0x850089);
        m.write(0x205, 0xff_f000_0800L);
        m.write(Msrs.IA32_MTRR_FIX16K_A0000, 0x0101_0101_0101_0101L);
        m.write(Msrs.IA32_TSC, 5_000_000);
        StateRecord saved = StateRecord.of(r.c);
        MmuRig other = new MmuRig();
        saved.restore(other.c);
        Msrs o = other.c.msrs;
        assertEquals(0xffff_ffff_8100_0000L, o.read(Msrs.IA32_LSTAR));
        assertEquals(0x850089, o.read(Msrs.IA32_MISC_ENABLE));
        assertEquals(0xff_f000_0800L, o.read(0x205));
        assertEquals(0x0101_0101_0101_0101L, o.read(Msrs.IA32_MTRR_FIX16K_A0000));
        assertEquals(5_000_000, o.tsc(), "both clocks stand at 0");
        // a snapshot from before these fields: defaults
        StateRecord old = new StateRecord("cpu0", 1);
        for (String f : new String[] {"star", "lstar", "cstar", "fmask", "kernel_gs_base", "tsc_aux", "sysenter_cs",
                "sysenter_esp", "sysenter_eip", "pat", "apic_base"}) {
            old.putLong("msr." + f, saved.getLong("msr." + f));
        }
        o.loadState(old);
        assertEquals(Msrs.MISC_ENABLE_DEFAULT, o.read(Msrs.IA32_MISC_ENABLE));
        assertEquals(0, o.read(0x205));
        assertTrue(o.read(Msrs.IA32_TSC) >= 0);
    }
}
