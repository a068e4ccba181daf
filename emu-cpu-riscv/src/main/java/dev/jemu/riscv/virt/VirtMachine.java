package dev.jemu.riscv.virt;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.NullCharBackend;
import dev.jemu.core.fdt.DtbDump;
import dev.jemu.core.control.ControlledBoard;
import dev.jemu.core.control.GuestExits;
import dev.jemu.core.control.MachineControl;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.Messages;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.Timebase;
import dev.jemu.devices.Aclint;
import dev.jemu.devices.GoldfishRtc;
import dev.jemu.devices.Plic;
import dev.jemu.devices.SifiveTest;
import dev.jemu.devices.Uart16550;
import dev.jemu.devices.block.Drive;
import dev.jemu.devices.fs.DiskBoot;
import dev.jemu.devices.virtio.DmaMemory;
import dev.jemu.devices.virtio.VirtioSlots;
import dev.jemu.devices.snapshot.SnapshotMachine;
import dev.jemu.devices.snapshot.VmSnapshotHooks;
import dev.jemu.riscv.cpu.Hart;
import dev.jemu.riscv.cpu.HartDebug;
import dev.jemu.riscv.sbi.BuiltinSbi;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * QEMU's riscv64 {@code virt} board with one hart: devices wired from {@link VirtMap}, images loaded by
 * {@link VirtBoot}, run by a {@link MachineLoop}. A guest reset rebuilds the boot state (devices reset, RAM
 * cleared, images reloaded) unless {@code -no-reboot} turns it into the end of the run.
 */
public final class VirtMachine implements Machine, SnapshotMachine {
    static final int MIP_MSIP = 3, MIP_MTIP = 7, MIP_SEIP = 9, MIP_MEIP = 11;

    private final MachineConfig config;
    private final MachineLoop loop;
    private final Timebase timebase;
    private final GuestRam ram;
    private final GuestRam rom;
    private final AddressSpace bus = new AddressSpace();
    private final Hart hart;
    private final Uart16550 uart;
    private final Plic plic;
    private final Aclint clint;
    private final GoldfishRtc rtc;
    private final List<Stateful> devices = new ArrayList<>();
    private final VirtioSlots virtio;
    private VirtBoot.Plan plan;
    private final MachineControl control;

    VirtMachine(MachineConfig config) throws ConfigException {
        this.config = config;
        if (config.smp != 1) {
            throw new ConfigException("virt: only -smp 1 is supported for now (got " + config.smp + ")");
        }
        if (config.ramBytes < (16L << 20) || (config.ramBytes & 0xfff) != 0 || config.ramBytes > (1L << 40)) {
            throw new ConfigException("virt: -m must be between 16 MiB and 1 TiB, in whole 4 KiB pages");
        }
        this.loop = new MachineLoop(config.clock);
        this.timebase = new Timebase(config.clock, VirtMap.TIMEBASE_HZ);
        try {
            this.ram = new GuestRam(config.ramBytes);
        } catch (OutOfMemoryError e) {
            throw new ConfigException("cannot allocate " + (config.ramBytes >> 20) + " MiB of guest RAM");
        }
        this.rom = new GuestRam(VirtMap.MROM.size);
        bus.addRom("mrom", VirtMap.MROM.base, rom);
        bus.addRam("ram", VirtMap.DRAM.base, ram);

        this.hart = new Hart(0, bus, loop, timebase);
        Consumer<ExitRequest> exit = loop::requestExit;

        plic = new Plic("plic@c000000", VirtMap.PLIC_SOURCES,
                l -> hart.setInterruptPending(MIP_MEIP, l), l -> hart.setInterruptPending(MIP_SEIP, l));
        clint = new Aclint("clint@2000000", timebase,
                new IrqLine[] {l -> hart.setInterruptPending(MIP_MSIP, l)},
                new IrqLine[] {l -> hart.setInterruptPending(MIP_MTIP, l)});
        CharBackend serial = VmSnapshotHooks.saveOnSerialMarker(
                config.serials.isEmpty() ? new NullCharBackend() : config.serials.get(0), this, loop);
        uart = new Uart16550(VirtMap.UART0.node(0), plic.input(VirtMap.UART0.irq(0)), serial);
        rtc = new GoldfishRtc(VirtMap.RTC.node(0), config.clock, plic.input(VirtMap.RTC.irq(0)),
                config.rtc.startNanos(), config.rtc.followsGuest());
        SifiveTest test = new SifiveTest(VirtMap.TEST.node(0), exit);
        virtio = new VirtioSlots(config, VirtMap.VIRTIO.count, "virt");
        DmaMemory dma = new DmaMemory(bus);

        for (VirtMap m : VirtMap.values()) {
            for (int i = 0; i < m.count; i++) {
                switch (m) {
                    case MROM, DRAM -> { }
                    case TEST -> map(m, i, test, test);
                    case RTC -> map(m, i, rtc, rtc);
                    case CLINT -> map(m, i, clint, clint);
                    case PLIC -> map(m, i, plic, plic);
                    case UART0 -> map(m, i, uart, uart);
                    case VIRTIO -> {
                        VirtioSlots.Slot s = virtio.create(i, m.node(i), m.base(i), plic.input(m.irq(i)), dma,
                                loop::post);
                        map(m, i, s.mmio(), s.state());
                    }
                }
            }
        }
        devices.add(hart);
        serial.connect(uart, loop.poster(uart.stateId()));
        control = new MachineControl(loop, new Control(), config.startPaused);
        try {
            boot();
            if (config.dumpDtb != null) {
                DtbDump.write(config.dumpDtb, plan.fdt());
            } else {
                VmSnapshotHooks.loadAtStart(this, config.loadvm);
            }
        } catch (ConfigException | RuntimeException e) {
            closeDisks();
            throw e;
        }
    }

    /** Finishes the disks' I/O and closes their images (deleting snapshot overlays). */
    private void closeDisks() {
        virtio.close();
    }

    private void map(VirtMap m, int i, dev.jemu.core.memory.MmioDevice d, Stateful s) {
        bus.addMmio(m.node(i), m.base(i), m.size, d);
        devices.add(s);
    }

    /** Loads the images and sets the hart's start state. */
    private void boot() throws ConfigException {
        plan = VirtBoot.load(config, bus, config.ramBytes, diskBoot());
        long romStart = plan.startPc();
        rom.load(0, BootRom.build((int) VirtMap.MROM.size, romStart, plan.fdtAddr(), plan.kernelEntry(),
                hart.hartId()));
        if (plan.mode() == VirtBoot.Mode.BUILTIN_SBI) {
            BuiltinSbi sbi = new BuiltinSbi(bus, uart, loop::requestExit);
            sbi.prepare(hart, plan.kernelEntry(), plan.fdtAddr(), VirtMap.MROM.base + BootRom.MTRAP);
        } else {
            hart.setPrivilege(3);
            hart.setPc(VirtMap.MROM.base + BootRom.RESET_VECTOR);
        }
    }

    /**
     * Without {@code -kernel}, the first disk (/dev/vda) is booted as u-boot's distro boot would: its
     * extlinux.conf default entry. Null when there is a kernel or no disk.
     */
    private DiskBoot.Boot diskBoot() throws ConfigException {
        return virtio.diskBoot();
    }

    VirtBoot.Plan plan() {
        return plan;
    }

    AddressSpace bus() {
        return bus;
    }

    @Override
    public AddressSpace addressSpace() {
        return bus;
    }

    @Override
    public MachineLoop loop() {
        return loop;
    }

    Hart hart() {
        return hart;
    }

    /** Ends the run with {@code status} (the user quit). Safe from any thread. */
    public void quit(int status) {
        control.requestQuit(status);
    }

    /** Ctrl-A s: every drive's cached data and metadata written to its image now, as the guest's FLUSH would. */
    @Override
    public void flushDisks() {
        virtio.flushDisks();
    }

    /** Every CPU and device, for snapshots. */
    public List<Stateful> stateful() {
        return List.copyOf(devices);
    }

    // ---------------------------------------------------------------- SnapshotMachine (savevm/loadvm)

    @Override
    public String architecture() {
        return "riscv64";
    }

    @Override
    public String board() {
        return "virt";
    }

    @Override
    public GuestRam ram() {
        return ram;
    }

    @Override
    public dev.jemu.core.time.VirtualClock clock() {
        return loop.clock();
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

    @Override
    public void stateLoaded() {
        hart.invalidateCode(VirtMap.DRAM.base, config.ramBytes);
        hart.flushTlb();
    }

    @Override
    public void dropWriteMappings() {
        hart.flushTlb(); // the decoded code stays: only the write TLB must go, and a full flush is cheap enough
    }

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
        machineThreadId = dev.jemu.core.host.HostThreads.currentTid();
        while (true) {
            ExitRequest e = loop.run(hart);
            if (control.quitStatus() >= 0) {
                return control.quitStatus();
            }
            if (e.kind() == ExitRequest.Kind.POWEROFF && plan.mode() == VirtBoot.Mode.BUILTIN_SBI
                    && e.status() == BootRom.MTRAP_EXIT_CODE && inMtrapStub(hart.pc())) {
                Messages.error(String.format("unexpected trap to M-mode (mcause=0x%x mepc=0x%x mtval=0x%x), "
                                + "which the built-in SBI does not handle", hart.csr(0x342),
                        hart.csr(0x341), hart.csr(0x343)));
                return 1;
            }
            int status = GuestExits.handle(e, control, config, this::reset);
            if (status >= 0) {
                return status;
            }
        }
    }

    private static boolean inMtrapStub(long pc) {
        long stub = VirtMap.MROM.base + BootRom.MTRAP;
        return pc >= stub && pc < stub + 0x40;
    }

    /** A system reset: devices to power-on state, RAM cleared, images reloaded, hart at its start. */
    private void reset() throws ConfigException {
        hart.reset();
        uart.reset();
        plic.reset();
        clint.reset();
        rtc.reset();
        virtio.reset();
        ram.zero(0, ram.size()); // also marks the pages for a running live migration
        boot();
        // The images were rewritten behind the hart's back: drop any instructions it decoded from them.
        hart.invalidateCode(VirtMap.DRAM.base, config.ramBytes);
        hart.invalidateCode(VirtMap.MROM.base, VirtMap.MROM.size);
    }

    // --- monitors: the control API and what this board tells them ---
    private volatile long machineThreadId;

    @Override
    public MachineControl control() {
        return control;
    }

    /** The board's side of {@link MachineControl}; runs on the machine thread. */
    private final class Control implements ControlledBoard {
        @Override
        public List<CpuInfo> cpus() {
            return List.of(new CpuInfo(0, "/machine/soc0/harts[0]", "riscv64", machineThreadId));
        }

        @Override
        public List<BlockInfo> blocks() {
            return virtio.blocks();
        }

        @Override
        public String registerDump(int cpu) {
            return HartDebug.registerDump(hart);
        }

        @Override
        public int readMemory(int cpu, long addr, byte[] into, boolean physical) {
            for (int i = 0; i < into.length; i++) {
                long pa = physical ? addr + i : HartDebug.translate(hart, bus, addr + i);
                if (pa == -1) {
                    return i;
                }
                try {
                    into[i] = (byte) bus.read(pa, 1);
                } catch (dev.jemu.core.memory.BusError e) {
                    return i;
                }
            }
            return into.length;
        }

        @Override
        public Long register(int cpu, String name) {
            return HartDebug.register(hart, name);
        }

        @Override
        public void powerButton() {
            // QEMU 7.2's riscv virt wires nothing to it (no ACPI, no GPIO power key): only the POWERDOWN event
        }

        @Override
        public String networkInfo() {
            return virtio.networkInfo();
        }

        @Override
        public boolean setLink(String name, boolean up) {
            return virtio.setLink(name, up);
        }

        private final List<dev.jemu.core.gdb.DebugCpu> debugCpus = List.of(new dev.jemu.riscv.cpu.HartGdb(hart));

        @Override
        public List<dev.jemu.core.gdb.DebugCpu> debugCpus() {
            return debugCpus;
        }
    }

    @Override
    public void close() {
        closeDisks();
        for (CharBackend b : config.serials) {
            b.close();
        }
        ram.close();
        rom.close();
    }
}
