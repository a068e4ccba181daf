package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Runs an ALU/load-store/branch loop and prints the interpreter's speed (instructions per second); checks the result. */
class SpeedProbe {
    private static void probe(String name, String loop) {
        TestRig rig = new TestRig();
        rig.load(loop, 64);
        TestRig.Result warm = rig.go(50_000_000);
        assertEquals(-1, warm.fault());
        long expect = warm.reg(X86Cpu.RDX);
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        double s = Double.MAX_VALUE;
        long n = 0;
        for (int i = 0; i < 5; i++) { // the best of five, by CPU time: the machine is shared
            long t0 = mx.getCurrentThreadCpuTime();
            long before = rig.cpu.retired();
            TestRig.Result r = rig.rerun(50_000_000);
            n = rig.cpu.retired() - before;
            s = Math.min(s, (mx.getCurrentThreadCpuTime() - t0) / 1e9);
            assertEquals(expect, r.reg(X86Cpu.RDX));
        }
        System.out.printf("SpeedProbe %s: %d instructions in %.3f s of CPU time = %.1f MIPS%n", name, n, s, n / s / 1e6);
    }

    @Test
    void aluLoadStoreBranchLoop() {
        probe("alu+load/store+branch", """
                mov $3000000, %ecx
                xor %edx, %edx
                xor %eax, %eax
                lea buf(%rip), %rsi
                1: add %ecx, %eax
                xor $0x55, %eax
                mov %eax, (%rsi)
                add (%rsi), %edx
                shl $1, %edx
                dec %ecx
                jnz 1b
                """);
    }

    @Test
    void compareBranchLoop() {
        probe("cmp/test+jcc", """
                mov $3000000, %ecx
                xor %edx, %edx
                xor %eax, %eax
                1: cmp $5, %eax
                jb 2f
                test $1, %cl
                jz 2f
                inc %edx
                2: add $3, %eax
                and $15, %eax
                cmp %ecx, %edx
                jg 3f
                3: dec %ecx
                jnz 1b
                """);
    }

    @Test
    void aluBranchLoop() {
        probe("alu+branch", """
                mov $3000000, %ecx
                xor %edx, %edx
                xor %eax, %eax
                1: add %ecx, %eax
                xor $0x55, %eax
                add %eax, %edx
                shl $1, %edx
                cmp %eax, %edx
                adc $0, %edx
                dec %ecx
                jnz 1b
                """);
    }

    @Test
    void loopCrossingAPageEnd() {
        // a compiled block cannot hold an instruction that crosses the page end: the MOVABS runs interpreted, one
        // instruction per run, between the blocks before and after it (as in a loop of the amd64 boot)
        probe("loop with an instruction crossing the page end", """
                mov $1000000, %ecx
                xor %edx, %edx
                jmp 1f
                .org 0xff0
                1: add %ecx, %edx
                xor $0x55, %edx
                .org 0xffd, 0x90
                movabs $1, %rax
                add %rax, %rdx
                dec %ecx
                jnz 1b
                """);
    }
}
