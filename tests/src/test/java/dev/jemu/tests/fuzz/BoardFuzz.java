package dev.jemu.tests.fuzz;

import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.machine.MachineType;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.Region;
import dev.jemu.core.time.Timer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One seed on one board: builds it with two virtio-blk disks on fresh qcow2 images, runs its machine loop
 * on its own thread with the heartbeat program on the CPU, and has the loop execute, as posted work,
 * {@code opsPerWindow} operations on every device window: reads and writes of every size at biased
 * offsets with biased values and, on virtio transports, handshakes and descriptor chains with DMA
 * addresses inside, across and outside RAM. The operations depend only on the seed. Then it checks the
 * invariants: nothing but a bus error came out of the bus, no device fault was contained, ROM is
 * unchanged, posted work, timers and the CPU still run, and the images are clean under qemu-img check.
 */
final class BoardFuzz {
    static final long RAM = 64 << 20;
    private static final int BATCH = 4096, HISTORY = 48;
    private static final long WAIT_SECONDS = 60;

    /** Operations and bus errors (access faults, legitimate) per window, and the failure or null. */
    record Result(String board, long seed, Map<String, long[]> perWindow, String failure, long imageGrowth,
            boolean rebooted) {
    }

    private final MachineType type;
    private final long seed;
    private final int opsPerWindow;
    private final Path dir;
    private final Path template;
    private final boolean trace;

    private final Biased b;
    // the latest operations, kept as fields and only formatted for a failure report or a trace
    private final String[] histText = new String[HISTORY];
    private final Window[] histWindow = new Window[HISTORY];
    private final long[] histOffset = new long[HISTORY], histValue = new long[HISTORY];
    private final int[] histSize = new int[HISTORY];
    private long opIndex;
    private boolean rebooted;
    private String failure;

    BoardFuzz(MachineType type, long seed, int opsPerWindow, Path dir, Path template, boolean trace) {
        this.type = type;
        this.seed = seed;
        this.opsPerWindow = opsPerWindow;
        this.dir = dir;
        this.template = template;
        this.trace = trace;
        this.b = new Biased(seed);
    }

    /**
     * The fuzzed machine: {@code type} with {@code ram} bytes of RAM, no firmware, {@code kernel} at the start
     * of RAM and a virtio-blk disk on each qcow2 image; with a {@code share}, also a virtio-rng device and a
     * virtio-9p device exporting that directory, and a virtio-net device on a UDP link to itself (what the
     * guest sends comes back to it), so every kind of device the board has is on the bus.
     */
    static MachineConfig config(MachineType type, long ram, Path kernel, Path share, Path... images) {
        MachineConfig config = new MachineConfig();
        config.machine = type.name();
        config.ramBytes = ram;
        config.bios = "none";
        config.kernel = kernel;
        for (Path image : images) {
            config.drives.add("file=" + image + ",format=qcow2");
        }
        if (share != null) {
            config.devices.add("virtio-rng-device");
            config.virtfs.add("local,path=" + share + ",mount_tag=fuzz,security_model=none");
            int port = freeUdpPort();
            config.netdevs.add("socket,id=fuzznet,udp=127.0.0.1:" + port + ",localaddr=127.0.0.1:" + port);
            config.devices.add("virtio-net-device,netdev=fuzznet");
        }
        return config;
    }

    private static int freeUdpPort() {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String boardName(MachineType t) {
        return t.architecture() + "/" + t.name();
    }

    Result run() throws Exception {
        Path a = dir.resolve("disk-a.qcow2"), c = dir.resolve("disk-b.qcow2"), kernel = dir.resolve("kernel.bin");
        Files.copy(template, a, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(template, c, StandardCopyOption.REPLACE_EXISTING);
        byte[] heartbeat = Heartbeats.program(type.architecture());
        Files.write(kernel, heartbeat != null ? heartbeat : new byte[4096]);
        Map<String, long[]> perWindow = new LinkedHashMap<>();
        // the 9p share lives beside the fuzz directory: what the guest writes there is its business, but nothing
        // may appear next to the images
        Path share = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-share"));
        Machine m = type.create(config(type, RAM, kernel, share, a, c));
        try {
            fuzz(m, heartbeat, perWindow);
        } finally {
            m.close();
            FuzzImages.deleteTree(share);
        }
        long growth = 0;
        for (Path image : List.of(a, c)) {
            growth += Files.size(image) - Files.size(template);
            String report = FuzzImages.check(image);
            if (report != null && failure == null) {
                failure = "qemu-img check " + image.getFileName() + ": " + report;
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            Set<String> left = files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            if (!left.equals(Set.of("disk-a.qcow2", "disk-b.qcow2", "kernel.bin")) && failure == null) {
                failure = "files appeared next to the images: " + left;
            }
        }
        Files.delete(a);
        Files.delete(c);
        Files.delete(kernel);
        return new Result(boardName(type), seed, perWindow, failure == null ? null : describe(), growth, rebooted);
    }

    private String describe() {
        StringBuilder s = new StringBuilder(String.format("%s seed %d: %s (after %d operations)%n  replay: "
                + "-Djemu.fuzz.seed=%d -Djemu.fuzz.board=%s [-Djemu.fuzz.trace=true]%n  last operations:%n",
                boardName(type), seed, failure, opIndex, seed, type.name()));
        for (long i = Math.max(0, opIndex - HISTORY); i < opIndex; i++) {
            s.append("    #").append(i).append(' ').append(history((int) (i % HISTORY))).append('\n');
        }
        return s.toString();
    }

    private void fail(String why) {
        if (failure == null) {
            failure = why;
        }
    }

    private void fuzz(Machine m, byte[] heartbeat, Map<String, long[]> perWindow) throws Exception {
        boolean cpuHeartbeat = heartbeat != null;
        AddressSpace bus = m.addressSpace();
        AddressSpace io = m.ioPorts();
        MachineLoop loop = m.loop();
        List<Window> windows = new java.util.ArrayList<>(Window.of(bus));
        windows.removeIf(emptyVirtioSlotsButTheFirst(bus));
        windows.addAll(Window.ports(io));
        DmaTargets dma = new DmaTargets(bus);
        Map<Region, byte[]> roms = new LinkedHashMap<>();
        for (Region r : bus.regions()) {
            if (r.kind() == Region.Kind.ROM) {
                roms.put(r, r.ram().segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
        }
        // the virtio transports get a driver; virtio-blk's capacity biases the sectors
        VirtioFuzzDriver[] drivers = new VirtioFuzzDriver[windows.size()];
        for (int i = 0; i < windows.size(); i++) {
            Window w = windows.get(i);
            perWindow.put(w.label(), new long[2]);
            if (!w.port() && w.size() >= 0x200 && bus.read(w.base(), 4) == Window.VIRTIO_MAGIC && bus.read(w.base() + 8, 4) != 0) {
                long capacity = bus.read(w.base() + VirtioFuzzDriver.DEVICE_ID, 4) == 2
                        ? bus.read(w.base() + 0x100, 4) | bus.read(w.base() + 0x104, 4) << 32 : -1;
                drivers[i] = new VirtioFuzzDriver(w, i, dma, capacity);
            }
        }
        long faults0 = faults(m);

        AtomicLong ticks = new AtomicLong();
        Throwable[] escaped = new Throwable[1];
        boolean[] stop = new boolean[1];
        Thread machine = Thread.ofPlatform().name("fuzz-" + type.name() + "-" + seed).start(() -> {
            try {
                while (!stop[0]) {
                    m.run(); // a poweroff through the test device only ends one run: go on
                }
            } catch (Throwable t) {
                escaped[0] = t;
            }
        });
        try {
            onMachine(loop, () -> {
                Runnable[] tick = new Runnable[1];
                Timer tm = loop.clock().newTimer("fuzz.tick", () -> {
                    ticks.incrementAndGet();
                    tick[0].run();
                });
                tick[0] = () -> tm.armAfter(1_000_000);
                tick[0].run();
            });
            int[] remaining = new int[windows.size()];
            Arrays.fill(remaining, opsPerWindow);
            int[] live = new int[windows.size()];
            int[] liveCount = {windows.size()};
            for (int i = 0; i < live.length; i++) {
                live[i] = i;
            }
            while (liveCount[0] > 0 && failure == null && escaped[0] == null) {
                onMachine(loop, () -> {
                    for (int k = 0; k < BATCH && liveCount[0] > 0 && failure == null; k++) {
                        int j = b.nextInt(liveCount[0]);
                        int wi = live[j];
                        if (--remaining[wi] == 0) {
                            live[j] = live[--liveCount[0]];
                        }
                        Window w = windows.get(wi);
                        operation(w.port() ? io : bus, dma, w, drivers[wi], perWindow.get(w.label()));
                        if (faults(m) != faults0) {
                            fail("a device fault was contained: " + lastFault(m));
                        }
                    }
                });
            }
            if (escaped[0] != null) {
                fail("exception out of the machine: " + stackTrace(escaped[0]));
            }
            if (failure == null && heartbeat != null && !intact(bus, dma.ramBase + Heartbeats.offset(type.architecture()), heartbeat)) {
                // the guest's DMA went over its own program (through rings or buffers that other requests
                // overwrote: legitimate, if reckless): a system reset reloads it, then the heartbeat must run
                rebooted = true;
                loop.requestExit(ExitRequest.reset());
                Thread.sleep(50);
            }
            if (failure == null) {
                long t0 = ticks.get();
                long h0 = cpuHeartbeat ? onMachine(loop, () -> bus.read(dma.ramBase + Heartbeats.COUNTER, 8)) : 0;
                long h1 = h0;
                // progress within 2 s: a loaded host (CI) may give the machine thread no time for a while, and a
                // CPU that just came out of a reset may compile its loop (a JIT block) before it counts on
                for (int wait = 0; wait < 2000 / 30 && (h1 == h0 || ticks.get() == t0); wait++) {
                    Thread.sleep(30);
                    h1 = cpuHeartbeat ? onMachine(loop, () -> bus.read(dma.ramBase + Heartbeats.COUNTER, 8)) : h0 + 1;
                }
                if (ticks.get() == t0) {
                    fail("timers stopped firing");
                } else if (h1 == h0) {
                    // where the CPU is tells a stopped CPU (halted, or a jemu bug) from one running wild code
                    String regs = m.control().query(b -> b.registerDump(0)).get(WAIT_SECONDS, TimeUnit.SECONDS);
                    fail("the CPU heartbeat stopped at " + h0 + (rebooted ? " (after the reset)" : "")
                            + "; the CPU's registers:\n" + regs.indent(4).stripTrailing());
                }
            }
        } catch (TimeoutException e) {
            fail(escaped[0] != null ? "exception out of the machine: " + stackTrace(escaped[0])
                    : "the machine loop did not run posted work within " + WAIT_SECONDS + " s");
        } finally {
            stop[0] = true;
            loop.requestExit(ExitRequest.quit(0));
            machine.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            if (machine.isAlive()) {
                fail("the machine thread did not stop");
            }
        }
        if (faults(m) != faults0) {
            fail("a device fault was contained: " + lastFault(m));
        }
        for (Map.Entry<Region, byte[]> e : roms.entrySet()) {
            byte[] now = e.getKey().ram().segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            if (!Arrays.equals(now, e.getValue())) {
                fail("ROM " + e.getKey().name() + " changed");
            }
        }
    }

    /**
     * Empty virtio-mmio slots (magic, device ID 0) are one stateless register set that ignores writes: fuzzing one
     * covers them all, and the board's other 7 to 27 would only cost CI time.
     */
    private static java.util.function.Predicate<Window> emptyVirtioSlotsButTheFirst(AddressSpace bus) {
        boolean[] seen = new boolean[1];
        return w -> {
            if (w.size() < 0x200 || bus.read(w.base(), 4) != Window.VIRTIO_MAGIC || bus.read(w.base() + 8, 4) != 0) {
                return false;
            }
            boolean drop = seen[0];
            seen[0] = true;
            return drop;
        };
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    private static boolean intact(AddressSpace bus, long at, byte[] program) {
        for (int i = 0; i < program.length; i++) {
            if ((byte) bus.read(at + i, 1) != program[i]) {
                return false;
            }
        }
        return true;
    }

    private static long faults(Machine m) {
        return m.addressSpace().faults().count() + m.loop().faults().count();
    }

    private static String lastFault(Machine m) {
        String l = m.loop().faults().last();
        return l != null ? l : m.addressSpace().faults().last();
    }

    /** Runs {@code work} on the machine thread and waits for it. */
    private static void onMachine(MachineLoop loop, Runnable work) throws Exception {
        onMachine(loop, () -> {
            work.run();
            return 0L;
        });
    }

    private static long onMachine(MachineLoop loop, java.util.function.LongSupplier work) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        loop.post(() -> {
            try {
                done.complete(work.getAsLong());
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            return done.get(WAIT_SECONDS, TimeUnit.SECONDS); // (a dead machine thread also ends here)
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("fuzzer bug", e.getCause());
        }
    }

    /**
     * One operation on window {@code w} of {@code bus} (the memory bus, or the I/O port space for a port window:
     * then as IN/OUT make them, 1, 2 or 4 bytes, the value cut to its size); counts[0] operations, counts[1] bus
     * errors.
     */
    private void operation(AddressSpace bus, DmaTargets dma, Window w, VirtioFuzzDriver driver, long[] counts) {
        int slot = (int) (opIndex % HISTORY);
        histWindow[slot] = w;
        histText[slot] = null;
        try {
            int k = driver == null ? 99 : b.nextInt(100);
            if (k < 2) {
                driver.handshake(b, s -> record(slot, s));
            } else if (k < 10) {
                driver.request(b, s -> record(slot, s));
            } else {
                int size = w.port() ? b.portSize() : b.size();
                long off = w.port() ? b.portOffset(w.size(), size) : b.offset(w.size(), size);
                boolean read = b.chance(50);
                long v = read ? 0 : w.port() ? b.value() & -1L >>> (64 - 8 * size) : dma.spare(b.value());
                histSize[slot] = read ? -size : size;
                histOffset[slot] = off;
                histValue[slot] = v;
                if (trace) {
                    System.out.println("#" + opIndex + " " + history(slot));
                }
                if (read) {
                    bus.read(w.base() + off, size);
                } else {
                    bus.write(w.base() + off, size, v);
                }
            }
        } catch (BusError e) {
            counts[1]++;
        } catch (Throwable t) {
            fail("exception out of the bus: " + t);
        }
        counts[0]++;
        opIndex++;
    }

    private void record(int slot, String what) {
        histText[slot] = what;
        if (trace) {
            System.out.println("#" + opIndex + " " + history(slot));
        }
    }

    private String history(int slot) {
        String w = histWindow[slot].port() ? histWindow[slot].label() : histWindow[slot].name();
        if (histText[slot] != null) {
            return w + " " + histText[slot];
        }
        int size = histSize[slot];
        return size < 0 ? String.format("%s read%d +0x%x", w, -size, histOffset[slot])
                : String.format("%s write%d +0x%x = 0x%x", w, size, histOffset[slot], histValue[slot]);
    }
}
