package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.jemu.core.state.StateRecord;
import dev.jemu.core.state.StateWriter;
import java.lang.reflect.Proxy;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Sdtrig triggers: the CSRs' WARL read-back as QEMU 7.2 shows it, and breakpoints from execute/load/store matches. */
class TriggerTest {
    static final long CODE = RAM_BASE + 0x1000, USER = RAM_BASE + 0x2000, DATA = RAM_BASE + 0x8000;
    static final long T2 = 2L << 60, T6 = 6L << 60;
    static final long M = 1 << 6, S = 1 << 4, U = 1 << 3, X = 4, ST = 2, LD = 1;

    static long writeRead(Hart h, int csr, long v) {
        h.setCsr(csr, v);
        return h.csr(csr);
    }

    @Test
    void csrsReadBackAsQemu() {
        Hart h = new TestRig().hart;
        assertEquals(0, h.csr(Csr.TSELECT));
        assertEquals(T2, h.csr(Csr.TDATA1));
        assertEquals(0x44, h.csr(Csr.TINFO));
        assertEquals(1, writeRead(h, Csr.TSELECT, 1));
        assertEquals(1, writeRead(h, Csr.TSELECT, 2), "only two triggers: tselect keeps 1");
        assertEquals(1, writeRead(h, Csr.TSELECT, -1));
        h.setCsr(Csr.TSELECT, 0);
        assertEquals(T2 | 0x5f, writeRead(h, Csr.TDATA1, T2 | 0x7ffffff));
        assertEquals(T2 | 0x44, writeRead(h, Csr.TDATA1, T2 | 1L << 59 | M | X), "dmode reads 0");
        assertEquals(T2 | 4, writeRead(h, Csr.TDATA1, T2 | 0x3fL << 53 | X), "maskmax reads 0");
        assertEquals(T2 | 0x30001, writeRead(h, Csr.TDATA1, T2 | 3 << 16 | LD), "size 4 kept");
        assertEquals(T2 | 1, writeRead(h, Csr.TDATA1, T2 | 1 << 21 | LD), "size 6 is any size");
        assertEquals(T2 | 0x210001, writeRead(h, Csr.TDATA1, T2 | 1 << 21 | 1 << 16 | LD), "size 8 kept");
        assertEquals(T2 | 4, writeRead(h, Csr.TDATA1, T2 | 1 << 12 | 1 << 11 | 2 << 7 | 7 << 18 | X));
        assertEquals(T2 | 4, writeRead(h, Csr.TDATA1, 4L << 60 | M), "type 4 is ignored");
        assertEquals(T2 | 4, writeRead(h, Csr.TDATA1, M), "type 0 is ignored");
        assertEquals(T6 | 0x180005f, writeRead(h, Csr.TDATA1, T6 | 0x7ffffff));
        assertEquals(T6 | 0x50001, writeRead(h, Csr.TDATA1, T6 | 5 << 16 | LD));
        assertEquals(T6 | 1, writeRead(h, Csr.TDATA1, T6 | 4 << 16 | LD));
        assertEquals(-1L, writeRead(h, Csr.TDATA2, -1));
        assertEquals(0, writeRead(h, Csr.TDATA3, -1));
        assertEquals(0x44, writeRead(h, Csr.TINFO, 0));
        h.setCsr(Csr.TSELECT, 1);
        assertEquals(T2, h.csr(Csr.TDATA1), "trigger 1 untouched");
        assertEquals(0, h.csr(Csr.TDATA2));
    }

    @Test
    void csrInstructionsAreMachineOnly() {
        Asm a = new Asm(CODE).enter(1, USER);
        TestRig rig = TrapTest.run(a, new Asm(USER).csrr(A0, Csr.TSELECT));
        TrapTest.assertMTrap(rig, Trap.ILLEGAL_INSN, USER, Asm.i(Csr.TSELECT, 0, 2, A0, 0x73) & 0xffffffffL);
        rig = TrapTest.run(new Asm(CODE).li(A0, 1).csrw(Csr.TSELECT, A0).csrr(A1, Csr.TSELECT).halt());
        assertEquals(1, rig.hart.reg(A1));
    }

    /** Arms trigger 0: tdata2 = {@code addr}, tdata1 = {@code ctl} (clobbers t0). */
    static Asm arm(Asm a, long ctl, long addr) {
        return a.li(T0, addr).csrw(Csr.TDATA2, T0).li(T0, ctl).csrw(Csr.TDATA1, T0);
    }

    @Test
    void executeTriggerFiresBeforeTheInstruction() {
        Asm a = arm(new Asm(CODE), T2 | M | X, CODE + 0x40).li(A0, 1);
        Asm target = new Asm(CODE + 0x40).addi(A0, A0, 2).halt();
        a.jal(ZERO, (int) (target.origin - a.here()));
        TestRig rig = TrapTest.run(a, target);
        TrapTest.assertMTrap(rig, Trap.BREAKPOINT, CODE + 0x40, 0);
        assertEquals(1, rig.hart.reg(A0), "the instruction did not run");
        // the same trigger without the M bit: the instruction runs
        Asm off = arm(new Asm(CODE), T2 | S | U | X, CODE + 0x40).li(A0, 1);
        off.jal(ZERO, (int) (target.origin - off.here()));
        rig = TrapTest.run(off, target);
        assertEquals(3, rig.hart.reg(A0));
        assertEquals(0, rig.hart.csr(Csr.MCAUSE));
    }

    @Test
    void loadAndStoreTriggersFireBeforeTheAccess() {
        for (long kind : new long[] {LD, ST}) {
            Asm a = arm(new Asm(CODE), T2 | M | kind, DATA + 8).li(S0, DATA).li(A0, 7);
            a.ld(A1, S0, 0).sd(A1, S0, 0).ld(A1, S0, 16).sd(A1, S0, 16); // outside the 8 watched bytes
            long hit = a.here();
            (kind == LD ? a.lw(A0, S0, 12) : a.sb(A0, S0, 15)).halt();
            TestRig rig = TrapTest.run(a);
            TrapTest.assertMTrap(rig, Trap.BREAKPOINT, hit, 0);
            assertEquals(7, rig.hart.reg(A0), "the load did not write its register");
            assertEquals(0, rig.read64(DATA + 8), "the store did not happen");
        }
    }

    @Test
    void amoMatchesALoadTrigger() {
        Asm a = arm(new Asm(CODE), T6 | M | LD, DATA).li(S0, DATA).li(A1, 5);
        long hit = a.here();
        a.amo(0, 3, A0, S0, A1).halt(); // amoadd.d
        TestRig rig = TrapTest.run(a);
        TrapTest.assertMTrap(rig, Trap.BREAKPOINT, hit, 0);
        assertEquals(0, rig.read64(DATA));
    }

    @Test
    void userTriggersFireOnlyInUserMode() {
        for (long mode : new long[] {U, S}) {
            Asm a = arm(new Asm(CODE), T2 | mode | LD, DATA).li(S0, DATA).enter(0, USER);
            TestRig rig = TrapTest.run(a, new Asm(USER).ld(A0, S0, 0).ecall());
            if (mode == U) {
                TrapTest.assertMTrap(rig, Trap.BREAKPOINT, USER, 0);
                assertEquals(0, (rig.hart.csr(Csr.MSTATUS) >>> 11) & 3, "MPP = U");
            } else {
                TrapTest.assertMTrap(rig, Trap.ECALL_U, USER + 4, 0);
            }
        }
    }

    /**
     * A loop runs hot enough to be compiled (and its data page to sit in the TLB), then a trigger is armed on it
     * and the loop entered again: the trigger must fire on the first pass, the compiled block notwithstanding.
     */
    TestRig hotLoopThenArm(long ctl, long addr, boolean loopAddr) {
        int iterations = 2 * Jit.THRESHOLD + 100;
        TestRig rig = new TestRig().handlers();
        Asm a = new Asm(CODE).li(S0, DATA).li(A0, iterations);
        long loop = a.here();
        a.ld(T1, S0, 0).sd(A0, S0, 8).addi(A0, A0, -1).bne(A0, ZERO, (int) (loop - a.here()));
        arm(a, ctl, loopAddr ? loop : addr).li(A0, 5).jal(ZERO, (int) (loop - a.here()));
        rig.load(a);
        rig.hart.setCsr(Csr.MTVEC, M_HANDLER);
        rig.hart.setPc(CODE);
        rig.run(100L * iterations);
        if (Jit.ENABLED) {
            JitBlock b = JitTest.page(rig, loop).blocks[(int) (loop & 0xfff) >>> 1];
            assertNotNull(b, "the loop was compiled");
            assertNotSame(JitBlock.NONE, b);
        }
        assertEquals(5, rig.hart.reg(A0), "the armed loop ran no iteration");
        return rig;
    }

    @Test
    void triggersFireInCompiledCode() {
        TestRig x = hotLoopThenArm(T2 | M | X, 0, true);
        TrapTest.assertMTrap(x, Trap.BREAKPOINT, loopStart(x), 0);
        TestRig l = hotLoopThenArm(T2 | M | LD, DATA, false);
        TrapTest.assertMTrap(l, Trap.BREAKPOINT, loopStart(l), 0);
        TestRig s = hotLoopThenArm(T2 | M | ST, DATA + 8, false);
        TrapTest.assertMTrap(s, Trap.BREAKPOINT, loopStart(s) + 4, 0);
        assertEquals(1, s.read64(DATA + 8), "the last store before arming; none after");
    }

    private static long loopStart(TestRig rig) {
        // the loop's ld is the first instruction with opcode LOAD from the code's start
        for (long pc = CODE;; pc += 4) {
            if ((rig.bus.read(pc, 4) & 0x7f) == 0x03) {
                return pc;
            }
        }
    }

    @Test
    void triggersSurviveSaveAndLoad() {
        Hart h = new TestRig().hart;
        h.setCsr(Csr.TSELECT, 1);
        h.setCsr(Csr.TDATA2, DATA);
        h.setCsr(Csr.TDATA1, T6 | M | LD | 3 << 16);
        StateRecord saved = StateRecord.of(h);
        Hart g = new TestRig().hart;
        saved.restore(g);
        assertEquals(1, g.csr(Csr.TSELECT));
        assertEquals(T6 | M | LD | 3 << 16, g.csr(Csr.TDATA1));
        assertEquals(DATA, g.csr(Csr.TDATA2));
        g.setCsr(Csr.TSELECT, 0);
        assertEquals(T2, g.csr(Csr.TDATA1));
        // a snapshot from before the triggers existed loads with the reset values
        StateRecord old = new StateRecord(h.stateId(), h.stateVersion());
        Set<String> dropped = Set.of("tselect", "tdata1", "tdata2");
        StateWriter filter = (StateWriter) Proxy.newProxyInstance(StateWriter.class.getClassLoader(),
                new Class<?>[] {StateWriter.class}, (p, m, args) -> {
                    if (!dropped.contains((String) args[0])) {
                        m.invoke(old, args);
                    }
                    return p;
                });
        h.saveState(filter);
        old.restore(g);
        assertEquals(0, g.csr(Csr.TSELECT));
        assertEquals(T2, g.csr(Csr.TDATA1));
        g.setCsr(Csr.TSELECT, 1);
        assertEquals(T2, g.csr(Csr.TDATA1));
        assertEquals(0, g.csr(Csr.TDATA2));
    }
}
