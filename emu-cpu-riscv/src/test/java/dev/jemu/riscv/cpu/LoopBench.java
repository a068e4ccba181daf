package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;

import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;

/**
 * Manual interpreter benchmark (not a unit test): the same ALU and load/store loops as the kit's loopimg.py,
 * run through a MachineLoop. Usage: LoopBench alu|mem BODY ITERATIONS [REPEATS].
 */
public final class LoopBench {
    public static void main(String[] args) {
        String kind = args.length > 0 ? args[0] : "alu";
        int body = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        long iters = args.length > 2 ? Long.parseLong(args[2]) : 50_000_000L;
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        for (int r = 0; r < repeats; r++) {
            VirtualClock clock = VirtualClock.realtime();
            MachineLoop loop = new MachineLoop(clock);
            AddressSpace bus = new AddressSpace();
            GuestRam ram = new GuestRam(16L << 20);
            bus.addRam("ram", 0x8000_0000L, ram);
            bus.addMmio("test", 0x100000, 0x1000, new MmioDevice() {
                @Override
                public long read(long offset, int size) {
                    return 0;
                }

                @Override
                public void write(long offset, int size, long value) {
                    loop.requestExit(ExitRequest.poweroff(0));
                }
            });
            Hart h = new Hart(0, bus, loop, new Timebase(clock, 10_000_000));
            Asm a = new Asm(0x8000_0000L).auipc(7, 0).ld(5, 7, 1024).lui(1, 1).add(1, 1, 7);
            a.addi(5, 5, -1);
            int n = 1;
            while (n < body - 1) {
                if (kind.equals("mem")) {
                    int[] three = {Asm.i(0, 1, 3, 6, 0x03), Asm.r(0, 6, 7, 0, 7, 0x33), Asm.s(8, 7, 1, 3, 0x23)};
                    for (int k = 0; k < 3 && n < body - 1; k++, n++) {
                        a.emit(three[k]);
                    }
                } else {
                    a.addi(6, 6, 1);
                    n++;
                }
            }
            a.bne(5, 0, -(body - 1) * 4);
            a.lui(7, 0x100).lui(8, 5).addi(8, 8, 0x555).sw(8, 7, 0).halt();
            bus.load(0x8000_0000L, a.bytes());
            bus.write(0x8000_0000L + 1024, 8, iters);
            h.setPc(0x8000_0000L);
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            loop.run(h);
            long dt = System.nanoTime() - t0;
            long dc = mx.getCurrentThreadCpuTime() - c0;
            double insns = (double) iters * body;
            // CPU time matters on a shared machine: wall-clock MIPS drops with other load
            System.out.printf("%s body=%d: %.0f MIPS wall, %.0f MIPS per CPU second (%.2f s wall, %.2f s cpu)%n",
                    kind, body, insns / dt * 1000, insns / dc * 1000, dt / 1e9, dc / 1e9);
        }
    }
}
