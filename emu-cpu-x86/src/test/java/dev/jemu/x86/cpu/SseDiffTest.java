package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SSE instructions compared with the host CPU (see {@link HostOracle}): each instruction runs on the same
 * random and special-value inputs (zeros, denormals, infinities, quiet and signaling NaNs, boundaries) under
 * every rounding mode with DAZ/FTZ on and off, and jemu must match the real CPU's registers, memory, MXCSR and
 * arithmetic flags bit for bit.
 */
class SseDiffTest {
    static final int PER_INSN = 64;

    static final String[] INTEGER = {
        "punpcklbw %xmm1, %xmm0", "punpcklwd %xmm1, %xmm0", "punpckldq %xmm1, %xmm0", "punpcklqdq %xmm1, %xmm0",
        "punpckhbw %xmm1, %xmm0", "punpckhwd %xmm1, %xmm0", "punpckhdq %xmm1, %xmm0", "punpckhqdq (%rdi), %xmm0",
        "packsswb %xmm1, %xmm0", "packuswb %xmm1, %xmm0", "packssdw (%rdi), %xmm0",
        "pcmpgtb %xmm1, %xmm0", "pcmpgtw %xmm1, %xmm0", "pcmpgtd %xmm1, %xmm0",
        "pcmpeqb %xmm1, %xmm0", "pcmpeqw %xmm1, %xmm0", "pcmpeqd (%rdi), %xmm0",
        "pshufd $0x1b, %xmm1, %xmm0", "pshufd $0xe4, (%rdi), %xmm0", "pshuflw $0x93, %xmm1, %xmm0", "pshufhw $0x4e, %xmm1, %xmm0",
        "psrlw $3, %xmm0", "psraw $15, %xmm0", "psllw $17, %xmm0", "psrld $31, %xmm0", "psrad $7, %xmm0", "pslld $1, %xmm0",
        "psrlq $63, %xmm0", "psllq $5, %xmm0", "psrldq $3, %xmm0", "pslldq $9, %xmm0", "psrldq $16, %xmm0",
        "psrlw %xmm1, %xmm0", "psrad %xmm1, %xmm0", "psllq %xmm1, %xmm0",
        "paddb %xmm1, %xmm0", "paddw %xmm1, %xmm0", "paddd %xmm1, %xmm0", "paddq %xmm1, %xmm0",
        "psubb %xmm1, %xmm0", "psubw %xmm1, %xmm0", "psubd %xmm1, %xmm0", "psubq (%rdi), %xmm0",
        "paddsb %xmm1, %xmm0", "paddsw %xmm1, %xmm0", "paddusb %xmm1, %xmm0", "paddusw %xmm1, %xmm0",
        "psubsb %xmm1, %xmm0", "psubsw %xmm1, %xmm0", "psubusb %xmm1, %xmm0", "psubusw %xmm1, %xmm0",
        "pminub %xmm1, %xmm0", "pmaxub %xmm1, %xmm0", "pminsw %xmm1, %xmm0", "pmaxsw %xmm1, %xmm0",
        "pmullw %xmm1, %xmm0", "pmulhw %xmm1, %xmm0", "pmulhuw %xmm1, %xmm0", "pmuludq %xmm1, %xmm0",
        "pmaddwd %xmm1, %xmm0", "psadbw %xmm1, %xmm0", "pavgb %xmm1, %xmm0", "pavgw %xmm1, %xmm0",
        "pand %xmm1, %xmm0", "pandn %xmm1, %xmm0", "por %xmm1, %xmm0", "pxor %xmm1, %xmm0",
        "andps %xmm1, %xmm0", "andnpd %xmm1, %xmm0", "orps %xmm1, %xmm0", "xorpd (%rdi), %xmm0",
        "pmovmskb %xmm1, %eax", "movmskps %xmm1, %eax", "movmskpd %xmm1, %rax",
        "pextrw $5, %xmm1, %eax", "pinsrw $3, %eax, %xmm0", "pinsrw $6, (%rdi), %xmm0",
        "unpcklps %xmm1, %xmm0", "unpckhps %xmm1, %xmm0", "unpcklpd %xmm1, %xmm0", "unpckhpd %xmm1, %xmm0",
        "shufps $0x9c, %xmm1, %xmm0", "shufpd $2, %xmm1, %xmm0",
        "movd %eax, %xmm0", "movq %rax, %xmm0", "movd %xmm1, %eax", "movq %xmm1, %rax", "movd (%rdi), %xmm0",
        "movq (%rdi), %xmm0", "movq %xmm1, %xmm0", "movq %xmm1, (%rdi)", "movd %xmm1, (%rdi)",
        "movdqa %xmm1, %xmm0", "movdqu (%rdi), %xmm0", "movdqa %xmm1, (%rdi)", "movdqu %xmm1, (%rdi)",
        "movaps (%rdi), %xmm0", "movups %xmm1, (%rdi)", "movapd %xmm1, %xmm0", "movupd (%rdi), %xmm0",
        "movss (%rdi), %xmm0", "movss %xmm1, %xmm0", "movss %xmm1, (%rdi)", "movsd (%rdi), %xmm0",
        "movsd %xmm1, %xmm0", "movsd %xmm1, (%rdi)",
        "movlps (%rdi), %xmm0", "movhps (%rdi), %xmm0", "movlpd (%rdi), %xmm0", "movhpd (%rdi), %xmm0",
        "movlps %xmm1, (%rdi)", "movhps %xmm1, (%rdi)", "movhlps %xmm1, %xmm0", "movlhps %xmm1, %xmm0",
        "movntdq %xmm1, (%rdi)", "movntps %xmm1, (%rdi)", "movnti %rax, (%rdi)", "movnti %eax, (%rdi)",
        "movsldup %xmm1, %xmm0", "movshdup (%rdi), %xmm0", "movddup %xmm1, %xmm0", "lddqu (%rdi), %xmm0",
        "maskmovdqu %xmm1, %xmm0",
    };

    static final String[] FLOAT = {
        "addss %xmm1, %xmm0", "subss %xmm1, %xmm0", "mulss %xmm1, %xmm0", "divss %xmm1, %xmm0",
        "minss %xmm1, %xmm0", "maxss %xmm1, %xmm0", "sqrtss %xmm1, %xmm0", "addss (%rdi), %xmm0",
        "addsd %xmm1, %xmm0", "subsd %xmm1, %xmm0", "mulsd %xmm1, %xmm0", "divsd %xmm1, %xmm0",
        "minsd %xmm1, %xmm0", "maxsd %xmm1, %xmm0", "sqrtsd %xmm1, %xmm0", "mulsd (%rdi), %xmm0",
        "addps %xmm1, %xmm0", "subps %xmm1, %xmm0", "mulps %xmm1, %xmm0", "divps %xmm1, %xmm0",
        "minps %xmm1, %xmm0", "maxps %xmm1, %xmm0", "sqrtps %xmm1, %xmm0", "divps (%rdi), %xmm0",
        "addpd %xmm1, %xmm0", "subpd %xmm1, %xmm0", "mulpd %xmm1, %xmm0", "divpd %xmm1, %xmm0",
        "minpd %xmm1, %xmm0", "maxpd %xmm1, %xmm0", "sqrtpd %xmm1, %xmm0", "addpd (%rdi), %xmm0",
        "cmpeqss %xmm1, %xmm0", "cmpltss %xmm1, %xmm0", "cmpless %xmm1, %xmm0", "cmpunordss %xmm1, %xmm0",
        "cmpneqps %xmm1, %xmm0", "cmpnltps %xmm1, %xmm0", "cmpnleps %xmm1, %xmm0", "cmpordps %xmm1, %xmm0",
        "cmpeqpd %xmm1, %xmm0", "cmpltsd %xmm1, %xmm0", "cmplepd (%rdi), %xmm0", "cmpunordsd %xmm1, %xmm0",
        "comiss %xmm1, %xmm0", "ucomiss %xmm1, %xmm0", "comisd %xmm1, %xmm0", "ucomisd (%rdi), %xmm0",
        "haddps %xmm1, %xmm0", "hsubps %xmm1, %xmm0", "haddpd %xmm1, %xmm0", "hsubpd %xmm1, %xmm0",
        "addsubps %xmm1, %xmm0", "addsubpd %xmm1, %xmm0",
        "cvtsi2ss %eax, %xmm0", "cvtsi2ss %rax, %xmm0", "cvtsi2sd %eax, %xmm0", "cvtsi2sd %rax, %xmm0",
        "cvtsi2ssl (%rdi), %xmm0", "cvtsi2sdq (%rdi), %xmm0",
        "cvtss2si %xmm1, %eax", "cvtss2si %xmm1, %rax", "cvttss2si %xmm1, %eax", "cvttss2si %xmm1, %rax",
        "cvtsd2si %xmm1, %eax", "cvtsd2si %xmm1, %rax", "cvttsd2si %xmm1, %eax", "cvttsd2si (%rdi), %rax",
        "cvtss2sd %xmm1, %xmm0", "cvtsd2ss %xmm1, %xmm0", "cvtps2pd %xmm1, %xmm0", "cvtpd2ps %xmm1, %xmm0",
        "cvtdq2ps %xmm1, %xmm0", "cvtps2dq %xmm1, %xmm0", "cvttps2dq %xmm1, %xmm0",
        "cvtdq2pd %xmm1, %xmm0", "cvtpd2dq %xmm1, %xmm0", "cvttpd2dq %xmm1, %xmm0",
    };

    @Test
    void floatingPointMatchesTheHostCpu() throws Exception {
        compare(FLOAT, PER_INSN);
    }

    static final String[] MMX_OPS = {
        "punpcklbw", "punpcklwd", "punpckldq", "punpckhbw", "punpckhwd", "punpckhdq", "packsswb", "packuswb",
        "packssdw", "pcmpgtb", "pcmpgtw", "pcmpgtd", "pcmpeqb", "pcmpeqw", "pcmpeqd", "psrlw", "psrld", "psrlq",
        "psraw", "psrad", "psllw", "pslld", "psllq", "paddb", "paddw", "paddd", "paddq", "psubb", "psubw", "psubd",
        "psubq", "paddsb", "paddsw", "paddusb", "paddusw", "psubsb", "psubsw", "psubusb", "psubusw", "pminub",
        "pmaxub", "pminsw", "pmaxsw", "pmullw", "pmulhw", "pmulhuw", "pmuludq", "pmaddwd", "psadbw", "pavgb",
        "pavgw", "pand", "pandn", "por", "pxor",
    };

    static String[] mmx() {
        List<String> l = new ArrayList<>();
        String load = "movq (%rdi), %mm0; movq 8(%rdi), %mm1; ";
        String out = "movq %mm0, 16(%rdi); fnstsw %ax";
        for (String op : MMX_OPS) {
            l.add(load + op + " %mm1, %mm0; " + out);
        }
        l.add(load + "pshufw $0x4e, %mm1, %mm0; " + out);
        l.add(load + "psrlw $3, %mm0; psllq $7, %mm1; psrad $9, %mm0; paddq %mm1, %mm0; " + out);
        l.add(load + "pmovmskb %mm1, %eax; movd %eax, %mm0; " + out);
        l.add(load + "pinsrw $2, %eax, %mm0; pextrw $1, %mm1, %eax; movq %mm0, 16(%rdi)");
        l.add(load + "movd %mm1, %eax; movq %mm1, %rcx; movq2dq %mm0, %xmm0; movdq2q %xmm1, %mm0; " + out);
        l.add(load + "paddb 24(%rdi), %mm0; emms; " + out);
        l.add(load + "maskmovq %mm1, %mm0; fnstsw %ax");
        return l.toArray(new String[0]);
    }

    static final String[] SSSE3 = {
        "pshufb %xmm1, %xmm0", "phaddw %xmm1, %xmm0", "phaddd %xmm1, %xmm0", "phaddsw %xmm1, %xmm0",
        "pmaddubsw %xmm1, %xmm0", "phsubw %xmm1, %xmm0", "phsubd (%rdi), %xmm0", "phsubsw %xmm1, %xmm0",
        "psignb %xmm1, %xmm0", "psignw %xmm1, %xmm0", "psignd %xmm1, %xmm0", "pmulhrsw %xmm1, %xmm0",
        "pabsb %xmm1, %xmm0", "pabsw %xmm1, %xmm0", "pabsd (%rdi), %xmm0",
        "palignr $0, %xmm1, %xmm0", "palignr $5, %xmm1, %xmm0", "palignr $16, %xmm1, %xmm0",
        "palignr $21, %xmm1, %xmm0", "palignr $40, (%rdi), %xmm0",
        "movq (%rdi), %mm0; movq 8(%rdi), %mm1; pshufb %mm1, %mm0; movq %mm0, 16(%rdi)",
        "movq (%rdi), %mm0; movq 8(%rdi), %mm1; phaddw %mm1, %mm0; movq %mm0, 16(%rdi)",
        "movq (%rdi), %mm0; movq 8(%rdi), %mm1; pmaddubsw %mm1, %mm0; movq %mm0, 16(%rdi)",
        "movq (%rdi), %mm0; movq 8(%rdi), %mm1; palignr $3, %mm1, %mm0; movq %mm0, 16(%rdi)",
        "movq (%rdi), %mm0; movq 8(%rdi), %mm1; palignr $11, %mm1, %mm0; movq %mm0, 16(%rdi)",
        "movq (%rdi), %mm0; movq 8(%rdi), %mm1; psignw %mm1, %mm0; pabsd %mm0, %mm1; movq %mm1, 16(%rdi)",
    };

    static final String[] SSE41 = {
        "pblendvb %xmm0, %xmm1, %xmm0", "blendvps %xmm0, (%rdi), %xmm1", "blendvpd %xmm0, %xmm1, %xmm0",
        "ptest %xmm1, %xmm0", "ptest (%rdi), %xmm0",
        "pmovsxbw %xmm1, %xmm0", "pmovsxbd %xmm1, %xmm0", "pmovsxbq (%rdi), %xmm0", "pmovsxwd %xmm1, %xmm0",
        "pmovsxwq %xmm1, %xmm0", "pmovsxdq (%rdi), %xmm0", "pmovzxbw %xmm1, %xmm0", "pmovzxbd (%rdi), %xmm0",
        "pmovzxbq %xmm1, %xmm0", "pmovzxwd %xmm1, %xmm0", "pmovzxwq %xmm1, %xmm0", "pmovzxdq %xmm1, %xmm0",
        "pmuldq %xmm1, %xmm0", "pcmpeqq %xmm1, %xmm0", "pcmpgtq %xmm1, %xmm0", "movntdqa (%rdi), %xmm0",
        "packusdw %xmm1, %xmm0", "pminsb %xmm1, %xmm0", "pminsd %xmm1, %xmm0", "pminuw %xmm1, %xmm0",
        "pminud %xmm1, %xmm0", "pmaxsb %xmm1, %xmm0", "pmaxsd %xmm1, %xmm0", "pmaxuw %xmm1, %xmm0",
        "pmaxud (%rdi), %xmm0", "pmulld %xmm1, %xmm0", "phminposuw %xmm1, %xmm0",
        "roundps $0, %xmm1, %xmm0", "roundps $1, %xmm1, %xmm0", "roundps $10, %xmm1, %xmm0", "roundps $4, %xmm1, %xmm0",
        "roundpd $3, %xmm1, %xmm0", "roundpd $12, (%rdi), %xmm0", "roundss $2, %xmm1, %xmm0", "roundsd $1, %xmm1, %xmm0",
        "roundsd $4, (%rdi), %xmm0",
        "blendps $5, %xmm1, %xmm0", "blendpd $2, %xmm1, %xmm0", "pblendw $0xa6, %xmm1, %xmm0",
        "pextrb $13, %xmm1, %eax", "pextrb $3, %xmm1, (%rdi)", "pextrw $6, %xmm1, (%rdi)", "pextrd $2, %xmm1, %eax",
        "pextrq $1, %xmm1, %rax", "pextrd $3, %xmm1, (%rdi)", "extractps $1, %xmm1, %eax",
        "pinsrb $9, %eax, %xmm0", "pinsrb $2, (%rdi), %xmm0", "pinsrd $3, %eax, %xmm0", "pinsrq $1, %rax, %xmm0",
        "pinsrq $0, (%rdi), %xmm0", "insertps $0x9a, %xmm1, %xmm0", "insertps $0x35, (%rdi), %xmm0",
        "dpps $0xff, %xmm1, %xmm0", "dpps $0x5a, %xmm1, %xmm0", "dppd $0x31, %xmm1, %xmm0", "dppd $0x12, (%rdi), %xmm0",
        "mpsadbw $0, %xmm1, %xmm0", "mpsadbw $5, %xmm1, %xmm0", "mpsadbw $7, (%rdi), %xmm0",
    };

    static String[] sse42() {
        List<String> l = new ArrayList<>();
        int[] imms = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x14,
            0x18, 0x1c, 0x30, 0x34, 0x38, 0x3c, 0x40, 0x44, 0x48, 0x4c, 0x70, 0x7d, 0x1a, 0x3a};
        for (int imm : imms) {
            l.add("pcmpistri $" + imm + ", %xmm1, %xmm0; movq %rcx, %xmm1");
            l.add("pcmpistrm $" + imm + ", (%rdi), %xmm1");
            l.add("pcmpestri $" + imm + ", %xmm1, %xmm0; movq %rcx, %xmm1");
            l.add("pcmpestrm $" + imm + ", %xmm1, %xmm0");
        }
        l.add("crc32b %al, %eax");
        l.add("crc32b (%rdi), %eax");
        l.add("crc32w (%rdi), %eax");
        l.add("crc32l %eax, %eax");
        l.add("crc32q (%rdi), %rax");
        l.add("crc32b 3(%rdi), %rax");
        return l.toArray(new String[0]);
    }

    @Test
    void sse42MatchesTheHostCpu() throws Exception {
        compare(sse42(), 24);
    }

    @Test
    void sse41MatchesTheHostCpu() throws Exception {
        compare(SSE41, 24);
    }

    @Test
    void ssse3MatchesTheHostCpu() throws Exception {
        compare(SSSE3, 24);
    }

    @Test
    void mmxMatchesTheHostCpu() throws Exception {
        compare(mmx(), 16);
    }

    @Test
    void integerAndMovesMatchTheHostCpu() throws Exception {
        compare(INTEGER, 16);
    }

    /** Runs every instruction of {@code insns} on {@code per} inputs on the host and in jemu and compares. */
    static void compare(String[] insns, int per) throws Exception {
        assumeTrue(HostOracle.available(), "needs an x86-64 host with binutils");
        Random rnd = new Random(0x5eed);
        List<HostOracle.Case> cases = new ArrayList<>();
        for (String insn : insns) {
            for (int i = 0; i < per; i++) {
                cases.add(new HostOracle.Case(insn, Inputs.state(rnd, i)));
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
                            .append(show(in)).append("\n  host ").append(show(exp)).append("\n  jemu ")
                            .append(show(got)).append('\n');
                }
            }
        }
        assertEquals(0, failures, failures + " of " + cases.size() + " cases differ:\n" + report);
    }

    static String show(HostOracle.State s) {
        return String.format("x0=%016x:%016x x1=%016x:%016x m=%016x:%016x:%016x:%016x rax=%x mxcsr=%04x fl=%x",
                s.x1(), s.x0(), s.y1(), s.y0(), s.m3(), s.m2(), s.m1(), s.m0(), s.rax(), s.mxcsr(), s.rflags());
    }
}
