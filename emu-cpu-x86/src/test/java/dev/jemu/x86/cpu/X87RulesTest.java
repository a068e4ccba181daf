package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The x87 rules the host comparison cannot exercise (faults would kill the oracle): #NM with CR0.EM/TS, #MF
 * for a pending unmasked exception, the FNSTENV/FLDENV and FNSAVE/FRSTOR images, state save/load, and the
 * transcendental functions (through double, so compared with a tolerance).
 */
class X87RulesTest {
    final FpRig rig = new FpRig();
    final X86Cpu c = rig.cpu;

    static final String FLD1 = "d9e8", FLDZ = "d9ee", FDIVP = "def9", FWAIT = "9b", FNINIT = "dbe3";

    @Test
    void deviceNotAvailableAndWait() {
        c.cr0 &= ~X86Cpu.CR0_MP;
        c.cr0 |= X86Cpu.CR0_TS;
        assertEquals(Vectors.NM, rig.exec(FpRig.hex(FLD1)));
        assertEquals(-1, rig.exec(FpRig.hex(FWAIT)), "FWAIT ignores TS without MP");
        c.cr0 |= X86Cpu.CR0_MP;
        assertEquals(Vectors.NM, rig.exec(FpRig.hex(FWAIT)));
        c.cr0 &= ~(X86Cpu.CR0_TS | X86Cpu.CR0_MP);
        c.cr0 |= X86Cpu.CR0_EM;
        assertEquals(Vectors.NM, rig.exec(FpRig.hex(FLD1)));
        assertEquals(Vectors.UD, rig.exec(FpRig.hex("0f77")), "EMMS with CR0.EM");
    }

    @Test
    void unmaskedExceptionIsDeliveredAtTheNextInstruction() {
        c.x87.fcw = 0x37f & ~X87.ZE;     // unmask divide by zero
        rig.run(FLD1, FLDZ);
        assertEquals(-1, rig.exec(FpRig.hex(FDIVP)), "the divide itself completes");
        assertTrue((c.x87.status() & (X87.ES | X87.B | X87.ZE)) == (X87.ES | X87.B | X87.ZE));
        assertEquals(2, 8 - c.x87.top, "an unmasked ZE leaves the stack as it was");
        assertEquals(Vectors.MF, rig.exec(FpRig.hex(FWAIT)));
        assertEquals(Vectors.MF, rig.exec(FpRig.hex(FLD1)));
        assertEquals(-1, rig.exec(FpRig.hex("dbe2")), "FNCLEX is a control instruction");
        assertEquals(0, c.x87.status() & (X87.ES | X87.B | X87.ZE));
        assertEquals(-1, rig.exec(FpRig.hex(FLD1)));
    }

    @Test
    void environmentAndSaveImages() {
        rig.run(FNINIT, FLD1, FLDZ);
        c.r[X86Cpu.RDI] = FpRig.DATA;
        rig.run("d937");                   // fnstenv (%rdi)
        assertEquals(0x37f, rig.bus.read(FpRig.DATA, 2));
        assertEquals(6 << 11, rig.bus.read(FpRig.DATA + 4, 2), "TOP 6");
        assertEquals(0x1fff, rig.bus.read(FpRig.DATA + 8, 2), "tags: physical 6 (ST0) zero, 7 (ST1) valid, rest empty");
        rig.run(FNINIT);
        rig.run("d927");                   // fldenv (%rdi)
        assertEquals(6, c.x87.top);
        assertEquals(0xc0, c.x87.used);

        rig.run("dd37");                   // fnsave (%rdi)
        assertEquals(0, c.x87.used, "FNSAVE reinitializes");
        assertEquals(0x8000000000000000L, rig.bus.read(FpRig.DATA + 28 + 10, 8), "ST1 = 1.0 at offset 38");
        assertEquals(0x3fff, rig.bus.read(FpRig.DATA + 28 + 18, 2));
        rig.run("dd27");                   // frstor (%rdi)
        assertEquals(0xc0, c.x87.used);
        assertEquals(0x3fff, c.x87.se(1));
        assertEquals(0, c.x87.mant(0));
    }

    @Test
    void stateSurvivesSaveAndLoad() {
        rig.run(FLD1, "d9eb");             // fld1; fldpi
        c.x87.fcw = 0x27f;
        rig.setXmm(15, 0x1234, 0x5678);
        c.mxcsr = 0x9fc0;
        var rec = dev.jemu.core.state.StateRecord.of(c);
        X86Cpu other = new FpRig().cpu;
        rec.restore(other);
        assertEquals(c.x87.status(), other.x87.status());
        assertEquals(0x27f, other.x87.fcw);
        assertEquals(0xc0, other.x87.used);
        assertEquals(0xc90fdaa22168c235L, other.x87.mant(0));
        assertEquals(0x3fff, other.x87.se(1));
        assertEquals(0x5678, other.xmm[31]);
        assertEquals(0x9fc0, other.mxcsr);
    }

    @Test
    void transcendentalsAreCloseToTheMathLibrary() {
        c.r[X86Cpu.RDI] = FpRig.DATA;
        double[] xs = {0.5, -1.25, 3.0, 100.0};
        for (double x : xs) {
            rig.bus.write(FpRig.DATA, 8, Double.doubleToRawLongBits(x));
            rig.run(FNINIT, "dd07", "d9fe", "dd5f08");    // fldl; fsin; fstpl 8(%rdi)
            assertEquals(Math.sin(x), Double.longBitsToDouble(rig.bus.read(FpRig.DATA + 8, 8)), 1e-15);
            rig.run(FNINIT, "dd07", "d9f2", "dd5f08", "dd5f10");   // fldl; fptan; fstpl 8; fstpl 16
            assertEquals(1.0, Double.longBitsToDouble(rig.bus.read(FpRig.DATA + 8, 8)));
            assertEquals(Math.tan(x), Double.longBitsToDouble(rig.bus.read(FpRig.DATA + 16, 8)), Math.abs(Math.tan(x)) * 1e-15);
        }
        rig.bus.write(FpRig.DATA, 8, Double.doubleToRawLongBits(8.0));
        rig.run(FNINIT, "d9e8", "dd07", "d9f1", "dd5f08");   // fld1; fldl 8.0; fyl2x -> 1*log2(8)
        assertEquals(3.0, Double.longBitsToDouble(rig.bus.read(FpRig.DATA + 8, 8)));
        assertEquals(0, c.x87.used, "FYL2X pops");
    }
}
