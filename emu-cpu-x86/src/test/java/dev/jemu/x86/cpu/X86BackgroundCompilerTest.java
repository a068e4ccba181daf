package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Blocks compiled on the background compiler thread (the board's default): the CPU interprets a hot block until the
 * compiled one appears in its page, then runs it; what the guest sees and the instructions retired per run are the
 * interpreter's whenever the block appears.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class X86BackgroundCompilerTest {
    private static final String LOOP = """
            mov $3000000, %ecx
            xor %eax, %eax
            1: add %ecx, %eax
            xor $0x55, %eax
            dec %ecx
            jnz 1b
            """;

    @Test
    void aLoopRunsInterpretedUntilItsBlockIsInstalledThenCompiledWithTheSameResult() {
        TestRig interpreted = new TestRig();
        interpreted.cpu.jitThreshold = Integer.MAX_VALUE;
        interpreted.load(LOOP, 64);
        TestRig background = new TestRig();
        background.cpu.jitThreshold = 1;
        background.cpu.jitBackground = true;
        background.load(LOOP, 64);
        long firstCompiled = -1;
        for (int round = 0; round < 1000; round++) {
            // the same budget each round: both retire exactly as many instructions, compiled or not
            long a = interpreted.cpu.run(9_001), b = background.cpu.run(9_001);
            assertEquals(a, b, "instructions in round " + round);
            assertArrayEquals(interpreted.cpu.r, background.cpu.r, "registers after round " + round);
            assertEquals(interpreted.cpu.rip, background.cpu.rip, "rip after round " + round);
            if (firstCompiled < 0 && background.cpu.jitRetired() > 0) {
                firstCompiled = background.cpu.retired();
            }
            if (interpreted.cpu.isHalted()) {
                break;
            }
            if (firstCompiled < 0) {
                Thread.onSpinWait(); // give the compiler thread a chance on a busy machine
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        assertTrue(firstCompiled > 0, "the loop ran compiled once its block was installed");
        assertTrue(background.cpu.jitRetired() > background.cpu.retired() / 2,
                "most of the loop ran compiled: " + background.cpu.jitRetired() + " of " + background.cpu.retired());
    }
}
