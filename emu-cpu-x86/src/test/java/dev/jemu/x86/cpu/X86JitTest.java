package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The block JIT against the interpreter where compiled blocks could change what the guest sees: code that rewrites
 * itself inside a compiled loop, a fault in the middle of a block, a loop stopped by the budget, one physical page
 * of code run at two virtual addresses. Each snippet runs twice, interpreted and compiled at its first entry
 * ({@code jitThreshold = 1}); everything the guest can see, and the instruction count, must be the same.
 */
class X86JitTest {
    record Run(TestRig.Result result, long retired, long compiled) {
    }

    private static Run run(String src, int bits, boolean compiled, long budget, java.util.function.Consumer<TestRig> setup) {
        TestRig rig = new TestRig();
        rig.cpu.jitThreshold = compiled ? 1 : Integer.MAX_VALUE;
        rig.load(src, bits);
        setup.accept(rig);
        TestRig.Result r = rig.go(budget);
        return new Run(r, rig.cpu.retired(), rig.cpu.jitRetired());
    }

    private static Run[] both(String src, long budget, java.util.function.Consumer<TestRig> setup) {
        return both(src, 64, budget, setup);
    }

    /** Runs {@code src} interpreted and compiled in a mode of code size {@code bits}; all the guest sees must agree. */
    static Run[] both(String src, int bits, long budget, java.util.function.Consumer<TestRig> setup) {
        Run i = run(src, bits, false, budget, setup), c = run(src, bits, true, budget, setup);
        assertEquals(0, i.compiled(), "the interpreted run compiled nothing");
        assertTrue(c.compiled() > 0, "the compiled run ran compiled blocks");
        assertArrayEquals(i.result().regs(), c.result().regs(), "registers");
        assertEquals(i.result().rflags(), c.result().rflags(), "rflags");
        assertEquals(i.result().fault(), c.result().fault(), "fault");
        assertEquals(Long.toHexString(i.result().rip()), Long.toHexString(c.result().rip()), "rip");
        assertArrayEquals(i.result().buf(), c.result().buf(), "memory");
        assertEquals(i.retired(), c.retired(), "instructions retired");
        return new Run[] {i, c};
    }

    @Test
    void codeRewrittenInsideACompiledLoopRunsAsRewritten() {
        // the loop patches its own ADD's immediate halfway: 51 iterations add 1, the other 49 add 3
        Run[] r = both("""
                mov $100, %ecx
                xor %eax, %eax
                1: add $1, %eax
                cmp $50, %ecx
                jne 2f
                movb $3, 1b+2(%rip)
                2: dec %ecx
                jnz 1b
                """, 10_000_000, rig -> { });
        assertEquals(51 + 49 * 3, r[1].result().reg(X86Cpu.RAX));
    }

    @Test
    void aStoreToAnInstructionLaterInTheSameBlockTakesEffectAtOnce() {
        // at ecx == 5 the loop patches the ADD that follows the store in the same pass: 5 x 1, then 5 x 3
        Run[] r = both("""
                mov $10, %ecx
                xor %eax, %eax
                1: cmp $5, %ecx
                jne 2f
                movb $3, 2f+2(%rip)
                2: add $1, %eax
                dec %ecx
                jnz 1b
                """, 10_000_000, rig -> { });
        assertEquals(5 + 5 * 3, r[1].result().reg(X86Cpu.RAX));
    }

    @Test
    void blocksGoOnThroughDirectJumpsInsideThePage() {
        // forward over bytes that are no code, backward to before the block's start, and a faulting load after a JMP
        Run[] r = both("""
                mov $50, %ecx
                lea buf(%rip), %rdi
                jmp 1f
                0: sub $1, %ebx
                jmp 2f
                1: add $2, %eax
                jmp 0b
                .byte 0x0f, 0x0b, 0xff, 0xff
                2: dec %ecx
                jnz 1b
                movabs $0x8000000000000000, %rdi
                jmp 3f
                .byte 0xcc
                3: mov (%rdi), %rdx
                """, 10_000_000, rig -> { });
        assertEquals(100, r[1].result().reg(X86Cpu.RAX));
        assertEquals(-50L & 0xffffffffL, r[1].result().reg(X86Cpu.RBX));
        assertEquals(Vectors.GP, r[1].result().fault());
    }

    @Test
    void aFaultInTheMiddleOfABlockStopsAtTheFaultingInstruction() {
        // a loop (so its block is compiled and re-entered) whose fourth pass reads a non-canonical address: #GP
        Run[] r = both("""
                mov $4, %ecx
                lea buf(%rip), %rdi
                movabs $0x8000000000000000, %rsi
                1: add $5, %eax
                inc %ebx
                cmp $1, %ecx
                cmove %rsi, %rdi
                mov (%rdi), %rdx
                add $7, %ebp
                dec %ecx
                jnz 1b
                """, 10_000_000, rig -> { });
        assertEquals(Vectors.GP, r[1].result().fault());
        assertEquals(20, r[1].result().reg(X86Cpu.RAX));
        assertEquals(21, r[1].result().reg(X86Cpu.RBP), "the instruction after the fault did not run");
    }

    @Test
    void aCompiledLoopStopsExactlyAtTheBudget() {
        String src = """
                mov $100000, %ecx
                1: add %ecx, %eax
                xor $0x55, %eax
                dec %ecx
                jnz 1b
                """;
        for (long budget : new long[] {777, 1000, 4003}) {
            TestRig[] rigs = new TestRig[2];
            long[][] regs = new long[2][];
            for (int k = 0; k < 2; k++) {
                TestRig rig = rigs[k] = new TestRig();
                rig.cpu.jitThreshold = k == 0 ? Integer.MAX_VALUE : 1;
                rig.load(src, 64);
                assertEquals(budget, rig.cpu.run(budget), "instructions run within a budget of " + budget);
                regs[k] = rig.cpu.r.clone();
            }
            assertTrue(rigs[1].cpu.jitRetired() > budget / 2, "compiled: " + rigs[1].cpu.jitRetired());
            assertEquals(rigs[0].cpu.rip, rigs[1].cpu.rip, "rip after a budget of " + budget);
            assertArrayEquals(regs[0], regs[1], "registers after a budget of " + budget);
        }
    }

    @Test
    void onePageOfCodeRunsCompiledAtTwoVirtualAddresses() {
        // PD entry 100 maps virtual 200 MiB to physical 0 too: the routine runs at its own address, then at the alias
        Run[] r = both("""
                lea where(%rip), %rbx
                call *%rbx
                call *%rbx
                mov %rax, %rsi
                add $(100 << 21), %rbx
                call *%rbx
                call *%rbx
                mov %rax, %rdi
                jmp 1f
                where: lea 0(%rip), %rax
                add $1, %rcx
                ret
                1:
                """, 10_000_000, rig -> rig.bus.write(0x3000 + 8 * 100, 8, 0x87));
        TestRig.Result c = r[1].result();
        assertEquals(100L << 21, c.reg(X86Cpu.RDI) - c.reg(X86Cpu.RSI), "RIP-relative address at the alias");
        assertEquals(4, c.reg(X86Cpu.RCX));
    }

    @Test
    void straightLineCodeLongerThanABlockCompilesWholeOnceItsFirstBlockDoes() {
        // a loop body of 130 instructions: three blocks (64 + 64 + 2), the later two entered only from the one before;
        // each is compiled at its first entry after the one before it compiled, not after a threshold of its own
        int threshold = 8, passes = 40;
        TestRig rig = new TestRig();
        rig.cpu.jitThreshold = threshold;
        rig.load("""
                mov $%d, %%ecx
                1:
                .rept 128
                add $1, %%eax
                .endr
                dec %%ecx
                jnz 1b
                """.formatted(passes), 64);
        TestRig.Result r = rig.go(10_000_000);
        assertEquals(-1, r.fault());
        assertEquals(128L * passes, r.reg(X86Cpu.RAX));
        long interpreted = rig.cpu.retired() - rig.cpu.jitRetired();
        // the MOV, then the passes before the first block compiles (the page counts `threshold` entries before its
        // block starts count as many), nothing after: the others come at the pass the first compiles in
        assertTrue(interpreted <= 1 + 2L * threshold * 130, "interpreted " + interpreted);
    }

    /** A loop that patches the immediate of a routine it calls, 256 bytes before it in the same page: each call runs the new byte. */
    private static final String PATCHES_ITS_CALLEE = """
            jmp 0f
            f: mov $0, %bl
            ret
            .skip 256, 0x90
            0: mov $100, %ecx
            1: call f
            movb %cl, f+1(%rip)
            add %rbx, %rax
            dec %ecx
            jnz 1b
            """;

    @Test
    void aStoreIntoAPageDropsOnlyTheCodeItOverlaps() {
        // the routine returns the byte stored by the pass before (0 first): 2 + 3 + ... + 100
        Run[] r = both(PATCHES_ITS_CALLEE, 10_000_000, rig -> { });
        assertEquals(5049, r[1].result().reg(X86Cpu.RAX));
        // at a threshold of 8 entries the loop's own blocks, which the store does not touch, compile and stay
        TestRig rig = new TestRig();
        rig.cpu.jitThreshold = 8;
        rig.load(PATCHES_ITS_CALLEE, 64);
        TestRig.Result r8 = rig.go(10_000_000);
        assertEquals(5049, r8.reg(X86Cpu.RAX));
        assertTrue(rig.cpu.jitRetired() > rig.cpu.retired() / 2, "compiled " + rig.cpu.jitRetired() + " of " + rig.cpu.retired());
    }

    @Test
    void aLongStraightRunCountsAsSeveralEntries() {
        // 80 passes of a 642-instruction body, threshold 50: by entries alone it would never compile; each pass
        // interpreted counts 10 entries more (one per 64 instructions after the first 64), so it compiles early
        TestRig rig = new TestRig();
        rig.cpu.jitThreshold = 50;
        rig.load("""
                mov $80, %ecx
                1:
                .rept 640
                add $1, %eax
                .endr
                dec %ecx
                jnz 1b
                """, 64);
        TestRig.Result r = rig.go(10_000_000);
        assertEquals(640L * 80, r.reg(X86Cpu.RAX));
        assertTrue(rig.cpu.jitRetired() > rig.cpu.retired() / 4, "compiled " + rig.cpu.jitRetired() + " of " + rig.cpu.retired());
    }

    @Test
    void aBlockStartCompilesOnlyWhenHotWithinOneHeatPeriod() {
        // the loop's start is looked up once per pass while it is interpreted; threshold 50. Periods of 2^4 lookups
        // halve its heat before it gets there (it never passes 32), periods of 2^8 (or no decay) let it compile
        for (int decay : new int[] {4, 8, 0}) {
            TestRig rig = new TestRig();
            rig.cpu.jitThreshold = 50;
            rig.cpu.jitDecay = decay;
            rig.load("""
                    mov $2000, %ecx
                    1:
                    add $1, %eax
                    dec %ecx
                    jnz 1b
                    """, 64);
            TestRig.Result r = rig.go(10_000_000);
            assertEquals(-1, r.fault());
            assertEquals(2000, r.reg(X86Cpu.RAX));
            if (decay == 4) {
                assertEquals(0, rig.cpu.jitRetired(), "decay " + decay);
            } else {
                assertTrue(rig.cpu.jitRetired() > rig.cpu.retired() / 2, "decay " + decay + ": compiled "
                        + rig.cpu.jitRetired() + " of " + rig.cpu.retired());
            }
        }
    }
}
