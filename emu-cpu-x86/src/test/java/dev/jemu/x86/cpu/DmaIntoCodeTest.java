package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A device's DMA into a page of decoded code (a write no CPU store hook sees) takes effect at the next re-check
 * (an exception, interrupt, reset or loaded state), interpreted and compiled alike: until then the CPU runs the page
 * as it was decoded, and ops decoded or blocks compiled meanwhile come from the same bytes. Were they decoded from RAM
 * as changed, a re-check that finds RAM back as it was (a reset reloading the kernel) would keep them: the fuzzer's
 * heartbeat guest ran one pass after each reset and then wild code from a block compiled while DMA had changed it.
 */
class DmaIntoCodeTest {
    private static final String LOOP = """
            mov $200, %ecx
            xor %eax, %eax
            1: add $1, %eax
            dec %ecx
            jnz 1b
            """;

    /** Where the ADD's immediate is: the bytes 83 c0 01 in the loaded snippet. */
    private static long addImmediate(TestRig rig) {
        for (long a = TestRig.ORG; a < TestRig.ORG + 64; a++) {
            if (rig.bus.read(a, 1) == 0x83 && rig.bus.read(a + 1, 1) == 0xc0 && rig.bus.read(a + 2, 1) == 1) {
                return a + 2;
            }
        }
        throw new AssertionError("add $1,%eax not found");
    }

    private static void check(boolean compiled, int runFirst) {
        String what = (compiled ? "compiled" : "interpreted") + ", DMA after " + runFirst + " instructions";
        TestRig rig = new TestRig();
        rig.cpu.jitThreshold = compiled ? 2 : Integer.MAX_VALUE;
        rig.load(LOOP, 64);
        long imm = addImmediate(rig);
        rig.cpu.run(runFirst);
        rig.bus.write(imm, 1, 3); // DMA: ADD $3 from now on, but nothing re-checks the page yet
        assertEquals(200, rig.go(10_000_000).reg(X86Cpu.RAX), what + ": the page as decoded until a re-check");
        if (compiled) {
            assertTrue(rig.cpu.jitRetired() > 0, what + ": ran compiled blocks");
        }

        rig.bus.write(imm, 1, 1); // the DMA puts the byte back as it was (as a reset reloads the kernel)
        rig.cpu.code.recheck();
        assertEquals(200, rig.rerun().reg(X86Cpu.RAX), what + ": RAM as the page was decoded");

        rig.bus.write(imm, 1, 3);
        rig.cpu.code.recheck();
        assertEquals(600, rig.rerun().reg(X86Cpu.RAX), what + ": the new bytes after the re-check");
    }

    @Test
    void dmaIntoCodeTakesEffectAtTheNextRecheckInterpretedOrCompiled() {
        for (boolean compiled : new boolean[] {false, true}) {
            check(compiled, 2); // the ADD not decoded yet when the DMA lands
            check(compiled, 5); // one pass of the loop decoded
        }
    }
}
