package dev.jemu.bench;

import dev.jemu.riscv.cpu.Decoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding cost per instruction word (what a decoded-page fill pays): a mix of 32-bit words from
 * the benchmark loops and compressed halfwords as a C-heavy kernel has them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DecoderBench {
    static final int N = 1024;
    static final int[] COMPRESSED = {
        0x4501, 0x4585, 0x852e, 0x95aa, 0x0505, 0x6108, 0xe10c, 0x60e2, 0x6442, 0x8082, 0x1141, 0xe406,
        0xc111, 0xa011, 0x9d2d, 0x8d89, 0x050e, 0x4781, 0x00a7f513 & 0xffff, 0x6785,
    };
    int[] words;

    @Setup
    public void setup() {
        int[] big = new int[0];
        for (String k : new String[] {"alu", "mem", "branch", "mul"}) {
            int[] p = HartBench.program(k);
            int[] merged = new int[big.length + p.length];
            System.arraycopy(big, 0, merged, 0, big.length);
            System.arraycopy(p, 0, merged, big.length, p.length);
            big = merged;
        }
        words = new int[N];
        for (int i = 0; i < N; i++) {
            words[i] = (i % 3 == 2) ? COMPRESSED[i % COMPRESSED.length] : big[i % big.length];
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long decode() {
        long h = 0;
        for (int w : words) h += Decoder.decode(w);
        return h;
    }
}
