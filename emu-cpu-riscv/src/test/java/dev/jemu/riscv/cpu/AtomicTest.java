package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The A extension: LR/SC and AMOs. */
class AtomicTest {
    static final long CODE = RAM_BASE + 0x1000, DATA = RAM_BASE + 0x3000;
    static final int LR = 0x02, SC = 0x03, SWAP = 0x01, ADD = 0x00, XOR = 0x04, AND = 0x0c, OR = 0x08;
    static final int MIN = 0x10, MAX = 0x14, MINU = 0x18, MAXU = 0x1c;

    /** AMO with a0 = DATA, memory = mem, a1 = operand; returns {rd, memory after}. */
    static long[] amo(int f5, int width, long mem, long operand) {
        TestRig rig = new TestRig().handlers();
        rig.write64(DATA, mem);
        rig.load(new Asm(CODE).li(A0, DATA).li(A1, operand).amo(f5, width, A2, A0, A1).halt());
        rig.hart.setPc(CODE);
        rig.run(1000);
        return new long[] {rig.hart.reg(A2), rig.read64(DATA)};
    }

    @Test
    void amoDoubleword() {
        assertEquals(5, amo(SWAP, 3, 5, 9)[0]);
        assertEquals(9, amo(SWAP, 3, 5, 9)[1]);
        assertEquals(14, amo(ADD, 3, 5, 9)[1]);
        assertEquals(12, amo(XOR, 3, 5, 9)[1]);
        assertEquals(1, amo(AND, 3, 5, 9)[1]);
        assertEquals(13, amo(OR, 3, 5, 9)[1]);
        assertEquals(-5, amo(MIN, 3, -5, 9)[1]);
        assertEquals(9, amo(MAX, 3, -5, 9)[1]);
        assertEquals(9, amo(MINU, 3, -5, 9)[1]);
        assertEquals(-5, amo(MAXU, 3, -5, 9)[1]);
    }

    @Test
    void amoWordSignExtendsAndKeepsUpperMemory() {
        long[] r = amo(ADD, 2, 0x1111_1111_ffff_fffeL, 1);
        assertEquals(-2, r[0], "old word value, sign-extended");
        assertEquals(0x1111_1111_ffff_ffffL, r[1]);
        assertEquals(0x1111_1111_ffff_fffeL, amo(MIN, 2, 0x1111_1111_ffff_fffeL, 1)[1], "-2 < 1 as words");
        assertEquals(0x1111_1111_0000_0001L, amo(MINU, 2, 0x1111_1111_ffff_fffeL, 1)[1]);
        assertEquals(0x1111_1111_0000_0001L, amo(MAX, 2, 0x1111_1111_ffff_fffeL, 1)[1]);
        assertEquals(0x1111_1111_0000_0000L, amo(ADD, 2, 0x1111_1111_ffff_ffffL, 1)[1], "no carry out of the word");
    }

    @Test
    void lrScSucceedsOnceAndFailsWithoutReservation() {
        TestRig rig = new TestRig().handlers();
        rig.write64(DATA, 41);
        rig.load(new Asm(CODE).li(A0, DATA)
                .amo(LR, 3, A1, A0, ZERO).addi(A1, A1, 1)
                .amo(SC, 3, A2, A0, A1)     // succeeds: a2 = 0
                .amo(SC, 3, A3, A0, A1)     // no reservation any more: a3 = 1
                .addi(A4, ZERO, 0).amo(LR, 3, A4, A0, ZERO)
                .li(T1, 77).sd(T1, A0, 0)   // a plain store changes the value
                .amo(SC, 3, A5, A0, A1)     // fails: memory no longer holds what LR read
                .halt());
        rig.hart.setPc(CODE);
        rig.run(1000);
        Hart h = rig.hart;
        assertEquals(0, h.reg(A2));
        assertEquals(1, h.reg(A3));
        assertEquals(42, h.reg(A4));
        assertEquals(1, h.reg(A5));
        assertEquals(77, rig.read64(DATA));
    }

    @Test
    void scToOtherAddressFails() {
        TestRig rig = new TestRig().handlers();
        rig.load(new Asm(CODE).li(A0, DATA).amo(LR, 2, A1, A0, ZERO).addi(A0, A0, 8).amo(SC, 2, A2, A0, A1)
                .halt());
        rig.hart.setPc(CODE);
        rig.run(1000);
        assertEquals(1, rig.hart.reg(A2));
    }

    @Test
    void misalignedAtomicsTrap() {
        Object[][] cases = {{LR, Trap.LOAD_MISALIGNED}, {SC, Trap.STORE_MISALIGNED}, {ADD, Trap.STORE_MISALIGNED}};
        for (Object[] c : cases) {
            TestRig rig = new TestRig().handlers();
            rig.load(new Asm(CODE).li(A0, DATA + 4).amo((Integer) c[0], 3, A2, A0, (Integer) c[0] == LR ? ZERO : A1).halt());
            rig.hart.setPc(CODE);
            rig.run(1000);
            assertEquals(M_HANDLER, rig.hart.pc());
            assertEquals((long) (Integer) c[1], rig.hart.csr(Csr.MCAUSE));
            assertEquals(DATA + 4, rig.hart.csr(Csr.MTVAL));
        }
    }

    @Test
    void amoOnUnmappedAddressIsStoreAccessFault() {
        TestRig rig = new TestRig().handlers();
        rig.load(new Asm(CODE).li(A0, 0x100).amo(ADD, 3, A2, A0, A1).halt());
        rig.hart.setPc(CODE);
        rig.run(1000);
        assertEquals(Trap.STORE_ACCESS, rig.hart.csr(Csr.MCAUSE));
    }
}
