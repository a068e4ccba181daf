package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FP and SIMD corner cases (NaN propagation, default NaN, flush-to-zero, the estimates, odd rounding,
 * saturation, conversions to half) run both here and on QEMU 7.2 (qemu-system-aarch64 -M virt -cpu cortex-a57):
 * every result register and the final FPSR must be equal. The same body runs on both; under QEMU a prologue
 * enables FP and sets FPCR, and a tail prints the results through the PL011 and powers off through PSCI.
 */
class FpQemuCompareTest {
    /** Inputs, 16 bytes each: {low, high}. */
    private static final long[][] DATA = {
        {0x7ff8000000000111L, 0x7fc00123_7f800045L}, // 0: quiet NaN d / s lanes: snan s, qnan s
        {0x7ff0000000000222L, 0x3f800000_ff800000L}, // 1: signalling NaN d / s lanes: -inf, 1.0
        {0x0000000000000000L, 0x80000000_00000000L}, // 2: +0 d / s lanes: +0, -0
        {0x8000000000000000L, 0x00400000_00000001L}, // 3: -0 d / s lanes: denormals
        {0x3ff0000000000000L, 0x40400000_40000000L}, // 4: 1.0 d / s lanes 2.0, 3.0
        {0x0000000000000001L, 0x7f7fffff_00800000L}, // 5: min denormal d / s lanes: min normal, max
        {0x4004000000000000L, 0xbf000000_40200000L}, // 6: 2.5 d / s lanes 2.5, -0.5
        {0x7ff0000000000000L, 0x477ff000_33d6bf95L}, // 7: +inf d / s lanes 1e-7, 65520
        {0x36a0000000000001L, 0x3ff0000000000001L}, // 8: tiny d, 1 + ulp d
        {0x80007fff80008000L, 0x7fff800080008000L}, // 9: halfwords for saturation
        {0x3fd5555555555555L, 0x4415af1d78b58c40L}, // 10: 1/3, 1e20
        {0x7f7fffffff7fffffL, 0x0000000100000000L}, // 11
    };

    /** Each case: an instruction reading v1 (DATA[a]) and v2 (DATA[b]) and writing v0. */
    private static final String[][] CASES = {
        {"fadd d0, d1, d2", "0", "1"}, {"fadd d0, d2, d1", "4", "0"}, {"fmul v0.4s, v1.4s, v2.4s", "0", "1"},
        {"fmax d0, d1, d2", "2", "3"}, {"fmin d0, d1, d2", "2", "3"}, {"fmaxnm d0, d1, d2", "0", "4"},
        {"fminnm v0.4s, v1.4s, v2.4s", "0", "4"}, {"fmax v0.4s, v1.4s, v2.4s", "3", "5"},
        {"frecpe v0.4s, v1.4s", "4", "0"}, {"frecpe v0.4s, v1.4s", "5", "0"}, {"frecpe v0.4s, v1.4s", "3", "0"},
        {"frecpe d0, d1", "10", "0"}, {"frsqrte v0.4s, v1.4s", "4", "0"}, {"frsqrte v0.4s, v1.4s", "5", "0"},
        {"frsqrte v0.4s, v1.4s", "3", "0"}, {"frsqrte d0, d1", "6", "0"}, {"frsqrte v0.4s, v1.4s", "1", "0"},
        {"frecps v0.4s, v1.4s, v2.4s", "1", "2"}, {"frsqrts v0.4s, v1.4s, v2.4s", "4", "6"},
        {"fmulx v0.4s, v1.4s, v2.4s", "1", "2"}, {"frecpx d0, d1", "5", "0"}, {"fcvtxn s0, d1", "10", "0"},
        {"fcvtxn v0.2s, v1.2d", "8", "0"}, {"fmul d0, d1, d2", "8", "8"}, {"fmul d0, d1, d2", "5", "4"},
        {"fadd v0.4s, v1.4s, v2.4s", "3", "5"}, {"fcvtzs v0.4s, v1.4s", "1", "0"}, {"fcvtzs x3, d1", "10", "0"},
        {"fcvtzu v0.2d, v1.2d", "10", "0"}, {"frinta v0.4s, v1.4s", "6", "0"}, {"frintx v0.4s, v1.4s", "6", "0"},
        {"frintn d0, d1", "6", "0"}, {"fcvtn v0.4h, v1.4s", "7", "0"}, {"fcvtl v0.4s, v1.4h", "9", "0"},
        {"fcvt h0, s1", "7", "0"}, {"fcvt d0, s1", "0", "0"}, {"fcvt s0, d1", "1", "0"},
        {"sqrdmulh v0.8h, v1.8h, v2.8h", "9", "9"}, {"sqdmulh v0.4s, v1.4s, v2.s[1]", "9", "11"},
        {"sqshrn v0.8b, v1.8h, #3", "9", "0"}, {"uqrshrn v0.4h, v1.4s, #5", "11", "0"},
        {"sqshlu v0.8h, v1.8h, #2", "9", "0"}, {"fmadd d0, d1, d2, d1", "0", "7"},
        {"fmla v0.4s, v1.4s, v2.4s", "1", "2"}, {"fabd v0.4s, v1.4s, v2.4s", "5", "1"},
        {"fcmge v0.4s, v1.4s, #0.0", "0", "0"}, {"facgt v0.4s, v1.4s, v2.4s", "1", "7"},
        {"scvtf v0.4s, v1.4s, #3", "9", "0"}, {"ucvtf d0, d1, #60", "9", "0"}, {"fcvtzs v0.2d, v1.2d, #10", "8", "0"},
        {"fcvtas v0.4s, v1.4s", "6", "0"}, {"fcvtns v0.4s, v1.4s", "6", "0"}, {"fcvtps v0.4s, v1.4s", "6", "0"},
        {"fcvtmu v0.4s, v1.4s", "6", "0"}, {"fcvtau x3, d1", "6", "0"}, {"fcvtzs w3, s1", "5", "0"},
        {"frinti v0.4s, v1.4s", "6", "0"}, {"frintp v0.2d, v1.2d", "10", "0"}, {"frintm d0, d1", "6", "0"},
        {"fmaxnmv s0, v1.4s", "0", "0"}, {"fminv s0, v1.4s", "5", "0"}, {"fmaxnmp v0.4s, v1.4s, v2.4s", "0", "1"},
        {"faddp s0, v1.2s", "5", "0"}, {"fsqrt v0.4s, v1.4s", "1", "0"}, {"fsqrt d0, d1", "5", "0"},
        {"fdiv v0.2d, v1.2d, v2.2d", "4", "2"}, {"fnmul s0, s1, s2", "0", "4"}, {"fnmadd d0, d1, d2, d1", "1", "4"},
        {"srshr v0.8h, v1.8h, #4", "9", "0"}, {"ursra v0.4s, v1.4s, #31", "11", "0"}, {"sqrshrun v0.8b, v1.8h, #2", "9", "0"},
        {"uqshl v0.8h, v1.8h, #1", "9", "0"}, {"sqshl v0.4s, v1.4s, #1", "11", "0"}, {"sshl v0.8h, v1.8h, v2.8h", "9", "11"},
        {"urshl v0.4s, v1.4s, v2.4s", "11", "9"}, {"sqabs v0.8h, v1.8h", "9", "0"}, {"sqneg v0.4s, v1.4s", "9", "0"},
        {"sqxtun v0.4h, v1.4s", "9", "0"}, {"uqxtn v0.8b, v1.8h", "9", "0"}, {"sqdmulh v0.8h, v1.8h, v2.8h", "9", "9"},
        {"shadd v0.8h, v1.8h, v2.8h", "9", "11"}, {"urhadd v0.16b, v1.16b, v2.16b", "9", "11"},
        {"uhsub v0.4s, v1.4s, v2.4s", "9", "11"}, {"sabal v0.4s, v1.4h, v2.4h", "9", "11"},
        {"smlsl2 v0.2d, v1.4s, v2.4s", "9", "11"}, {"raddhn v0.8b, v1.8h, v2.8h", "9", "11"},
        {"sadalp v0.4s, v1.8h", "9", "0"}, {"cls v0.8h, v1.8h", "9", "0"}, {"saddlv s0, v1.8h", "9", "0"},
        {"smaxv h0, v1.8h", "9", "0"}, {"umlal v0.4s, v1.4h, v2.h[7]", "9", "11"}, {"sli d0, d1, #63", "11", "0"},
        {"sri v0.2d, v1.2d, #64", "11", "0"}, {"shll v0.4s, v1.4h, #16", "9", "0"}, {"cmle v0.8h, v1.8h, #0", "9", "0"},
        {"aese v0.16b, v1.16b", "10", "0"}, {"aesd v0.16b, v1.16b", "10", "9"}, {"aesmc v0.16b, v1.16b", "9", "0"},
        {"aesimc v0.16b, v1.16b", "10", "0"}, {"pmull v0.1q, v1.1d, v2.1d", "10", "9"},
        {"pmull2 v0.1q, v1.2d, v2.2d", "10", "11"}, {"sha1c q0, s1, v2.4s", "9", "10"},
        {"sha1p q0, s1, v2.4s", "10", "11"}, {"sha1m q0, s1, v2.4s", "11", "9"}, {"sha1h s0, s1", "10", "0"},
        {"sha1su0 v0.4s, v1.4s, v2.4s", "9", "10"}, {"sha1su1 v0.4s, v1.4s", "10", "0"},
        {"sha256h q0, q1, v2.4s", "9", "10"}, {"sha256h2 q0, q1, v2.4s", "10", "11"},
        {"sha256su0 v0.4s, v1.4s", "11", "0"}, {"sha256su1 v0.4s, v1.4s, v2.4s", "9", "10"},
        {"sqshl v0.8h, v1.8h, v2.8h", "9", "11"}, {"uqrshl v0.4s, v1.4s, v2.4s", "11", "9"},
        {"sqrshl d0, d1, d2", "10", "9"}, {"uqshl b0, b1, b2", "9", "4"}, {"suqadd v0.8h, v1.8h", "9", "0"},
        {"usqadd v0.4s, v1.4s", "11", "0"}, {"sqdmull v0.4s, v1.4h, v2.4h", "9", "9"},
        {"sqdmlal2 v0.2d, v1.4s, v2.4s", "9", "11"}, {"sqdmlsl s0, h1, h2", "9", "9"},
        {"sqdmull2 v0.2d, v1.4s, v2.s[3]", "9", "11"}, {"sqdmlal d0, s1, v2.s[1]", "9", "9"},
        {"addp v0.8b, v1.8b, v2.8b", "9", "11"}, {"uminp v0.4h, v1.4h, v2.4h", "9", "10"},
        {"smaxp v0.2s, v1.2s, v2.2s", "9", "11"}, {"addp v0.2d, v1.2d, v2.2d", "10", "11"},
        {"umaxp v0.16b, v1.16b, v2.16b", "9", "10"}, {"fminp v0.2s, v1.2s, v2.2s", "1", "5"},
        // NZCV of the compares, read through FCSEL (one condition each)
        {"fcmp d1, d2; fcsel d0, d1, d2, vs", "0", "4"}, {"fcmpe d1, d2; fcsel d0, d1, d2, eq", "2", "3"},
        {"fcmp s1, #0.0; fcsel d0, d1, d2, lt", "3", "4"}, {"fcmpe d1, d2; fcsel d0, d1, d2, hi", "4", "0"},
        {"fcmp d1, d2; fcsel d0, d1, d2, ge", "5", "2"}, {"fcmp d1, d2; fccmp d2, d1, #4, eq; fcsel d0, d1, d2, ne", "4", "4"},
        {"fcmp d1, d2; fccmpe d2, d1, #2, ne; fcsel d0, d1, d2, cs", "1", "4"},
    };

    private static final long BODY = 0x400, DATA_AT = 0x3000, OUT_AT = 0x4000;

    private static String body() {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < CASES.length; k++) {
            s.append("movi v0.2d, #0\n");
            s.append("ldr q1, [x1, #").append(16 * Integer.parseInt(CASES[k][1])).append("]\n");
            s.append("ldr q2, [x1, #").append(16 * Integer.parseInt(CASES[k][2])).append("]\n");
            s.append(CASES[k][0].replace("; ", "\n")).append('\n');
            s.append("str q0, [x2, #").append(16 * k).append("]\n");
        }
        return s.toString();
    }

    private static String program(int fpcr) {
        StringBuilder s = new StringBuilder();
        s.append(".arch armv8-a+crypto\n_start:\nmov x0, #(3 << 20)\nmsr cpacr_el1, x0\nisb\n");
        s.append("ldr x0, =").append(fpcr).append("\nmsr fpcr, x0\nmsr fpsr, xzr\n");
        s.append("ldr x1, =").append(TestRig.RAM + DATA_AT).append("\nldr x2, =").append(TestRig.RAM + OUT_AT)
                .append("\nb body\n.ltorg\n.org ").append(BODY).append("\nbody:\n");
        s.append(body());
        int words = 2 * CASES.length;
        s.append("mrs x3, fpsr\nstr x3, [x2, #").append(8 * words).append("]\n");
        s.append("mov x4, #0x09000000\nmov x5, #0\n1: ldr x6, [x2, x5, lsl #3]\nmov x7, #60\n");
        s.append("2: lsr x8, x6, x7\nand x8, x8, #15\ncmp x8, #10\nadd x9, x8, #48\nadd x10, x8, #87\n");
        s.append("csel x9, x9, x10, lt\nstrb w9, [x4]\nsubs x7, x7, #4\nb.ge 2b\nmov w9, #10\nstrb w9, [x4]\n");
        s.append("add x5, x5, #1\ncmp x5, #").append(words + 1).append("\nb.lt 1b\n");
        s.append("movz x0, #0x0008\nmovk x0, #0x8400, lsl #16\nhvc #0\nb .\n");
        s.append(".org ").append(DATA_AT).append('\n');
        for (long[] d : DATA) s.append(".quad ").append(d[0]).append(", ").append(d[1]).append('\n');
        s.append(".org ").append(OUT_AT).append("\n.skip ").append(8 * (words + 2)).append('\n');
        return s.toString();
    }

    private static boolean qemuPresent() {
        try {
            Process p = new ProcessBuilder("qemu-system-aarch64", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static List<Long> qemu(String source) throws Exception {
        Path dir = Files.createTempDirectory("a64q");
        try {
            Files.writeString(dir.resolve("t.s"), source);
            run(dir, "aarch64-linux-gnu-as", "-o", "t.o", "t.s");
            run(dir, "aarch64-linux-gnu-ld", "-Ttext=0x40000000", "-e", "0x40000000", "-o", "t.elf", "t.o");
            String out = run(dir, "timeout", "30", "qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57",
                    "-nographic", "-monitor", "none", "-serial", "stdio", "-kernel", "t.elf");
            List<Long> words = new ArrayList<>();
            for (String line : out.split("\n")) {
                line = line.trim();
                if (line.matches("[0-9a-f]{16}")) words.add(Long.parseUnsignedLong(line, 16));
            }
            return words;
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    /** FPCR 0; DN + FZ + round towards minus infinity; round towards plus infinity. */
    @ParameterizedTest
    @ValueSource(ints = {0, (1 << 25) | (1 << 24) | (2 << 22), 1 << 22})
    void matchesQemu(int fpcr) throws Exception {
        assumeTrue(qemuPresent(), "qemu-system-aarch64 not installed");
        String src = program(fpcr);
        List<Long> want = qemu(src);
        assertEquals(2 * CASES.length + 1, want.size(), "QEMU printed every result");

        TestRig r = new TestRig().asm(src);
        r.cpu.setPc(TestRig.RAM + BODY);
        r.cpu.setReg(1, TestRig.RAM + DATA_AT);
        r.cpu.setReg(2, TestRig.RAM + OUT_AT);
        r.cpu.fpcr = fpcr;
        int insns = 0;
        for (String[] k : CASES) insns += 4 + k[0].split("; ").length;
        r.run(insns);
        assertEquals(TestRig.RAM + BODY + 4L * insns, r.cpu.pc(), "the body ran to its end");
        for (int k = 0; k < CASES.length; k++) {
            for (int h = 0; h < 2; h++) {
                long got = r.bus.read(TestRig.RAM + OUT_AT + 16L * k + 8 * h, 8);
                assertEquals(Long.toHexString(want.get(2 * k + h)), Long.toHexString(got),
                        CASES[k][0] + " half " + h + " (FPCR " + Integer.toHexString(fpcr) + ")");
            }
        }
        assertEquals(Long.toHexString(want.get(2 * CASES.length)), Long.toHexString(r.cpu.fpsr), "FPSR");
    }
}
