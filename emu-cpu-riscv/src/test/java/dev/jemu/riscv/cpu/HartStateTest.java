package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jemu.core.state.StateException;
import dev.jemu.core.state.StateRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

/** Saving and restoring a hart: every architectural register survives, and execution continues identically. */
class HartStateTest {
    @Test
    void roundTripThroughBytesAndContinue() throws Exception {
        TestRig rig = new TestRig().handlers().openPmp();
        Hart h = rig.hart;
        long code = RAM_BASE + 0x1000;
        Asm a = new Asm(code).li(A0, 5).li(A1, 0);
        long loop = a.here();
        a.add(A1, A1, A0).addi(A0, A0, -1).bne(A0, ZERO, (int) (loop - a.here())).halt();
        rig.load(a);
        h.setPc(code);
        h.setCsr(Csr.MSTATUS, 1L << 13 | Csr.MSTATUS_SUM | 1L << 11);
        h.setCsr(Csr.MSCRATCH, 0x1234);
        h.setCsr(Csr.STVEC, 0x8000_4001L);
        h.setCsr(Csr.SATP, 8L << 60 | 0x80123);
        h.setCsr(Csr.MENVCFG, Csr.MENVCFG_STCE);
        h.setCsr(Csr.STIMECMP, 12345);
        h.setCsr(Csr.MIDELEG, Csr.S_INTERRUPTS);
        h.setCsr(Csr.FCSR, 0x65);
        h.setFpr(3, 0x4000000000000000L);
        h.setInterruptPending(Csr.IRQ_SEI, true);
        h.run(3); // part-way into the program
        StateRecord saved = StateRecord.of(h);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        saved.writeTo(new DataOutputStream(bytes));
        StateRecord back = StateRecord.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        TestRig other = new TestRig().handlers();
        other.load(a);
        back.restore(other.hart);
        Hart g = other.hart;
        assertEquals(h.pc(), g.pc());
        assertEquals(h.privilege(), g.privilege());
        for (int i = 0; i < 32; i++) {
            assertEquals(h.reg(i), g.reg(i), "x" + i);
            assertEquals(h.fpr(i), g.fpr(i), "f" + i);
        }
        for (int csr : new int[] {Csr.MSTATUS, Csr.MSCRATCH, Csr.STVEC, Csr.SATP, Csr.MENVCFG, Csr.STIMECMP,
            Csr.MIDELEG, Csr.FCSR, Csr.MIP, Csr.PMPCFG0, Csr.PMPADDR0, Csr.MINSTRET, Csr.MTVEC}) {
            assertEquals(h.csr(csr), g.csr(csr), String.format("csr 0x%x", csr));
        }
        // both finish the program the same way (satp off again for plain M-mode execution)
        h.setCsr(Csr.SATP, 0);
        g.setCsr(Csr.SATP, 0);
        rig.run(1000);
        other.run(1000);
        assertEquals(15, h.reg(A1));
        assertEquals(15, g.reg(A1));
    }

    @Test
    void refusesAnotherHartsState() {
        TestRig rig = new TestRig();
        StateRecord r = StateRecord.of(rig.hart);
        Hart h1 = new Hart(1, rig.bus, rig.loop, rig.timebase);
        assertThrows(StateException.class, () -> r.restore(h1));
        assertEquals("hart1", h1.stateId());
    }
}
