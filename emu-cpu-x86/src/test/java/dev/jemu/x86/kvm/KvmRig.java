package dev.jemu.x86.kvm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.x86.cpu.BootState;
import dev.jemu.x86.cpu.Segment;
import dev.jemu.x86.cpu.X86Cpu;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A bare KVM machine for tests: 2 MiB of RAM at 0, a "serial port" at I/O 0x3f8 that collects what the guest
 * writes, an exit port at 0x501 (the byte written is the exit status), a counter port at 0x80 and an MMIO
 * register at {@link #MMIO_BASE} that answers the last value written plus one.
 */
final class KvmRig implements AutoCloseable {
    static final long MMIO_BASE = 0xd0000000L;
    static final int SERIAL = 0x3f8, EXIT = 0x501, COUNTER = 0x80;

    final GuestRam ram = new GuestRam(2 << 20);
    final AddressSpace bus = new AddressSpace();
    final AddressSpace io = new AddressSpace();
    final MachineLoop loop = new MachineLoop(VirtualClock.realtime());
    final ByteArrayOutputStream serial = new ByteArrayOutputStream();
    volatile long counter;
    long mmioValue;
    final KvmAccelerator kvm;

    /** Skips the test (a plain assumption message) where /dev/kvm cannot be used. */
    static KvmRig open(boolean irqchip) {
        assumeTrue(KvmAccelerator.hostSupported(), "not an x86_64 Linux host: KVM tests skipped");
        Path dev = Path.of(System.getProperty(KvmAccelerator.DEVICE_PROPERTY, "/dev/kvm"));
        assumeTrue(Files.exists(dev), dev + " does not exist here: KVM tests skipped");
        assumeTrue(Files.isReadable(dev) && Files.isWritable(dev), dev + " is not accessible to this user: KVM tests skipped");
        try {
            return new KvmRig(irqchip);
        } catch (ConfigException e) {
            throw new AssertionError("/dev/kvm is there but unusable: " + e.getMessage());
        }
    }

    private KvmRig(boolean irqchip) throws ConfigException {
        bus.addRam("ram", 0, ram);
        io.addMmio("serial", SERIAL, 8, new Port(v -> {
            synchronized (serial) {
                serial.write((int) v);
            }
        }));
        io.addMmio("exit", EXIT, 1, new Port(v -> loop.requestExit(ExitRequest.poweroff((int) v))));
        io.addMmio("counter", COUNTER, 1, new Port(v -> counter++));
        bus.addMmio("mmio-test", MMIO_BASE, 0x1000, new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                return mmioValue + 1;
            }

            @Override
            public void write(long offset, int size, long value) {
                mmioValue = value;
            }
        });
        kvm = KvmAccelerator.create(bus, io, loop, irqchip);
    }

    String serialText() {
        synchronized (serial) {
            return serial.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /** Real mode, CS = DS = ES = SS = 0, at {@code rip}. */
    static BootState realMode(long rip) {
        Segment[] segs = new Segment[6];
        for (int i = 0; i < 6; i++) {
            segs[i] = new Segment();
        }
        segs[X86Cpu.CS].set(0, 0, 0xffff, Segment.REAL_CODE);
        Segment tr = new Segment();
        tr.set(0, 0, 0xffff, Segment.P | 0xb << Segment.TYPE_SHIFT);
        long[] r = new long[16];
        r[X86Cpu.RSP] = 0x7000;
        return new BootState(rip, r, 2, X86Cpu.CR0_ET, 0, 0, 0, segs, tr, 0, 0xffff, 0, 0xffff);
    }

    /** 64-bit mode with the first 2 MiB identity-mapped by a 2 MiB page (tables at 0x8000), at {@code rip}. */
    BootState longMode(long rip) {
        ram.writeLong(0x8000, 0x9000 | 3);
        ram.writeLong(0x9000, 0xa000 | 3);
        ram.writeLong(0xa000, 0x83);
        Segment[] segs = new Segment[6];
        for (int i = 0; i < 6; i++) {
            segs[i] = new Segment();
            segs[i].set(0x10, 0, 0xffffffffL, Segment.P | Segment.S | 3 << Segment.TYPE_SHIFT | Segment.DB | Segment.G);
        }
        segs[X86Cpu.CS].set(0x8, 0, 0xffffffffL, Segment.P | Segment.S | 0xb << Segment.TYPE_SHIFT | Segment.L | Segment.G);
        Segment tr = new Segment();
        tr.set(0x18, 0, 0x67, Segment.P | 0xb << Segment.TYPE_SHIFT);
        long[] r = new long[16];
        r[X86Cpu.RSP] = 0x7000;
        return new BootState(rip, r, 2, X86Cpu.CR0_PE | X86Cpu.CR0_ET | X86Cpu.CR0_PG, 0x8000, X86Cpu.CR4_PAE,
                X86Cpu.EFER_LME | X86Cpu.EFER_LMA, segs, tr, 0, 0, 0, 0);
    }

    /** The machine loop on a thread of its own, as the board runs it. */
    java.util.concurrent.CompletableFuture<ExitRequest> runLoop() {
        var result = new java.util.concurrent.CompletableFuture<ExitRequest>();
        Thread.ofPlatform().daemon().name("test-machine-loop").start(() -> {
            try {
                result.complete(loop.run(kvm.cpu()));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** Maps the MMIO test page (0xd0000000) in the long-mode tables: PDPT[3] -> PD at 0xb000, 2 MiB uncached. */
    void mapMmioPage() {
        ram.writeLong(0x9000 + 3 * 8, 0xb000 | 3);
        ram.writeLong(0xb000 + 128 * 8, MMIO_BASE | 0x83 | 0x10);
    }

    @Override
    public void close() {
        kvm.close();
        ram.close();
    }

    /** A write-only I/O port. */
    private record Port(java.util.function.LongConsumer onWrite) implements MmioDevice {
        @Override
        public long read(long offset, int size) {
            return 0;
        }

        @Override
        public void write(long offset, int size, long value) {
            if (offset == 0) {
                onWrite.accept(value);
            }
        }
    }
}
