package dev.jemu.riscv.sbi;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.chardev.NullCharBackend;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.devices.Uart16550;
import dev.jemu.riscv.cpu.Hart;
import dev.jemu.riscv.cpu.HartGroup;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-in SBI's HSM, IPI and RFENCE calls on a four-hart rig, each call as a hart's ECALL makes it. */
class SbiHartsTest {
    static final long RAM = 0x80000000L;
    static final int SATP = 0x180, SSTATUS = 0x100, MIP = 0x344, MIDELEG = 0x303, MTVEC = 0x305;
    final AddressSpace bus = new AddressSpace();
    final GuestRam ram = new GuestRam(1 << 20);
    final VirtualClock clock = VirtualClock.instructionCount(0);
    final MachineLoop loop = new MachineLoop(clock);
    final List<Hart> harts = new ArrayList<>();
    final BuiltinSbi sbi;

    SbiHartsTest() {
        bus.addRam("ram", RAM, ram);
        Timebase tb = new Timebase(clock, 10_000_000);
        for (int i = 0; i < 4; i++) {
            harts.add(new Hart(i, bus, loop, tb));
        }
        Uart16550 uart = new Uart16550("uart", l -> { }, new NullCharBackend());
        sbi = new BuiltinSbi(bus, uart, e -> { }, new HartGroup(harts));
        sbi.prepare(harts.get(0), RAM + 0x200000, RAM + 0xf0000, 0x1100);
        for (Hart h : harts.subList(1, 4)) {
            h.stop();
        }
    }

    /** Performs one call on {@code hart}; returns {a0, a1}. */
    long[] call(Hart hart, long eid, long fid, long... args) {
        return BuiltinSbiTest.call(sbi, hart, eid, fid, args);
    }

    long[] call(long eid, long fid, long... args) {
        return call(harts.get(0), eid, fid, args);
    }

    long status(int hart) {
        long[] r = call(Sbi.EXT_HSM, 2, hart);
        assertEquals(0, r[0]);
        return r[1];
    }

    boolean ssip(int hart) {
        return (harts.get(hart).csr(MIP) & 2) != 0;
    }

    @Test
    void hartStartEntersSModeAsTheSpecSays() {
        assertEquals(List.of(0L, 1L, 1L, 1L), List.of(status(0), status(1), status(2), status(3)));
        assertArrayEquals(new long[] {Sbi.ERR_INVALID_PARAM, 0}, call(Sbi.EXT_HSM, 2, 4), "no hart 4");
        assertEquals(0, call(Sbi.EXT_HSM, 0, 2, RAM + 0x1000, 0x1234)[0]);
        Hart h = harts.get(2);
        assertFalse(h.isStopped());
        assertEquals(0, status(2));
        assertEquals(RAM + 0x1000, h.pc());
        assertEquals(1, h.privilege());
        assertEquals(2, h.reg(10), "a0 = hart id");
        assertEquals(0x1234, h.reg(11), "a1 = opaque");
        assertEquals(0, h.csr(SATP));
        assertEquals(0, h.csr(SSTATUS) & 2, "SIE clear");
        assertEquals(0x222, h.csr(MIDELEG), "the same M-mode set-up as hart 0");
        assertEquals(0x1100, h.csr(MTVEC));
        assertEquals(Sbi.ERR_ALREADY_AVAILABLE, call(Sbi.EXT_HSM, 0, 2, RAM, 0)[0]);
        assertEquals(Sbi.ERR_ALREADY_AVAILABLE, call(Sbi.EXT_HSM, 0, 0, RAM, 0)[0], "the caller itself");
        assertEquals(Sbi.ERR_INVALID_ADDRESS, call(Sbi.EXT_HSM, 0, 3, 0x10, 0)[0], "nothing to fetch there");
        assertTrue(harts.get(3).isStopped());
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.EXT_HSM, 0, 9, RAM, 0)[0]);
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.EXT_HSM, 0, -1L, RAM, 0)[0]);
    }

    @Test
    void hartStopStopsTheCallerButNeverTheLastHart() {
        call(Sbi.EXT_HSM, 0, 1, RAM, 0);
        call(harts.get(1), Sbi.EXT_HSM, 1);
        assertTrue(harts.get(1).isStopped());
        assertTrue(harts.get(1).isHalted());
        assertEquals(1, status(1));
        assertArrayEquals(new long[] {Sbi.ERR_FAILED, 0}, call(Sbi.EXT_HSM, 1), "hart 0 is the only one running");
        assertFalse(harts.get(0).isStopped());
        assertEquals(0, call(Sbi.EXT_HSM, 0, 1, RAM + 0x40, 7)[0], "a stopped hart starts again");
        assertEquals(RAM + 0x40, harts.get(1).pc());
    }

    @Test
    void hartSuspend() {
        Hart h = harts.get(0);
        h.setCsr(0x304, 0); // mie: nothing can wake it
        assertEquals(0, call(Sbi.EXT_HSM, 3, 0, 0, 0)[0], "default retentive suspend");
        assertTrue(h.isHalted(), "waits for an interrupt as WFI does");
        h.setCsr(0x304, 2);
        h.setCsr(MIP, 2); // SSIP enabled and pending: it wakes
        assertFalse(h.isHalted());
        assertEquals(0, call(Sbi.EXT_HSM, 3, 0, 0, 0)[0]);
        assertFalse(h.isHalted(), "an interrupt already pending: no wait");
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.EXT_HSM, 3, 1, 0, 0)[0], "reserved type");
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.EXT_HSM, 3, 1L << 32, 0, 0)[0], "reserved type");
        assertEquals(Sbi.ERR_NOT_SUPPORTED, call(Sbi.EXT_HSM, 3, 0x10000000L, 0, 0)[0], "platform retentive");
        assertEquals(Sbi.ERR_NOT_SUPPORTED, call(Sbi.EXT_HSM, 3, 0x90000000L, RAM, 0)[0], "platform non-retentive");
        assertEquals(Sbi.ERR_INVALID_ADDRESS, call(Sbi.EXT_HSM, 3, 0x80000000L, 0x10, 0)[0]);
        call(Sbi.EXT_HSM, 3, 0x80000000L, RAM + 0x80, 0x99);
        assertEquals(RAM + 0x80, h.pc(), "default non-retentive: resumes at resume_addr");
        assertEquals(0, h.reg(10));
        assertEquals(0x99, h.reg(11));
        assertEquals(1, h.privilege());
    }

    /** hart_get_status: SUSPENDED (4) while a hart waits in a retentive or non-retentive suspend, not in a WFI. */
    @Test
    void hartGetStatusSaysSuspendedDuringASuspend() {
        call(Sbi.EXT_HSM, 0, 1, RAM, 0);
        Hart h = harts.get(1);
        h.setCsr(0x304, 0); // mie: nothing wakes it
        assertEquals(0, call(h, Sbi.EXT_HSM, 3, 0, 0, 0)[0]);
        assertEquals(4, status(1), "retentive suspend");
        h.setCsr(0x304, 2);
        h.setCsr(MIP, 2); // SSIP enabled and pending: the suspend ends when the hart looks
        assertFalse(h.isHalted());
        assertEquals(0, status(1), "resumed: STARTED");
        h.setCsr(MIP, 0);
        call(h, Sbi.EXT_HSM, 3, 0x80000000L, RAM + 0x80, 0);
        assertEquals(4, status(1), "non-retentive suspend");
        h.setCsr(0x304, 2); // the resumed S-mode enables SSIP (the M-mode set-up left mie as it likes)
        h.setCsr(MIP, 2);
        assertFalse(h.isHalted());
        assertEquals(0, status(1));
        h.setCsr(MIP, 0);
        h.setCsr(0x304, 0);
        h.waitForInterrupt(); // a plain WFI is no suspend
        assertTrue(h.isHalted());
        assertEquals(0, status(1), "WFI: STARTED");
        call(h, Sbi.EXT_HSM, 1);
        assertEquals(1, status(1), "stopped");
    }

    @Test
    void ipiToAHartMask() {
        assertEquals(0, call(Sbi.EXT_IPI, 0, 0b101, 0)[0]);
        assertEquals(List.of(true, false, true, false), List.of(ssip(0), ssip(1), ssip(2), ssip(3)));
        assertEquals(0, call(Sbi.EXT_IPI, 0, 0b1, 3)[0], "hart_mask_base 3");
        assertTrue(ssip(3));
        assertFalse(ssip(1));
        assertEquals(0, call(Sbi.EXT_IPI, 0, 0, -1L)[0], "base -1: every hart");
        assertTrue(ssip(1));
        for (Hart h : harts) {
            h.setCsr(MIP, 0);
        }
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.EXT_IPI, 0, 0b10001, 0)[0], "hart 4 does not exist");
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.EXT_IPI, 0, 0b1, 4)[0]);
        assertEquals(0, call(Sbi.EXT_IPI, 0, 0, 0)[0], "an empty mask is no error");
        assertEquals(List.of(false, false, false, false), List.of(ssip(0), ssip(1), ssip(2), ssip(3)));
    }

    @Test
    void remoteFences() {
        assertEquals(0, call(Sbi.EXT_RFENCE, 0, 0b1111, 0)[0], "fence.i");
        assertEquals(0, call(Sbi.EXT_RFENCE, 1, 0b0110, 0, RAM, 0x2000)[0], "sfence.vma");
        assertEquals(0, call(Sbi.EXT_RFENCE, 2, 0, -1L, 0, -1L, 5)[0], "sfence.vma.asid, every hart");
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.EXT_RFENCE, 1, 0b100000, 0, 0, -1L)[0]);
        assertEquals(Sbi.ERR_NOT_SUPPORTED, call(Sbi.EXT_RFENCE, 3, 1, 0, 0, -1L)[0], "no hypervisor fences");
    }

    @Test
    void legacyCallsReadTheirMaskFromSModeMemory() {
        ram.writeLong(0x300, 0b1010);
        assertEquals(0, call(Sbi.LEGACY_SEND_IPI, 0, RAM + 0x300)[0]);
        assertEquals(List.of(false, true, false, true), List.of(ssip(0), ssip(1), ssip(2), ssip(3)));
        assertEquals(0, call(Sbi.LEGACY_SEND_IPI, 0, 0)[0], "a null mask: every hart");
        assertTrue(ssip(0));
        assertEquals(0, call(Sbi.LEGACY_CLEAR_IPI, 0)[0]);
        assertFalse(ssip(0), "clears the caller's own");
        assertTrue(ssip(2));
        assertEquals(0, call(Sbi.LEGACY_REMOTE_FENCE_I, 0, RAM + 0x300)[0]);
        assertEquals(0, call(Sbi.LEGACY_REMOTE_SFENCE_VMA, 0, RAM + 0x300, 0, -1L)[0]);
        ram.writeLong(0x308, 0b110000);
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.LEGACY_SEND_IPI, 0, RAM + 0x308)[0], "harts 4, 5");
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.LEGACY_SEND_IPI, 0, 0x10)[0], "unreadable mask");
    }
}
