package dev.jemu.tests.diff;

import dev.jemu.core.loader.ElfLoader;
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
import dev.jemu.x86.kvm.KvmAccelerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs an x86 difftest program on the host CPU through jemu's KVM accelerator, in-process, on the smallest
 * machine the programs need: 128 MiB of RAM, the ELF's PT_LOAD segments, the PVH entry (32-bit protected mode,
 * paging off), a 16550 transmit register at port 0x3f8 and the GED sleep register at 0xfea00200 (S5 powers off
 * with status 0). Until the microvm board runs under -accel kvm this stands in for {@code jemu -accel kvm}.
 */
final class KvmProgramRunner {
    /** Generous: on a nested host without nested paging every line's REP OUTSB is emulated by the kernel. */
    static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("jemu.kvm.timeout", 90));
    private static final int EM_X86_64 = 62, PT_NOTE = 4, XEN_ELFNOTE_PHYS32_ENTRY = 18;

    private KvmProgramRunner() {}

    /** Null when KVM can be used here, else why not (for the test's assumption). */
    static String unavailable() {
        if (!KvmAccelerator.hostSupported()) return "not an x86_64 Linux host";
        Path dev = Path.of(System.getProperty(KvmAccelerator.DEVICE_PROPERTY, "/dev/kvm"));
        if (!Files.exists(dev)) return dev + " does not exist here";
        if (!Files.isReadable(dev) || !Files.isWritable(dev)) return dev + " is not accessible to this user";
        return null;
    }

    static ProcessRun run(Path elf) throws IOException, ConfigException {
        byte[] data = Files.readAllBytes(elf);
        try (GuestRam ram = new GuestRam(128L << 20)) {
            AddressSpace bus = new AddressSpace(), io = new AddressSpace();
            MachineLoop loop = new MachineLoop(VirtualClock.realtime());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            bus.addRam("ram", 0, ram);
            io.addMmio("serial", 0x3f8, 8, new MmioDevice() {
                @Override
                public long read(long offset, int size) {
                    return offset == 5 ? 0x60 : 0; // LSR: transmitter empty
                }

                @Override
                public void write(long offset, int size, long value) {
                    if (offset == 0) {
                        synchronized (out) {
                            out.write((int) value);
                        }
                    }
                }
            });
            bus.addMmio("ged-regs", 0xfea00200L, 0x100, new MmioDevice() {
                @Override
                public long read(long offset, int size) {
                    return 0;
                }

                @Override
                public void write(long offset, int size, long value) {
                    if (offset == 0 && (value & 0x20) != 0 && (value >> 2 & 7) == 5) {
                        loop.requestExit(ExitRequest.poweroff(0));
                    }
                }
            });
            ElfLoader.load(elf, data, bus, EM_X86_64);
            try (KvmAccelerator kvm = KvmAccelerator.create(bus, io, loop)) {
                kvm.boot(pvhEntry(pvhNote(elf, data)));
                CompletableFuture<ExitRequest> run = new CompletableFuture<>();
                Thread.ofPlatform().daemon().name("kvm-difftest").start(() -> {
                    try {
                        run.complete(loop.run(kvm.cpu()));
                    } catch (Throwable t) {
                        run.completeExceptionally(t);
                    }
                });
                long t0 = System.nanoTime();
                ExitRequest e;
                boolean timedOut = false;
                try {
                    e = run.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException t) {
                    timedOut = true;
                    loop.requestExit(ExitRequest.quit(ProcessRun.TIMEOUT));
                    e = run.get(5, TimeUnit.SECONDS);
                }
                byte[] text;
                synchronized (out) {
                    text = out.toByteArray();
                }
                System.out.printf("kvm %s: %d exits in %d ms%n", elf.getFileName(), kvm.vcpu().exits(),
                        (System.nanoTime() - t0) / 1_000_000);
                String failure = kvm.vcpu().failure();
                return new ProcessRun(timedOut ? ProcessRun.TIMEOUT : e.status(), text,
                        failure == null ? "" : failure, timedOut);
            } catch (InterruptedException | java.util.concurrent.ExecutionException | TimeoutException ex) {
                throw new IllegalStateException("KVM run of " + elf + " failed", ex);
            }
        }
    }

    /** The 32-bit entry of the ELF's PVH note (XEN_ELFNOTE_PHYS32_ENTRY). */
    static long pvhNote(Path elf, byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xffff, phnum = b.getShort(56) & 0xffff;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (b.getInt(ph) != PT_NOTE) continue;
            int off = (int) b.getLong(ph + 8), end = off + (int) b.getLong(ph + 32);
            while (off + 12 <= end) {
                int namesz = b.getInt(off), descsz = b.getInt(off + 4), type = b.getInt(off + 8);
                int desc = off + 12 + (namesz + 3 & ~3);
                String name = new String(data, off + 12, Math.max(0, namesz - 1), java.nio.charset.StandardCharsets.US_ASCII);
                if (name.equals("Xen") && type == XEN_ELFNOTE_PHYS32_ENTRY) {
                    return descsz >= 8 ? b.getLong(desc) : b.getInt(desc) & 0xffffffffL;
                }
                off = desc + (descsz + 3 & ~3);
            }
        }
        throw new IllegalStateException(elf + " has no PVH note");
    }

    /** PVH's start state: 32-bit protected mode, flat CS/DS, paging off, interrupts off. */
    static BootState pvhEntry(long entry) {
        Segment[] segs = new Segment[6];
        for (int i = 0; i < 6; i++) {
            segs[i] = new Segment();
            segs[i].set(0x18, 0, 0xffffffffL, Segment.P | Segment.S | 3 << Segment.TYPE_SHIFT | Segment.DB | Segment.G);
        }
        segs[X86Cpu.CS].set(0x10, 0, 0xffffffffL, Segment.P | Segment.S | 0xb << Segment.TYPE_SHIFT | Segment.DB | Segment.G);
        Segment tr = new Segment();
        tr.set(0x20, 0, 0x67, Segment.P | 0xb << Segment.TYPE_SHIFT);
        return new BootState(entry, new long[16], 2, X86Cpu.CR0_PE | X86Cpu.CR0_ET, 0, 0, 0, segs, tr, 0, 0, 0, 0);
    }
}
