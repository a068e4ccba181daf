package dev.jemu.arm.cpu;

import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One CPU on 16 MiB of RAM at 0x40000000 (virt's RAM base), for instruction tests. Programs are either words or
 * A64 assembly built with Debian's binutils ({@code aarch64-linux-gnu-as}, linked at {@link #RAM}).
 */
final class TestRig {
    static final long RAM = 0x4000_0000L;
    final VirtualClock clock = VirtualClock.instructionCount(0);
    final MachineLoop loop = new MachineLoop(clock);
    final AddressSpace bus = new AddressSpace();
    final GuestRam ram = new GuestRam(16 << 20);
    final ArmCpu cpu;

    TestRig() {
        this("cortex-a57");
    }

    TestRig(String model) {
        bus.addRam("ram", RAM, ram);
        cpu = new ArmCpu(0, CpuModels.byName(model), bus, loop, new Timebase(clock, 62_500_000));
        cpu.setPc(RAM);
        parkOnException();
        cpu.sysregs.cpacr = 3L << 20; // FPEN: FP/SIMD enabled at EL0 and EL1, as Linux runs
        cpu.sysregs.updateFpAccess();
    }

    /** Where exceptions go unless a test sets VBAR_EL1 itself: every vector is WFI; B . */
    static final long PARK_VECTORS = RAM + 0xf0_0000;

    /**
     * Points VBAR_EL1 at vectors that park the CPU (WFI in a loop), so a test reads the first exception's syndrome
     * (c.excClass, excIss, excReturn, ESR/ELR) after run() returns, instead of a cascade of aborts at VBAR 0.
     */
    private void parkOnException() {
        for (int v = 0; v < 16; v++) {
            bus.write(PARK_VECTORS + 0x80L * v, 4, 0xd503207fL); // wfi
            bus.write(PARK_VECTORS + 0x80L * v + 4, 4, 0x17ffffffL); // b . - 4 (back to the wfi)
        }
        cpu.sysregs.vbar = PARK_VECTORS;
    }

    TestRig load(int... words) {
        for (int i = 0; i < words.length; i++) {
            bus.write(RAM + 4L * i, 4, words[i] & 0xffffffffL);
        }
        return this;
    }

    /** Assembles {@code source} (GNU as syntax, linked at RAM) and loads it at RAM. */
    TestRig asm(String source) {
        try {
            Path dir = Files.createTempDirectory("a64");
            try {
                Files.writeString(dir.resolve("t.s"), source + "\n");
                exec(dir, "aarch64-linux-gnu-as", "-o", "t.o", "t.s");
                exec(dir, "aarch64-linux-gnu-ld", "-Ttext=0x40000000", "-e", "0x40000000", "-o", "t.elf", "t.o");
                exec(dir, "aarch64-linux-gnu-objcopy", "-O", "binary", "t.elf", "t.bin");
                bus.load(RAM, Files.readAllBytes(dir.resolve("t.bin")));
            } finally {
                try (var s = Files.walk(dir)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return this;
    }

    private static void exec(Path dir, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs up to {@code max} instructions (or until the CPU halts). */
    long run(long max) {
        return cpu.run(max);
    }

    long x(int n) {
        return cpu.reg(n);
    }
}
