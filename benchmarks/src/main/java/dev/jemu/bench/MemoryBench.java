package dev.jemu.bench;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.memory.Region;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory paths under every guest access: region lookup on a virt-like map (what a TLB miss
 * costs) and little-endian RAM accesses through the off-heap segment (what a TLB hit costs).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MemoryBench {
    static final int N = 1024;
    static final long RAM_BASE = 0x8000_0000L;

    AddressSpace bus;
    GuestRam ram;
    long[] addrs;
    long[] offsets;

    @Setup(Level.Trial)
    public void setup() {
        bus = new AddressSpace();
        MmioDevice idle = new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                return 0;
            }

            @Override
            public void write(long offset, int size, long value) {
            }
        };
        // the virt board's map: test, rtc, clint, plic, uart, 8 virtio slots, RAM
        bus.addMmio("test", 0x10_0000, 0x1000, idle);
        bus.addMmio("rtc", 0x10_1000, 0x1000, idle);
        bus.addMmio("clint", 0x200_0000, 0x1_0000, idle);
        bus.addMmio("plic", 0xc00_0000, 0x60_0000, idle);
        bus.addMmio("uart", 0x1000_0000, 0x100, idle);
        for (int i = 0; i < 8; i++) bus.addMmio("virtio" + i, 0x1000_1000L + 0x1000L * i, 0x1000, idle);
        ram = new GuestRam(64L << 20);
        bus.addRam("ram", RAM_BASE, ram);
        var rnd = new java.util.SplittableRandom(42);
        addrs = new long[N];
        offsets = new long[N];
        for (int i = 0; i < N; i++) {
            offsets[i] = rnd.nextLong(ram.size() - 8) & ~7L;
            addrs[i] = (i & 7) == 0 ? 0x1000_0000L : RAM_BASE + offsets[i];   // 1 in 8 to a device
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ram.close();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long regionLookup() {
        long h = 0;
        for (long a : addrs) {
            Region r = bus.find(a);
            h += r.base();
        }
        return h;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long ramReadLong() {
        long h = 0;
        for (long off : offsets) h += ram.readLong(off);
        return h;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void ramWriteLong() {
        for (long off : offsets) ram.writeLong(off, off);
    }
}
