package dev.jemu.arm.virt;

import dev.jemu.arm.cpu.ArmCpu;
import dev.jemu.arm.cpu.CpuModelInfo;
import dev.jemu.arm.cpu.CpuModels;
import dev.jemu.arm.cpu.SysRegDevice;
import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.NullCharBackend;
import dev.jemu.core.control.ControlledBoard;
import dev.jemu.core.control.MachineControl;
import dev.jemu.core.control.GuestExits;
import dev.jemu.core.fdt.DtbDump;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateRecord;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.Timer;
import dev.jemu.devices.arm.Pl011;
import dev.jemu.devices.arm.Pl031;
import dev.jemu.devices.arm.Pl061;
import dev.jemu.devices.arm.gic.Gic;
import dev.jemu.devices.arm.gic.GicV2;
import dev.jemu.devices.arm.gic.GicV3;
import dev.jemu.devices.arm.gic.GicV3CpuInterface;
import dev.jemu.devices.block.Drive;
import dev.jemu.devices.snapshot.SnapshotMachine;
import dev.jemu.devices.snapshot.VmSnapshotHooks;
import dev.jemu.devices.virtio.DmaMemory;
import dev.jemu.devices.virtio.VirtioSlots;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's aarch64 {@code virt} board with one CPU: devices wired from {@link VirtMap} (GICv2, or GICv3 with
 * {@code gic-version=3}; PL011, PL031, PL061 with the power key; 32 virtio-mmio slots; two flash banks), PSCI
 * over HVC ({@link Psci}), images loaded by {@link VirtBoot}, run by a {@link MachineLoop}. A guest reset
 * rebuilds the boot state unless {@code -no-reboot} turns it into the end of the run.
 */
public final class VirtMachine implements Machine, SnapshotMachine {
    /** How long the gpio-keys power key stays pressed (QEMU's gpio-key: 100 ms). */
    static final long KEY_PRESS_NS = 100_000_000L;

    private final MachineConfig config;
    private final VirtOptions options;
    private final MachineLoop loop;
    private final GuestRam ram;
    private final GuestRam[] flash = new GuestRam[VirtMap.FLASH.count];
    private final AddressSpace bus = new AddressSpace();
    private final ArmCpu cpu;
    private final Gic gic;
    private final StateRecord gicPowerOn;
    private final Pl011 uart;
    private final Pl031 rtc;
    private final Pl061 gpio;
    private final Timer keyRelease;
    private final VirtioSlots virtio;
    private final List<Stateful> devices = new ArrayList<>();
    private final VirtDeviceTree.Shape shape;
    private final MachineControl control;
    private final ControlledBoard board;
    private VirtBoot.Plan plan;
    private volatile long machineThreadId;

    VirtMachine(MachineConfig config) throws ConfigException {
        this.config = config;
        this.options = VirtOptions.of(config.boardProperties);
        if (config.smp != 1) {
            throw new ConfigException("virt: only -smp 1 is supported for now (got " + config.smp + ")");
        }
        if (config.ramBytes < (16L << 20) || (config.ramBytes & 0xfff) != 0 || config.ramBytes > (255L << 30)) {
            // QEMU's limit without highmem layout changes: RAM ends below 256 GiB
            throw new ConfigException("virt: -m must be between 16 MiB and 255 GiB, in whole 4 KiB pages");
        }
        CpuModelInfo model = CpuModels.byName(config.cpu == null ? "cortex-a57" : config.cpu);
        if (model == null) {
            throw new ConfigException("virt: unknown aarch64 CPU model '" + config.cpu + "'");
        }
        this.shape = new VirtDeviceTree.Shape("arm," + model.name().replace("max", "cortex-a57"), config.smp,
                options.gicVersion());
        this.loop = new MachineLoop(config.clock);
        try {
            this.ram = new GuestRam(config.ramBytes);
        } catch (OutOfMemoryError e) {
            throw new ConfigException("cannot allocate " + (config.ramBytes >> 20) + " MiB of guest RAM");
        }
        for (int i = 0; i < flash.length; i++) {
            flash[i] = new GuestRam(VirtMap.FLASH.size);
            bus.addRom("virt.flash" + i, VirtMap.FLASH.base(i), flash[i]);
        }
        bus.addRam("mach-virt.ram", VirtMap.RAM.base, ram);

        cpu = new ArmCpu(0, model, bus, loop, new Timebase(config.clock, VirtMap.COUNTER_HZ));
        cpu.setFirmware(new Psci(loop::requestExit));

        if (options.gicVersion() == 3) {
            GicV3 v3 = new GicV3(config.smp, VirtMap.SPIS);
            map(VirtMap.GIC_DIST, 0, v3.distributor(), null);
            map(VirtMap.GIC_REDIST, 0, v3.redistributors(), null);
            cpu.setSysRegDevice(sysRegs(v3.cpuInterface(0)));
            gic = v3;
        } else {
            GicV2 v2 = new GicV2(config.smp, VirtMap.SPIS);
            map(VirtMap.GIC_DIST, 0, v2.distributor(), null);
            map(VirtMap.GIC_CPU, 0, v2.cpuInterface(0), null);
            gic = v2;
        }
        gic.attachCpu(0, cpu::setIrq, cpu::setFiq);
        gicPowerOn = StateRecord.of(gic);
        // the timer PPIs as interrupt IDs: EL1 physical 30, virtual 27, EL2 physical 26, secure physical 29
        cpu.connectTimers(gic.ppi(0, 16 + VirtMap.PPI_PHYS), gic.ppi(0, 16 + VirtMap.PPI_VIRT),
                gic.ppi(0, 16 + VirtMap.PPI_HYP), gic.ppi(0, 16 + VirtMap.PPI_SECURE));

        CharBackend serial = VmSnapshotHooks.saveOnSerialMarker(
                config.serials.isEmpty() ? new NullCharBackend() : config.serials.get(0), this, loop);
        uart = new Pl011(VirtMap.UART.node(0), gic.spi(VirtMap.UART.intid(0)), serial);
        rtc = new Pl031(VirtMap.RTC.node(0), config.clock, gic.spi(VirtMap.RTC.intid(0)), config.rtc.startNanos(),
                config.rtc.followsGuest());
        gpio = new Pl061(VirtMap.GPIO.node(0), gic.spi(VirtMap.GPIO.intid(0)));
        keyRelease = config.clock.newTimer("gpio-key.release", () -> gpio.setInput(VirtMap.POWER_KEY_GPIO, false));
        map(VirtMap.UART, 0, uart, uart);
        map(VirtMap.RTC, 0, rtc, rtc);
        map(VirtMap.GPIO, 0, gpio, gpio);

        virtio = new VirtioSlots(config, VirtMap.VIRTIO.count, "virt");
        DmaMemory dma = new DmaMemory(bus);
        for (int i = 0; i < VirtMap.VIRTIO.count; i++) {
            VirtMap m = VirtMap.VIRTIO;
            VirtioSlots.Slot s = virtio.create(i, m.node(i), m.base(i), gic.spi(m.intid(i)), dma, loop::post);
            map(m, i, s.mmio(), s.state());
        }
        // restored in this order: the GIC before the CPU, whose generic timer then drives its PPIs from the loaded
        // timer state (a timer past CVAL whose wake-up had not run yet at savevm, the GIC's saved line still low)
        devices.add(0, cpu);
        devices.add(0, gic);
        serial.connect(uart, loop.poster(uart.stateId()));
        board = new Control();
        control = new MachineControl(loop, board, config.startPaused);
        try {
            boot();
            if (config.dumpDtb != null) {
                DtbDump.write(config.dumpDtb, plan.fdt());
            } else {
                VmSnapshotHooks.loadAtStart(this, config.loadvm);
            }
        } catch (ConfigException | RuntimeException e) {
            virtio.close();
            throw e;
        }
    }

    private void map(VirtMap m, int i, MmioDevice d, Stateful s) {
        bus.addMmio(m.node(i), m.base(i), m.size, d);
        if (s != null) {
            devices.add(s);
        }
    }

    /** GICv3's CPU interface as the CPU's system-register device (ICC_*). */
    private static SysRegDevice sysRegs(GicV3CpuInterface icc) {
        return new SysRegDevice() {
            @Override
            public boolean handles(int key) {
                return icc.handles(key);
            }

            @Override
            public long read(int key) {
                return icc.read(key);
            }

            @Override
            public void write(int key, long value) {
                icc.write(key, value);
            }
        };
    }

    /** Loads the images and sets the CPU's start state (EL1h, DAIF masked: the reset state). */
    private void boot() throws ConfigException {
        plan = VirtBoot.load(config, bus, config.ramBytes, shape, virtio.diskBoot());
        cpu.setPc(plan.pc());
        cpu.setReg(0, plan.x0());
        for (int r = 1; r <= 3; r++) {
            cpu.setReg(r, 0);
        }
    }

    VirtBoot.Plan plan() {
        return plan;
    }

    ArmCpu cpu() {
        return cpu;
    }

    ControlledBoard controlledBoard() {
        return board;
    }

    @Override
    public AddressSpace addressSpace() {
        return bus;
    }

    @Override
    public MachineLoop loop() {
        return loop;
    }

    @Override
    public void quit(int status) {
        control.requestQuit(status);
    }

    @Override
    public void flushDisks() {
        virtio.flushDisks();
    }

    // ---------------------------------------------------------------- SnapshotMachine (savevm/loadvm)

    @Override
    public String architecture() {
        return "aarch64";
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

    @Override
    public void stateLoaded() {
        cpu.mmu.flushTlb(); // the CPU's loadState dropped its decoded code already
    }

    @Override
    public void dropWriteMappings() {
        cpu.mmu.flushTlb();
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
            ExitRequest e = loop.run(cpu);
            if (control.quitStatus() >= 0) {
                return control.quitStatus();
            }
            int status = GuestExits.handle(e, control, config, this::reset);
            if (status >= 0) {
                return status;
            }
        }
    }

    /** A system reset: devices to power-on state, RAM cleared, images reloaded, the CPU at its start. */
    private void reset() throws ConfigException {
        cpu.reset(); // also drops decoded code, as the images are rewritten below
        gicPowerOn.restore(gic); // the Gic API has no reset: its power-on state, recorded at build time
        uart.reset();
        rtc.reset();
        gpio.reset();
        keyRelease.cancel();
        virtio.reset();
        ram.zero(0, ram.size()); // also marks the pages for a running live migration
        flash[0].zero(0, flash[0].size());
        boot();
    }

    // --- monitors: the control API and what this board tells them ---

    @Override
    public MachineControl control() {
        return control;
    }

    /** The board's side of {@link MachineControl}; runs on the machine thread. */
    private final class Control implements ControlledBoard {
        @Override
        public List<CpuInfo> cpus() {
            return List.of(new CpuInfo(0, "/machine/unattached/device[0]", "aarch64", machineThreadId));
        }

        @Override
        public List<BlockInfo> blocks() {
            return virtio.blocks();
        }

        @Override
        public String registerDump(int cpuIndex) {
            return RegisterDump.dump(cpu);
        }

        /**
         * Guest memory for {@code x}/{@code xp}/{@code memsave}: virtual addresses are read as physical ones until
         * the MMU offers a debug translation (right while the guest's MMU is off).
         */
        @Override
        public int readMemory(int cpuIndex, long addr, byte[] into, boolean physical) {
            for (int i = 0; i < into.length; i++) {
                try {
                    into[i] = (byte) bus.read(addr + i, 1);
                } catch (BusError e) {
                    return i;
                }
            }
            return into.length;
        }

        @Override
        public Long register(int cpuIndex, String name) {
            return RegisterDump.register(cpu, name);
        }

        /** {@code system_powerdown}: the gpio-keys power key (PL061 line 3) pressed for 100 ms, as QEMU. */
        @Override
        public void powerButton() {
            gpio.setInput(VirtMap.POWER_KEY_GPIO, true);
            keyRelease.armAfter(KEY_PRESS_NS);
        }

        @Override
        public String networkInfo() {
            return virtio.networkInfo();
        }

        @Override
        public boolean setLink(String name, boolean up) {
            return virtio.setLink(name, up);
        }
    }

    @Override
    public void close() {
        virtio.close();
        for (CharBackend b : config.serials) {
            b.close();
        }
        ram.close();
        for (GuestRam f : flash) {
            f.close();
        }
    }
}
