package dev.jemu.devices.arm.gic;

import java.util.Random;
import java.util.function.Consumer;

/** Each CPU's IRQ and FIQ lines of a GIC under test, as levels. */
final class CpuOutputs {
    final boolean[] irq, fiq;

    CpuOutputs(Gic gic, int cpus) {
        irq = new boolean[cpus];
        fiq = new boolean[cpus];
        for (int c = 0; c < cpus; c++) {
            int cpu = c;
            gic.attachCpu(c, l -> irq[cpu] = l, l -> fiq[cpu] = l);
        }
    }

    /** A check after some steps: which seed, which step. */
    interface Check {
        void at(long seed, int step);
    }

    /** The fuzz loop both GIC tests run: 20 seeds of 2000 random steps, {@code check} every 50. */
    static void fuzz(Consumer<Random> step, Check check) {
        for (long seed = 1; seed <= 20; seed++) {
            Random rnd = new Random(seed);
            for (int n = 0; n < 2000; n++) {
                step.accept(rnd);
                if (n % 50 == 0) {
                    check.at(seed, n);
                }
            }
        }
    }
}
