package dev.jemu.riscv.sbi;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.devices.Uart16550;
import dev.jemu.riscv.cpu.Hart;
import dev.jemu.riscv.cpu.HartGroup;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class BuiltinSbiTest {
    static final long RAM = 0x80000000L;
    final ByteArrayOutputStream console = new ByteArrayOutputStream();
    final AddressSpace bus = new AddressSpace();
    final GuestRam ram = new GuestRam(1 << 20);
    final VirtualClock clock = VirtualClock.instructionCount(0);
    final Hart hart;
    final Uart16550 uart;
    final List<ExitRequest> exits = new ArrayList<>();
    final BuiltinSbi sbi;

    BuiltinSbiTest() {
        bus.addRam("ram", RAM, ram);
        hart = new Hart(0, bus, new MachineLoop(clock), new Timebase(clock, 10_000_000));
        uart = new Uart16550("uart", l -> { }, new CharBackend() {
            @Override
            public void write(byte[] d, int off, int len) {
                console.write(d, off, len);
            }

            @Override
            public void connect(CharReceiver r, Consumer<Runnable> poster) {
            }
        });
        sbi = new BuiltinSbi(bus, uart, exits::add, new HartGroup(List.of(hart)));
        sbi.prepare(hart, RAM + 0x200000, RAM + 0xf0000, 0x1100);
    }

    /** Performs one call; returns {a0, a1}. */
    long[] call(long eid, long fid, long... args) {
        return call(sbi, hart, eid, fid, args);
    }

    /** Performs one call of {@code hart} into {@code sbi} as its ECALL would; returns {a0, a1}. */
    static long[] call(BuiltinSbi sbi, Hart hart, long eid, long fid, long... args) {
        hart.setReg(17, eid);
        hart.setReg(16, fid);
        for (int i = 0; i < args.length; i++) {
            hart.setReg(10 + i, args[i]);
        }
        assertTrue(sbi.ecall(hart));
        return new long[] {hart.reg(10), hart.reg(11)};
    }

    @Test
    void preparesSModeEntryLikeOpenSbi() {
        assertEquals(1, hart.privilege());
        assertEquals(RAM + 0x200000, hart.pc());
        assertEquals(0, hart.reg(10));
        assertEquals(RAM + 0xf0000, hart.reg(11));
        assertEquals(0x222, hart.csr(0x303), "mideleg: SSI, STI, SEI");
        assertEquals(0, hart.csr(0x302) & (1 << 9), "ECALL from S is not delegated");
        assertNotEquals(0, hart.csr(0x302) & (1 << 13), "load page faults are delegated");
        assertEquals(1L << 63, hart.csr(0x30a) & (1L << 63), "menvcfg.STCE");
    }

    @Test
    void baseExtension() {
        assertArrayEquals(new long[] {0, 2L << 24}, call(Sbi.EXT_BASE, 0));
        assertArrayEquals(new long[] {0, Sbi.IMPL_ID}, call(Sbi.EXT_BASE, 1));
        for (long eid : new long[] {Sbi.EXT_TIME, Sbi.EXT_IPI, Sbi.EXT_RFENCE, Sbi.EXT_SRST, Sbi.EXT_HSM, Sbi.EXT_DBCN}) {
            assertArrayEquals(new long[] {0, 1}, call(Sbi.EXT_BASE, 3, eid), Long.toHexString(eid));
        }
        assertArrayEquals(new long[] {0, 0}, call(Sbi.EXT_BASE, 3, 0x43505043), "no CPPC"); // (PMU: SbiPmuTest)
        assertEquals(Sbi.ERR_NOT_SUPPORTED, call(0x43505043, 0)[0]);
        assertEquals(Sbi.ERR_NOT_SUPPORTED, call(Sbi.EXT_BASE, 99)[0]);
    }

    @Test
    void timerIpiAndHsm() {
        assertEquals(0, call(Sbi.EXT_TIME, 0, 123456)[0]);
        assertEquals(123456, hart.csr(0x14d), "stimecmp");
        assertEquals(0, call(Sbi.EXT_IPI, 0, 1, 0)[0]);
        assertEquals(2, hart.csr(0x344) & 2, "SSIP set");
        assertArrayEquals(new long[] {0, 0}, call(Sbi.EXT_HSM, 2, 0), "hart 0 started");
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.EXT_HSM, 2, 1)[0]);
        assertEquals(Sbi.ERR_ALREADY_AVAILABLE, call(Sbi.EXT_HSM, 0, 0, RAM, 0)[0]);
        assertEquals(0, call(Sbi.EXT_RFENCE, 1, 0, 0, 0, -1L)[0]);
    }

    @Test
    void debugConsoleAndLegacyConsole() {
        ram.load(0x100, "hello".getBytes());
        assertArrayEquals(new long[] {0, 5}, call(Sbi.EXT_DBCN, 0, 5, RAM + 0x100, 0));
        call(Sbi.EXT_DBCN, 2, '!');
        call(Sbi.LEGACY_CONSOLE_PUTCHAR, 0, '?');
        assertEquals("hello!?", console.toString());
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.EXT_DBCN, 0, 5, 0x10, 0)[0], "unbacked memory");
        assertEquals(-1, call(Sbi.LEGACY_CONSOLE_GETCHAR, 0)[0], "no input");
        uart.receive("a".getBytes(), 0, 1);
        assertEquals('a', call(Sbi.LEGACY_CONSOLE_GETCHAR, 0)[0]);
        uart.receive("b".getBytes(), 0, 1); // without FIFOs the UART holds one byte
        assertArrayEquals(new long[] {0, 1}, call(Sbi.EXT_DBCN, 1, 8, RAM + 0x200, 0));
        assertEquals('b', ram.readByte(0x200));
    }

    @Test
    void systemReset() {
        call(Sbi.EXT_SRST, 0, Sbi.SRST_SHUTDOWN, Sbi.SRST_REASON_NONE);
        call(Sbi.EXT_SRST, 0, Sbi.SRST_COLD_REBOOT, 0);
        assertEquals(Sbi.ERR_INVALID_PARAM, call(Sbi.EXT_SRST, 0, 7, 0)[0]);
        call(Sbi.LEGACY_SHUTDOWN, 0);
        assertEquals(List.of(ExitRequest.poweroff(0), ExitRequest.reset(), ExitRequest.poweroff(0)), exits);
    }
}
