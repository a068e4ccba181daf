package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random words from the FP/SIMD data-processing and SIMD&FP load/store spaces: every one decodes to an op or
 * UNDEFINED, and running it on random register contents raises at most an architectural exception, never a
 * Java one.
 */
class SimdDecodeFuzzTest {
    @Test
    void everyWordDecodesAndRunsWithoutAJavaException() {
        TestRig r = new TestRig();
        ArmCpu c = r.cpu;
        Random rnd = new Random(2026);
        int defined = 0;
        for (int i = 0; i < 300_000; i++) {
            int w = rnd.nextInt();
            w = switch (i % 3) {
                case 0 -> (w & ~(7 << 25)) | (7 << 25); // op0 x111: data processing, SIMD and FP
                case 1 -> (w & ~(0xf << 25)) | (0b0110 << 25); // structures, literal, LDP/STP (op0 0110)
                default -> (w & ~(0xf << 25)) | (0b1110 << 25); // LDR/STR and LDP/STP (op0 1110)
            };
            ArmOp op = A64Decoder.decode(w);
            if (op == A64Decoder.UNDEFINED) continue;
            defined++;
            for (int k = 0; k < 64; k++) c.v[k] = rnd.nextLong();
            for (int k = 0; k < 31; k++) c.x[k] = TestRig.RAM + 0x1000 + rnd.nextInt(0x10000);
            c.x[Regs.SP] = TestRig.RAM + 0x8000;
            c.fpcr = rnd.nextInt() & (0xf << 22);
            c.pc = TestRig.RAM;
            c.npc = TestRig.RAM + 4;
            try {
                op.exec(c);
            } catch (ArmException expected) {
                // an abort or trap is architectural
            } catch (RuntimeException e) {
                throw new AssertionError(String.format("word %08x", w), e);
            }
        }
        assertTrue(defined > 10_000, "enough defined encodings were hit: " + defined);
    }
}
