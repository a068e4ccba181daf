package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Chained compiled blocks (X86Cpu.runCompiled: a block's exit goes straight into the compiled block at the next rip)
 * against the interpreter where a chain could change what the guest sees: code rewritten under the chain, the
 * chain's page remapped to another physical page, a fault in the second block of a chain, an interrupt raised while
 * two blocks chain into each other. Each snippet runs interpreted and compiled at its first entry; everything the
 * guest sees and the instruction count must agree, and the compiled run must really have chained.
 */
class X86ChainTest {
    private static X86JitTest.Run[] both(String src, java.util.function.Consumer<TestRig> setup) {
        return X86JitTest.both(src, 64, 10_000_000, setup);
    }

    /** Runs {@code src} compiled and returns the CPU's count of chained block entries. */
    private static long chained(String src, java.util.function.Consumer<TestRig> setup) {
        TestRig rig = new TestRig();
        rig.cpu.jitThreshold = 1;
        rig.load(src, 64);
        setup.accept(rig);
        rig.go(10_000_000);
        return rig.cpu.chainedEntries;
    }

    @Test
    void codeRewrittenUnderAChainRunsAsRewritten() {
        // blocks at 1 (the ADD), 3 and 5 chain into each other; at ecx == 50 the block at 3 patches the ADD: the
        // block at 5 and the ADD's block after it must come from the page as rewritten, not from the dropped one
        String src = """
                mov $100, %ecx
                xor %eax, %eax
                1: add $1, %eax
                cmp $80, %ecx
                jae 5f
                cmp $50, %ecx
                je 3f
                jmp 5f
                3: movb $3, 1b+2(%rip)
                5: dec %ecx
                jnz 1b
                """;
        X86JitTest.Run[] r = both(src, rig -> { });
        assertEquals(51 + 49 * 3, r[1].result().reg(X86Cpu.RAX));
        assertTrue(chained(src, rig -> { }) > 30, "blocks chained");
    }

    @Test
    void aChainFollowsItsPageRemappedToAnotherPhysicalPage() {
        // the code remaps its own (2 MiB) page to a copy whose ADD adds 5 and INVLPGs it: the taken JNZ to the
        // compiled block at 1 after that must run the copy, as the interpreter does (its next block start
        // translates afresh), not the old page's block that the chain would find by the virtual page alone
        String src = """
                xor %eax, %eax
                xor %ebx, %ebx
                mov $3, %ecx
                1: add $1, %eax
                dec %ecx
                jnz 2f
                jmp 3f
                2: test %ecx, %ecx
                jnz 1b
                3: test %ebx, %ebx
                jnz 4f
                inc %ebx
                movq $0x200087, 0x3000
                invlpg 0x100000
                mov $3, %ecx
                test %ebx, %ebx
                jnz 1b
                4:
                """;
        java.util.function.Consumer<TestRig> copy = rig -> {
            byte[] low = new byte[2 << 20];
            rig.bus.copyOut(0, low, 0, low.length);
            rig.bus.load(2 << 20, low);
            for (long a = TestRig.ORG; a < TestRig.ORG + 64; a++) {
                if (rig.bus.read(a, 1) == 0x83 && rig.bus.read(a + 1, 1) == 0xc0 && rig.bus.read(a + 2, 1) == 1) {
                    rig.bus.write((2 << 20) + a + 2, 1, 5); // the copy's ADD adds 5
                    return;
                }
            }
            throw new AssertionError("add $1,%eax not found");
        };
        X86JitTest.Run[] r = both(src, copy);
        assertEquals(3 + 3 * 5, r[1].result().reg(X86Cpu.RAX));
        assertTrue(chained(src, copy) > 2, "blocks chained");
    }

    /**
     * The block at 1 (first page) leaves by turns to the blocks at 2 and 8 (second page), which add 1 and 2 and jump
     * back, four times; then {@code remap} points the second page's virtual address at a copy whose ADDs add 5 and 6,
     * and the loop runs again. The block at 1 is the same block both times (its page keeps its mapping) and remembers
     * both old blocks as its successors (the one it left to last and the other): the second loop must run the copy's.
     */
    private static void successorFollowsRemap(String remap) {
        String src = """
                xor %eax, %eax
                xor %ebx, %ebx
                xor %edx, %edx
                mov $4, %ecx
                1: inc %edx
                test $1, %dl
                jnz 2f
                jmp 8f
                3: test %ebx, %ebx
                jnz 5f
                inc %ebx
                """ + remap + """
                mov $4, %ecx
                jmp 1b
                .balign 4096
                2: add $1, %eax
                jmp 9f
                8: add $2, %eax
                9: dec %ecx
                jnz 1b
                jmp 3b
                5:
                """;
        java.util.function.Consumer<TestRig> setup = rig -> {
            // 4 KiB pages for the first 2 MiB: PT at 0x7000 (identity), and a second hierarchy for CR3 0x4000 whose
            // PT at 0x8000 maps the code's second page to its copy at 2 MiB up
            long second = TestRig.ORG + 0x1000;
            for (int i = 0; i < 512; i++) {
                rig.bus.write(0x7000 + 8L * i, 8, (long) i << 12 | 7);
                rig.bus.write(0x8000 + 8L * i, 8, (long) i << 12 | 7);
                rig.bus.write(0x6000 + 8L * i, 8, (long) i << 21 | 0x87);
            }
            rig.bus.write(0x3000, 8, 0x7000 | 7);
            rig.bus.write(0x4000, 8, 0x5000 | 7);
            rig.bus.write(0x5000, 8, 0x6000 | 7);
            rig.bus.write(0x6000, 8, 0x8000 | 7);
            rig.bus.write(0x8000 + 8 * (second >>> 12), 8, (2 << 20) + second | 7);
            byte[] low = new byte[2 << 20];
            rig.bus.copyOut(0, low, 0, low.length);
            rig.bus.load(2 << 20, low);
            int patched = 0;
            for (long a = second; a < second + 16; a++) {
                if (rig.bus.read(a, 1) == 0x83 && rig.bus.read(a + 1, 1) == 0xc0) {
                    long imm = rig.bus.read(a + 2, 1);
                    rig.bus.write((2 << 20) + a + 2, 1, imm + 4); // the copy's ADDs add 5 and 6
                    patched++;
                }
            }
            if (patched != 2) {
                throw new AssertionError("the second page's two ADDs not found");
            }
        };
        X86JitTest.Run[] r = both(src, setup);
        assertEquals(2 * (1 + 2) + 2 * (5 + 6), r[1].result().reg(X86Cpu.RAX));
        assertTrue(chained(src, setup) > 8, "blocks chained");
    }

    @Test
    void aRememberedSuccessorDoesNotOutliveInvlpg() {
        successorFollowsRemap("""
                movq $0x301007, 0x7808
                invlpg 0x101000
                """);
    }

    @Test
    void aRememberedSuccessorDoesNotOutliveACr3Switch() {
        successorFollowsRemap("""
                mov $0x4000, %esi
                mov %rsi, %cr3
                """);
    }

    @Test
    void aFaultInTheSecondBlockOfAChainStopsAtTheFaultingInstruction() {
        // the blocks at 1 and 3 chain into each other; the fourth pass of the block at 3 reads a non-canonical address
        String src = """
                mov $4, %ecx
                lea buf(%rip), %rdi
                movabs $0x8000000000000000, %rsi
                1: add $5, %eax
                cmp $1, %ecx
                cmove %rsi, %rdi
                test %ecx, %ecx
                jnz 3f
                jmp 4f
                3: inc %ebx
                mov (%rdi), %rdx
                add $7, %ebp
                dec %ecx
                jnz 1b
                4:
                """;
        X86JitTest.Run[] r = both(src, rig -> { });
        assertEquals(Vectors.GP, r[1].result().fault());
        assertEquals(4, r[1].result().reg(X86Cpu.RBX));
        assertEquals(21, r[1].result().reg(X86Cpu.RBP), "the instructions after the fault did not run");
        assertTrue(chained(src, rig -> { }) > 3, "blocks chained");
    }

    /** An interrupt controller whose one interrupt is raised by the guest's write to port 0x80. */
    private static final class RaisedByPort implements InterruptSource {
        final SysRig rig;
        boolean taken;

        RaisedByPort(SysRig rig) {
            this.rig = rig;
        }

        @Override
        public boolean hasInterrupt() {
            return !taken && !rig.portWrites.isEmpty();
        }

        @Override
        public int acknowledge() {
            taken = true;
            return 0x30;
        }
    }

    /** CX when the interrupt was taken (the handler's BX), and the chained entries, of one real-mode run. */
    private static long[] interruptDuringAChain(boolean compiled) {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        c.jitThreshold = compiled ? 1 : Integer.MAX_VALUE;
        c.seg[X86Cpu.CS].set(0, 0, 0xffff, Segment.REAL_CODE);
        c.rip = 0x7c00;
        c.updateMode();
        rig.bus.write(0x30 * 4, 4, 0x0000_7e00L);
        rig.code(0x7e00, ".code16\nmov %cx, %bx\nhlt\n");
        // the blocks at 1 and 2 chain into each other; at cx == 500 the first one's fall-through raises the interrupt
        rig.code(0x7c00, """
                .code16
                mov $0x9000, %sp
                xor %cx, %cx
                xor %dx, %dx
                sti
                1: inc %cx
                cmp $500, %cx
                jne 2f
                out %al, $0x80
                2: add $1, %dx
                cmp $1000, %cx
                jb 1b
                mov $0xdead, %bx
                hlt
                """);
        c.setInterruptSource(new RaisedByPort(rig));
        for (int i = 0; i < 10 && !c.halted; i++) {
            c.run(1_000_000);
        }
        assertTrue(c.halted, "the handler's HLT");
        return new long[] {c.r[X86Cpu.RBX] & 0xffff, c.chainedEntries, c.retired()};
    }

    @Test
    void anInterruptRaisedDuringAChainedLoopIsTakenAtTheNextBlockStart() {
        long[] interpreted = interruptDuringAChain(false), compiled = interruptDuringAChain(true);
        assertEquals(500, interpreted[0], "interpreted: taken right after the block that raised it");
        assertEquals(500, compiled[0], "compiled: taken right after the block that raised it");
        assertEquals(interpreted[2], compiled[2], "instructions retired");
        assertTrue(compiled[1] > 400, "blocks chained: " + compiled[1]);
    }
}
