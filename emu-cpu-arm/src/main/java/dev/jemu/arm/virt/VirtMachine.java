package dev.jemu.arm.virt;

import dev.jemu.arm.cpu.ArmCpu;
import dev.jemu.arm.cpu.CpuModelInfo;
import dev.jemu.arm.cpu.CpuModels;
import dev.jemu.arm.cpu.SysRegDevice;
import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.NullCharBackend;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
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
import dev.jemu.devices.board.VirtioBoard;
import dev.jemu.devices.snapshot.VmSnapshotHooks;
import dev.jemu.devices.virtio.DmaMemory;
import dev.jemu.devices.virtio.VirtioSlots;

/**
 * QEMU's aarch64 {@code virt} board with one CPU: devices wired from {@link VirtMap} (GICv2, or GICv3 with
 * {@code gic-version=3}; PL011, PL031, PL061 with the power key; 32 virtio-mmio slots; two flash banks), PSCI
 * over HVC ({@link Psci}), images loaded by {@link VirtBoot}, run by {@link VirtioBoard}. A guest reset
 * rebuilds the boot state unless {@code -no-reboot} turns it into the end of the run.
 */
public final class VirtMachine extends VirtioBoard {
    /** How long the gpio-keys power key stays pressed (QEMU's gpio-key: 100 ms). */
    static final long KEY_PRESS_NS = 100_000_000L;

    private final VirtOptions options;
    private final GuestRam[] flash = new GuestRam[VirtMap.FLASH.count];
    private final ArmCpu cpu;
    private final Gic gic;
    private final StateRecord gicPowerOn;
    private final Pl011 uart;
    private final Pl031 rtc;
    private final Pl061 gpio;
    private final Timer keyRelease;
    private final VirtDeviceTree.Shape shape;
    private VirtBoot.Plan plan;

    VirtMachine(MachineConfig config) throws ConfigException {
        VirtOptions options = VirtOptions.of(config.boardProperties);
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
        VirtDeviceTree.Shape shape = new VirtDeviceTree.Shape("arm," + model.name().replace("max", "cortex-a57"),
                config.smp, options.gicVersion(), config.cores, config.threads);
        super(config, VirtMap.VIRTIO.count);
        this.options = options;
        this.shape = shape;
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
        start(new Control());
    }

    private void map(VirtMap m, int i, MmioDevice d, Stateful s) {
        map(m.node(i), m.base(i), m.size, d, s);
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
    @Override
    protected void boot() throws ConfigException {
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

    @Override
    protected byte[] deviceTree() {
        return plan.fdt();
    }

    @Override
    protected ArmCpu cpu() {
        return cpu;
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
    public void stateLoaded() {
        cpu.mmu.flushTlb(); // the CPU's loadState dropped its decoded code already
    }

    @Override
    public void dropWriteMappings() {
        cpu.mmu.flushTlb();
    }

    /** A system reset: devices to power-on state, RAM cleared, images reloaded, the CPU at its start. */
    @Override
    protected void reset() throws ConfigException {
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

    // --- monitors: what this board tells them ---

    /** The board's side of {@link dev.jemu.core.control.MachineControl}; runs on the machine thread. */
    private final class Control extends VirtioBoard.Control {
        Control() {
            super("/machine/unattached/device[0]");
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
            return readBus(addr, into);
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
    }

    @Override
    protected void closeMemories() {
        for (GuestRam f : flash) {
            f.close();
        }
    }
}
