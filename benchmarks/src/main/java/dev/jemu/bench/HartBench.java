package dev.jemu.bench;

import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.riscv.cpu.Hart;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The interpreter hot path: one Hart in M-mode running an endless in-RAM loop, {@link #BUDGET}
 * instructions per operation. With throughput in ops/us and the budget as operations per invocation,
 * the score reads directly as MIPS. Loops: {@code alu} (16 ALU ops incl. the branch), {@code mem}
 * (load/add/store on a data page), {@code branch} (taken and untaken branches), {@code mul}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class HartBench {
    static final int BUDGET = 1_000_000;
    static final long RAM_BASE = 0x8000_0000L;
    static final int A0 = 10, A1 = 11, A2 = 12, T0 = 5, T1 = 6, T2 = 7, S1 = 9, A5 = 15, DATA = 29;

    @Param({"alu", "mem", "branch", "mul"})
    public String loop;

    GuestRam ram;
    Hart hart;

    @Setup(Level.Trial)
    public void setup() {
        VirtualClock clock = VirtualClock.realtime();
        MachineLoop machineLoop = new MachineLoop(clock);
        AddressSpace bus = new AddressSpace();
        ram = new GuestRam(16L << 20);
        bus.addRam("ram", RAM_BASE, ram);
        int[] code = program(loop);
        byte[] bytes = new byte[code.length * 4];
        for (int k = 0; k < code.length; k++) {
            for (int j = 0; j < 4; j++) bytes[4 * k + j] = (byte) (code[k] >>> (8 * j));
        }
        bus.load(RAM_BASE, bytes);
        hart = new Hart(0, bus, machineLoop, new Timebase(clock, 10_000_000));
        hart.setPc(RAM_BASE);
        hart.setReg(DATA, RAM_BASE + 0x10000);
        hart.setReg(S1, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ram.close();
    }

    @Benchmark
    @OperationsPerInvocation(BUDGET)
    public long run() {
        return hart.run(BUDGET);
    }

    /** An endless loop of 16 instructions (the last is the backward branch). */
    static int[] program(String kind) {
        List<Integer> body = new ArrayList<>();
        switch (kind) {
            case "alu" -> {
                for (int k = 0; body.size() < 15; k++) {
                    int r = A0 + k % 5;
                    body.add(switch (k % 6) {
                        case 0 -> Rv.addi(r, r, 1 + k);
                        case 1 -> Rv.add(r, r, A0 + (k + 2) % 5);
                        case 2 -> Rv.xor(r, r, A0 + (k + 1) % 5);
                        case 3 -> Rv.slli(T0, r, k % 13);
                        case 4 -> Rv.sub(r, r, T0);
                        default -> Rv.srli(T1, r, 3);
                    });
                }
            }
            case "mem" -> {
                for (int k = 0; body.size() < 15; k++) {
                    body.add(Rv.ld(A0, DATA, 8 * k));
                    body.add(Rv.add(A1, A1, A0));
                    body.add(Rv.sd(A1, DATA, 256 + 8 * k));
                }
            }
            case "branch" -> {
                // xor flips A5; beq is taken every other time; both paths retire 3 instructions
                while (body.size() + 4 <= 15) {
                    body.add(Rv.xor(A5, A5, S1));
                    body.add(Rv.beq(A5, 0, 8));
                    body.add(Rv.jal(0, 8));
                    body.add(Rv.addi(A0, A0, 1));
                }
                while (body.size() < 15) body.add(Rv.addi(A1, A1, 1));
            }
            case "mul" -> {
                for (int k = 0; body.size() < 15; k++) {
                    int r = A0 + k % 3;
                    body.add(k % 2 == 0 ? Rv.mul(r, r, A0 + (k + 1) % 3) : Rv.addi(r, r, 3));
                }
            }
            default -> throw new IllegalArgumentException(kind);
        }
        body.add(Rv.beq(0, 0, -4 * body.size()));
        return body.stream().mapToInt(Integer::intValue).toArray();
    }
}
