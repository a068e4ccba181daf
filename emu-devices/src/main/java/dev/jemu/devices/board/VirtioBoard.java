package dev.jemu.devices.board;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.control.ControlledBoard;
import dev.jemu.core.control.GuestExits;
import dev.jemu.core.control.MachineControl;
import dev.jemu.core.fdt.DtbDump;
import dev.jemu.core.host.HostThreads;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.Cpu;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.devices.block.Drive;
import dev.jemu.devices.snapshot.SnapshotMachine;
import dev.jemu.devices.snapshot.VmSnapshotHooks;
import dev.jemu.devices.virtio.VirtioSlots;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture-neutral plumbing of a one-CPU board with RAM and virtio-mmio slots (the riscv64 and aarch64
 * {@code virt} boards): the loop, the run control and its monitors' common answers, snapshot and migration
 * wiring, the run loop and closing. The board keeps its memory map, devices, CPU, boot and reset.
 */
public abstract class VirtioBoard implements Machine, SnapshotMachine {
    protected final MachineConfig config;
    protected final MachineLoop loop;
    protected final GuestRam ram;
    protected final AddressSpace bus = new AddressSpace();
    protected final VirtioSlots virtio;
    /** Every CPU and device in snapshot order. */
    protected final List<Stateful> devices = new ArrayList<>();
    private MachineControl control;
    private ControlledBoard controlled;
    private volatile long machineThreadId;

    /** The loop, {@code config.ramBytes} of RAM and {@code virtioSlots} virtio-mmio slots (not yet created). */
    protected VirtioBoard(MachineConfig config, int virtioSlots) throws ConfigException {
        this.config = config;
        this.loop = new MachineLoop(config.clock);
        loop.setMultiThread(config.tcgMultiThread); // -accel tcg,thread= (null: multi with several CPUs)
        bus.useDeviceLock(loop.deviceLock()); // CPU threads reach the devices under the loop's device lock
        try {
            this.ram = new GuestRam(config.ramBytes);
        } catch (OutOfMemoryError e) {
            throw new ConfigException("cannot allocate " + (config.ramBytes >> 20) + " MiB of guest RAM");
        }
        this.virtio = new VirtioSlots(config, virtioSlots, board());
    }

    /** The CPU the loop runs. */
    protected abstract Cpu cpu();

    /** Every CPU the loop runs, in order (hart/CPU index); the first is {@link #cpu()}. */
    protected java.util.List<? extends Cpu> cpus() {
        return java.util.List.of(cpu());
    }

    /** Loads the images and sets the CPU's start state; at build time and on every reset. */
    protected abstract void boot() throws ConfigException;

    /** The device tree {@link #boot} gave the guest, for {@code dumpdtb}. */
    protected abstract byte[] deviceTree();

    /** A system reset: devices to power-on state, RAM cleared, images reloaded, the CPU at its start. */
    protected abstract void reset() throws ConfigException;

    /** Closes the board's own memories (ROM, flash); RAM and disks are closed already. */
    protected abstract void closeMemories();

    /** Maps a device window on the bus; {@code state} (if not null) joins the snapshot. */
    protected final void map(String node, long base, long size, MmioDevice device, Stateful state) {
        bus.addMmio(node, base, size, device);
        if (state != null) {
            devices.add(state);
        }
    }

    /**
     * The end of the board's build: the run control over {@code board}, the first boot, then {@code dumpdtb} or
     * {@code -loadvm}. The disks are closed if that fails.
     */
    protected final void start(ControlledBoard board) throws ConfigException {
        controlled = board;
        control = new MachineControl(loop, board, config.startPaused);
        try {
            boot();
            if (config.dumpDtb != null) {
                DtbDump.write(config.dumpDtb, deviceTree());
            } else {
                VmSnapshotHooks.loadAtStart(this, config.loadvm);
            }
        } catch (ConfigException | RuntimeException e) {
            virtio.close();
            throw e;
        }
    }

    /** The board's side of the run control (register dumps, memory reads, the power button...). */
    public final ControlledBoard controlledBoard() {
        return controlled;
    }

    @Override
    public AddressSpace addressSpace() {
        return bus;
    }

    @Override
    public MachineLoop loop() {
        return loop;
    }

    /** Ends the run with {@code status} (the user quit). Safe from any thread. */
    @Override
    public void quit(int status) {
        control.requestQuit(status);
    }

    /** Ctrl-A s: every drive's cached data and metadata written to its image now, as the guest's FLUSH would. */
    @Override
    public void flushDisks() {
        virtio.flushDisks();
    }

    @Override
    public MachineControl control() {
        return control;
    }

    // ---------------------------------------------------------------- SnapshotMachine (savevm/loadvm)

    @Override
    public GuestRam ram() {
        return ram;
    }

    @Override
    public VirtualClock clock() {
        return loop.clock();
    }

    /** Every CPU and device, for snapshots. */
    @Override
    public List<Stateful> stateful() {
        return List.copyOf(devices);
    }

    @Override
    public List<String> deviceSet() {
        return virtio.deviceSet();
    }

    @Override
    public List<Drive> drives() {
        return virtio.drives();
    }

    @Override
    public void drainDevices() {
        virtio.drain();
    }

    // ---------------------------------------------------------------- running

    @Override
    public int run() {
        if (config.dumpDtb != null) {
            return 0; // -M virt,dumpdtb=FILE: the tree is written, the guest never starts (as QEMU)
        }
        try {
            return runLoop();
        } finally {
            control.finish();
        }
    }

    private int runLoop() {
        machineThreadId = HostThreads.currentTid();
        while (true) {
            ExitRequest e = loop.run(cpus());
            if (control.quitStatus() >= 0) {
                return control.quitStatus();
            }
            int status = guestExit(e);
            if (status >= 0) {
                return status;
            }
        }
    }

    /** The host thread id running CPU {@code index} (QEMU's {@code thread-id}): its own with thread=multi. */
    protected long cpuThreadId(int index) {
        return loop.cpuThreadId(cpus().get(index), machineThreadId);
    }

    /** What the guest's exit {@code e} does: the exit status that ends the run, or -1 to go on. */
    protected int guestExit(ExitRequest e) {
        return GuestExits.handle(e, control, config, this::reset);
    }

    /** What every board tells its monitors alike: the CPU, the disks, the network. Runs on the machine thread. */
    protected abstract class Control implements ControlledBoard {
        private final String cpuQomPath;

        protected Control(String cpuQomPath) {
            this.cpuQomPath = cpuQomPath;
        }

        @Override
        public List<CpuInfo> cpus() {
            return List.of(new CpuInfo(0, cpuQomPath, architecture(), machineThreadId));
        }

        @Override
        public List<BlockInfo> blocks() {
            return virtio.blocks();
        }

        @Override
        public String networkInfo() {
            return virtio.networkInfo();
        }

        @Override
        public boolean setLink(String name, boolean up) {
            return virtio.setLink(name, up);
        }

        /** Guest physical memory byte by byte through the bus (device windows too): how many bytes were read. */
        protected int readBus(long addr, byte[] into) {
            for (int i = 0; i < into.length; i++) {
                try {
                    into[i] = (byte) bus.read(addr + i, 1);
                } catch (dev.jemu.core.memory.BusError e) {
                    return i;
                }
            }
            return into.length;
        }
    }

    @Override
    public void close() {
        virtio.close();
        for (CharBackend b : config.serials) {
            b.close();
        }
        ram.close();
        closeMemories();
    }
}
