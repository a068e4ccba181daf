package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * x87 instruction sequences compared with the host CPU (see {@link HostOracle}): each loads operands from
 * memory at RDI (doubles, or raw 80-bit values incl. denormals, NaNs and unsupported encodings), runs under a
 * random rounding and precision control (all exceptions masked) and stores the result and the status word;
 * jemu must match the stored bytes, AX (FNSTSW) and RFLAGS (FCOMI) bit for bit.
 */
class X87DiffTest {
    static final String LD2 = "fldcw 16(%rdi); fldl 8(%rdi); fldl (%rdi); ";
    static final String LD2T = "fldcw 16(%rdi); fldt 16(%rdi); fldt (%rdi); ";
    static final String OUT = "fstpt (%rdi); fnstsw %ax";

    static final String[] EXACT = {
        "fldcw 16(%rdi); fldl (%rdi); faddl 8(%rdi); " + OUT,
        "fldcw 16(%rdi); fldl (%rdi); fsubl 8(%rdi); " + OUT,
        "fldcw 16(%rdi); fldl (%rdi); fsubrl 8(%rdi); " + OUT,
        "fldcw 16(%rdi); fldl (%rdi); fmull 8(%rdi); " + OUT,
        "fldcw 16(%rdi); fldl (%rdi); fdivl 8(%rdi); " + OUT,
        "fldcw 16(%rdi); fldl (%rdi); fdivrl 8(%rdi); " + OUT,
        "fldcw 16(%rdi); flds (%rdi); fadds 4(%rdi); " + OUT,
        "fldcw 16(%rdi); fldl (%rdi); fimull 8(%rdi); " + OUT,
        "fldcw 16(%rdi); fldl (%rdi); fidivs 8(%rdi); " + OUT,
        LD2 + "faddp; " + OUT, LD2 + "fsubp; " + OUT, LD2 + "fsubrp; " + OUT, LD2 + "fmulp; " + OUT,
        LD2 + "fdivp; " + OUT, LD2 + "fdivrp; " + OUT, LD2 + "fadd %st(1), %st; " + OUT,
        LD2 + "fsub %st(1), %st; " + OUT, LD2 + "fdivr %st(1), %st; " + OUT, LD2 + "fsub %st, %st(1); fstp %st(0); " + OUT,
        LD2T + "faddp; " + OUT, LD2T + "fsubrp; " + OUT, LD2T + "fmulp; " + OUT, LD2T + "fdivp; " + OUT,
        LD2T + "fscale; " + OUT, LD2T + "fprem; " + OUT, LD2T + "fprem1; " + OUT,
        LD2T + "fcomi %st(1), %st; " + OUT, LD2T + "fucomip %st(1), %st; fstp %st(0); fnstsw %ax",
        LD2T + "fcom %st(1); " + OUT, LD2T + "fucompp; fnstsw %ax", LD2 + "fcompp; fnstsw %ax",
        LD2 + "fcomip %st(1), %st; " + OUT, LD2 + "fucomi %st(1), %st; " + OUT,
        LD2 + "fcmovb %st(1), %st; " + OUT,
        "fldcw 16(%rdi); fldl (%rdi); fcoml 8(%rdi); " + OUT,
        "fldcw 16(%rdi); fldt (%rdi); fsqrt; " + OUT, "fldcw 16(%rdi); fldl (%rdi); fsqrt; " + OUT,
        "fldcw 16(%rdi); fldt (%rdi); frndint; " + OUT, "fldcw 16(%rdi); fldl (%rdi); frndint; " + OUT,
        "fldcw 16(%rdi); fldt (%rdi); fchs; " + OUT, "fldcw 16(%rdi); fldt (%rdi); fabs; " + OUT,
        "fldcw 16(%rdi); fldt (%rdi); fxam; " + OUT, "fldcw 16(%rdi); fldt (%rdi); ftst; " + OUT,
        "fldcw 16(%rdi); fldt (%rdi); fxtract; " + OUT,
        "fldcw 16(%rdi); fldt (%rdi); fstpl 16(%rdi); fnstsw %ax",
        "fldcw 16(%rdi); fldt (%rdi); fstps 16(%rdi); fnstsw %ax",
        "fldcw 16(%rdi); fldl (%rdi); fstps 16(%rdi); fnstsw %ax",
        "fldcw 16(%rdi); flds (%rdi); " + OUT, "fldcw 16(%rdi); fldl (%rdi); " + OUT,
        "fldcw 16(%rdi); fldt (%rdi); fistpl 16(%rdi); fnstsw %ax",
        "fldcw 16(%rdi); fldt (%rdi); fistpll 16(%rdi); fnstsw %ax",
        "fldcw 16(%rdi); fldl (%rdi); fists 16(%rdi); fnstsw %ax",
        "fldcw 16(%rdi); fldt (%rdi); fisttpl 16(%rdi); fnstsw %ax",
        "fldcw 16(%rdi); fldt (%rdi); fisttpll 16(%rdi); fnstsw %ax",
        "fldcw 16(%rdi); fildl (%rdi); " + OUT, "fldcw 16(%rdi); fildll (%rdi); " + OUT,
        "fldcw 16(%rdi); filds (%rdi); " + OUT,
        "fldcw 16(%rdi); fldt (%rdi); fbstp 16(%rdi); fnstsw %ax",
        "fldcw 16(%rdi); fbld (%rdi); " + OUT,
        "fldcw 16(%rdi); fldpi; " + OUT, "fldcw 16(%rdi); fldl2e; " + OUT, "fldcw 16(%rdi); fldl2t; " + OUT,
        "fldcw 16(%rdi); fldlg2; " + OUT, "fldcw 16(%rdi); fldln2; " + OUT, "fldcw 16(%rdi); fld1; fldz; faddp; " + OUT,
        "fldcw 16(%rdi); fadd %st(1), %st; " + OUT, "fldcw 16(%rdi); fldl (%rdi); fxch %st(3); " + OUT,
        "fldcw 16(%rdi); fnstcw (%rdi); fnstsw %ax",
        "fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1; " + OUT,
        "fldcw 16(%rdi); fldl (%rdi); fldl 8(%rdi); fdecstp; ffree %st(0); fincstp; fstpt (%rdi); fnstsw %ax",
    };

    @Test
    void x87MatchesTheHostCpu() throws Exception {
        assumeTrue(HostOracle.available(), "needs an x86-64 host with binutils");
        Random rnd = new Random(0x87);
        List<HostOracle.Case> cases = new ArrayList<>();
        for (String seq : EXACT) {
            for (int i = 0; i < 48; i++) {
                cases.add(new HostOracle.Case(seq, input(rnd)));
            }
        }
        List<HostOracle.Result> results = HostOracle.run(cases);
        FpRig rig = new FpRig();
        int failures = 0;
        StringBuilder report = new StringBuilder();
        for (int k = 0; k < cases.size(); k++) {
            HostOracle.State in = cases.get(k).in();
            HostOracle.State exp = results.get(k).out();
            exp = new HostOracle.State(exp.x0(), exp.x1(), exp.y0(), exp.y1(), exp.m0(), exp.m1(), exp.m2(), exp.m3(),
                    exp.rax(), exp.mxcsr(), exp.rflags() & 0x8d7);
            String fault = rig.runCase(in, results.get(k).code());
            HostOracle.State got = rig.state();
            if (fault != null || !got.equals(exp)) {
                if (failures++ < 30) {
                    report.append(cases.get(k).insn()).append(fault != null ? " " + fault : "").append("\n  in   ")
                            .append(SseDiffTest.show(in)).append("\n  host ").append(SseDiffTest.show(exp))
                            .append("\n  jemu ").append(SseDiffTest.show(got)).append('\n');
                }
            }
        }
        assertEquals(0, failures, failures + " of " + cases.size() + " cases differ:\n" + report);
    }

    /** An 80-bit value: mostly normal numbers near 1, plus every special class. */
    static long[] f80(Random r) {
        long m = r.nextLong() | Long.MIN_VALUE;
        int se = switch (r.nextInt(10)) {
            case 0 -> 0;                                        // zero / denormal / pseudo-denormal
            case 1 -> 0x7fff;                                   // infinity / NaN
            case 2 -> r.nextInt(0x8000);                        // anywhere
            case 3 -> 0x3fff + 64 + r.nextInt(10);              // large integers
            case 4 -> 1 + r.nextInt(3);                         // near the underflow threshold
            case 5 -> 0x7ffe - r.nextInt(3);                    // near overflow
            default -> 0x3fff + r.nextInt(130) - 65;
        };
        switch (r.nextInt(12)) {
            case 0 -> m = 0;
            case 1 -> m &= Long.MAX_VALUE;                      // unnormal / pseudo-NaN
            case 2 -> m = Long.MIN_VALUE;                       // exact power of two / infinity
            case 3 -> m = Long.MIN_VALUE | (long) r.nextInt(1 << 20) << 40;   // few significant bits
            default -> { }
        }
        if (r.nextBoolean()) {
            se |= 0x8000;
        }
        return new long[] {m, se};
    }

    static HostOracle.State input(Random r) {
        long[] a = f80(r), b = f80(r);
        long m0, m1;
        if (r.nextBoolean()) {
            m0 = a[0];
            m1 = a[1];
        } else {
            m0 = Inputs.f64(r);
            m1 = Inputs.f64(r);
            if (r.nextInt(4) == 0) {
                m0 = r.nextInt(2000001) - 1000000;     // integers for FILD/FBLD
                m1 = r.nextInt(21) - 10;
            }
        }
        int fcw = 0x7f | r.nextInt(4) << 10 | (r.nextInt(3) == 0 ? r.nextInt(4) : 3) << 8;
        long m2 = fcw & 0xffffL | b[0] << 16;
        long m3 = b[0] >>> 48 | b[1] << 16;
        return new HostOracle.State(0, 0, 0, 0, m0, m1, m2, m3, r.nextLong(), 0x1f80, 2);
    }
}
