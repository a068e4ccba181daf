package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.gdb.DebugPoints;
import dev.jemu.core.gdb.StopReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hart under the gdb stub's {@link HartGdb}: breakpoints stop before the instruction even after the code
 * around them was compiled, a step runs exactly one instruction, a watched store stops before it writes, and
 * registers use QEMU 7.2's numbering.
 */
class HartGdbTest {
    static final long CODE = RAM_BASE + 0x1000, DATA = RAM_BASE + 0x8000;
    static final int ITERATIONS = 100_000; // past the JIT's threshold: the loop runs compiled

    private final List<StopReason> stops = new ArrayList<>();

    /** li a0,0; li a1,N; loop: addi a0,a0,1; blt a0,a1,loop; then: addi a2,a0,7; sd a2,0(s0); halt. */
    private static Asm program() {
        Asm a = new Asm(CODE).li(S0, DATA).li(A0, 0).li(A1, ITERATIONS);
        long loop = a.here();
        a.addi(A0, A0, 1).blt(A0, A1, (int) (loop - a.here()));
        return a;
    }

    private TestRig rig(Asm a) {
        TestRig rig = new TestRig().handlers().openPmp();
        rig.load(a);
        rig.hart.setPc(CODE);
        return rig;
    }

    private DebugPoints attach(TestRig rig, HartGdb gdb) {
        DebugPoints points = new DebugPoints(r -> {
            stops.add(r);
            rig.loop.pause(); // as MachineControl.debugStop: the hart returns from run
        });
        gdb.attachDebugger(points, 0);
        return points;
    }

    @Test
    void breakpointStopsBeforeTheInstructionAfterCompiledCode() {
        Asm a = program();
        long far = CODE + 0x1000; // another page: the loop's page keeps its compiled block
        a.jal(ZERO, (int) (far - a.here()));
        Asm b = new Asm(far).addi(A2, A0, 7).sd(A2, S0, 0).halt();
        TestRig rig = rig(a);
        rig.load(b);
        HartGdb gdb = new HartGdb(rig.hart);
        DebugPoints points = attach(rig, gdb);
        points.addBreakpoint(far, true);
        gdb.attachDebugger(points, 0);
        rig.hart.run(10 * ITERATIONS);
        assertEquals(List.of(new StopReason(StopReason.Kind.SOFTWARE_BREAKPOINT, 0, far)), stops);
        assertEquals(far, rig.hart.pc());
        assertEquals(ITERATIONS, rig.hart.reg(A0));
        assertEquals(0, rig.hart.reg(A2), "the instruction at the breakpoint did not run");
        gdb.attachDebugger(null, 0); // detached: runs on
        rig.run(1000);
        assertEquals(ITERATIONS + 7, rig.read64(DATA));
    }

    @Test
    void breakpointInsideAlreadyCompiledLoop() {
        Asm a = program();
        long loop = a.here() - 8;
        a.halt();
        TestRig rig = rig(a);
        rig.hart.run(3 * ITERATIONS / 2); // no debugger: the loop is entered often enough to be compiled
        long reached = rig.hart.reg(A0);
        assertTrue(reached > 0 && reached < ITERATIONS, "mid-loop: " + reached);
        DecodedPage page = rig.hart.code.get(CODE & ~0xfffL);
        JitBlock compiled = page.blocks == null ? null : page.blocks[(int) (loop & 0xfff) >>> 1];
        assertTrue(page.blocks == null || compiled != null && compiled != JitBlock.NONE, "the loop runs compiled");
        HartGdb gdb = new HartGdb(rig.hart);
        DebugPoints points = attach(rig, gdb);
        points.addBreakpoint(loop, false);
        gdb.attachDebugger(points, 0);
        rig.hart.run(1000);
        assertEquals(List.of(new StopReason(StopReason.Kind.HARDWARE_BREAKPOINT, 0, loop)), stops);
        assertEquals(loop, rig.hart.pc());
        assertTrue(rig.hart.reg(A0) - reached <= 1, "stopped at the next iteration, not after the loop");
    }

    @Test
    void stepRunsOneInstruction() {
        Asm a = program();
        a.halt();
        TestRig rig = rig(a);
        HartGdb gdb = new HartGdb(rig.hart);
        attach(rig, gdb);
        gdb.setSingleStep(true);
        rig.hart.run(1000);
        assertEquals(1, stops.size());
        assertEquals(StopReason.Kind.STEP, stops.get(0).kind());
        assertEquals(rig.hart.pc(), stops.get(0).address());
        assertTrue(rig.hart.pc() > CODE && rig.hart.pc() <= CODE + 8, "one instruction of li: " + rig.hart.pc());
    }

    @Test
    void watchedStoreStopsBeforeItWrites() {
        Asm a = program();
        long store = a.here() + 4;
        a.addi(A2, A0, 7).sd(A2, S0, 0).halt();
        TestRig rig = rig(a);
        HartGdb gdb = new HartGdb(rig.hart);
        DebugPoints points = attach(rig, gdb);
        points.addWatch(DATA + 4, 4, DebugPoints.WatchKind.WRITE);
        gdb.attachDebugger(points, 0);
        rig.hart.run(10 * ITERATIONS);
        assertEquals(List.of(new StopReason(StopReason.Kind.WRITE_WATCH, 0, DATA + 4)), stops);
        assertEquals(store, rig.hart.pc());
        assertEquals(0, rig.read64(DATA), "stopped before the store");
    }

    @Test
    void registersUseQemusNumbering() {
        TestRig rig = rig(new Asm(CODE).halt());
        HartGdb gdb = new HartGdb(rig.hart);
        rig.hart.setReg(A0, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, value(gdb.readRegister(10)));
        assertEquals(CODE, value(gdb.readRegister(32)));
        assertEquals(3, value(gdb.readRegister(65)), "priv");
        assertEquals(rig.hart.csr(Csr.MSTATUS), value(gdb.readRegister(66 + Csr.MSTATUS)));
        assertTrue(gdb.writeRegister(66 + Csr.FCSR, bytes(0xe5)));
        assertEquals(7, value(gdb.readRegister(66 + Csr.FRM)));
        assertEquals(5, value(gdb.readRegister(66 + Csr.FFLAGS)));
        assertTrue(gdb.writeRegister(0, bytes(5)), "x0 ignores writes");
        assertEquals(0, value(gdb.readRegister(0)));
        assertNull(gdb.readRegister(66 + 0x600), "no hstatus: jemu has no H extension");
        assertEquals(33, gdb.generalRegisterCount());
        String csrs = gdb.targetDescription("riscv-csr.xml");
        assertTrue(csrs.contains("<reg name=\"fflags\" bitsize=\"64\" regnum=\"67\"/>"), csrs);
        assertTrue(csrs.contains("<reg name=\"mstatus\" bitsize=\"64\" regnum=\"834\"/>"), csrs);
        assertTrue(!csrs.contains("pmpcfg1"), "odd pmpcfg registers do not exist on RV64");
        byte[] mem = new byte[4];
        assertEquals(4, gdb.readMemory(CODE, mem, 4));
        assertEquals(0, gdb.readMemory(0, mem, 4), "nothing at 0");
    }

    private static long value(byte[] b) {
        long v = 0;
        for (int i = b.length - 1; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    private static byte[] bytes(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }
}
