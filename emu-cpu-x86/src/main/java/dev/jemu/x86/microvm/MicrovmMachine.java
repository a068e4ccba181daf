package dev.jemu.x86.microvm;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.NullCharBackend;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.Cpu;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.state.Stateful;
import dev.jemu.devices.Uart16550;
import dev.jemu.devices.board.VirtioBoard;
import dev.jemu.devices.fs.DiskBoot;
import dev.jemu.devices.snapshot.VmSnapshotHooks;
import dev.jemu.devices.virtio.DmaMemory;
import dev.jemu.devices.virtio.VirtioSlots;
import dev.jemu.devices.x86.AcpiGed;
import dev.jemu.devices.x86.Mc146818Rtc;
import dev.jemu.x86.cpu.BootState;
import dev.jemu.x86.cpu.X86Cpu;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU 7.2's x86 {@code microvm} board with one CPU: RAM from 0 ({@link MicrovmLayout}), the I/O port space, the
 * 16550A at 0x3f8 (IRQ 4, isa-serial=on), the MC146818 RTC at 0x70 (IRQ 8, rtc=on), the ACPI generic event
 * device (acpi=on, GSI 9), 24 or 8 virtio-mmio slots from 0xfeb00000, and the CPU with its interrupt
 * controllers and PIT from the {@link Accelerator} ({@code -accel tcg}: {@link TcgAccelerator}). Images are
 * loaded by the {@link MicrovmLoader}; run control, snapshots and the loop are {@link VirtioBoard}'s.
 */
public final class MicrovmMachine extends VirtioBoard {
    public static final String NAME = "microvm";

    private final MicrovmLayout layout;
    private final AddressSpace io = new AddressSpace();
    private final Accelerator accelerator;
    private final MicrovmLoader loader;
    private final Uart16550 serial;
    private final Mc146818Rtc rtc;
    private final AcpiGed ged;
    private final List<Integer> usedVirtioSlots = new ArrayList<>();

    MicrovmMachine(MachineConfig config, String accel, MicrovmLoader loader) throws ConfigException {
        MicrovmOptions options = MicrovmOptions.of(config.boardProperties, accel.equals("kvm"));
        if (config.smp != 1) {
            throw new ConfigException("microvm: only -smp 1 is supported for now (got " + config.smp + ")");
        }
        if (config.ramBytes < (2L << 20) || (config.ramBytes & 0xfff) != 0) {
            throw new ConfigException("microvm: -m must be at least 2 MiB, in whole 4 KiB pages");
        }
        MicrovmLayout layout = new MicrovmLayout(options, config.ramBytes);
        super(config, layout.virtioSlots());
        this.layout = layout;
        this.loader = loader;
        mapRam();
        try {
            accelerator = Accelerators.create(accel, new AcceleratorSetup(config, loop, ram, bus, io, layout));
        } catch (ConfigException | RuntimeException e) {
            virtio.close();
            throw e;
        }
        devices.addAll(accelerator.state());

        if (options.isaSerial()) {
            CharBackend backend = VmSnapshotHooks.saveOnSerialMarker(
                    config.serials.isEmpty() ? new NullCharBackend() : config.serials.get(0), this, loop);
            serial = new Uart16550("serial", accelerator.gsi(MicrovmLayout.COM1_IRQ), backend);
            mapPort("serial", MicrovmLayout.COM1_PORT, 8, serial, serial);
            backend.connect(serial, loop.poster(serial.stateId()));
        } else {
            serial = null;
        }
        if (options.rtc()) {
            rtc = new Mc146818Rtc(config.clock, config.rtc.startNanos(), config.rtc.followsGuest(),
                    accelerator.gsi(MicrovmLayout.RTC_IRQ));
            mapPort("rtc", Mc146818Rtc.PORT, 2, rtc, rtc);
            setCmosMemory();
        } else {
            rtc = null;
        }
        if (options.acpi()) {
            ged = new AcpiGed(AcpiGed.POWER_DOWN_EVENT, accelerator.gsi(MicrovmLayout.GED_IRQ), loop::requestExit);
            map("acpi-ged", MicrovmLayout.GED_BASE, AcpiGed.EVENT_SIZE, ged.events(), ged);
            map("acpi-ged-regs", MicrovmLayout.GED_REGS, AcpiGed.REGS_SIZE, ged.registers(), null);
        } else {
            ged = null;
        }
        DmaMemory dma = new DmaMemory(bus);
        for (int i = 0; i < layout.virtioSlots(); i++) {
            long base = layout.virtioBase(i);
            VirtioSlots.Slot s = virtio.create(i, "virtio-mmio@" + Long.toHexString(base), base,
                    accelerator.gsi(layout.virtioGsiBase() + i), dma, loop::post);
            map("virtio-mmio", layout.virtioBase(i), MicrovmLayout.VIRTIO_MMIO_SIZE, s.mmio(), s.state());
            if (!(s.mmio() instanceof dev.jemu.devices.virtio.VirtioMmioSlot)) {
                usedVirtioSlots.add(i);
            }
        }
        start(new Control());
    }

    /**
     * QEMU's two aliases of microvm.ram: its first 3 GiB (at most) from 0, the rest from 4 GiB. Both are windows of
     * the one RAM block, which snapshots and migration save as a whole.
     */
    private void mapRam() {
        if (layout.above4g() == 0) {
            bus.addRam("ram-below-4g", 0, ram);
            return;
        }
        bus.addRam("ram-below-4g", 0, ram.slice(0, layout.below4g()));
        bus.addRam("ram-above-4g", MicrovmLayout.HIGH_RAM_BASE, ram.slice(layout.below4g(), layout.above4g()));
    }

    private void mapPort(String name, long port, long size, dev.jemu.core.memory.MmioDevice d, Stateful s) {
        io.addMmio(name, port, size, d);
        devices.add(s);
    }

    /** The CMOS memory-size bytes QEMU's microvm sets (for firmware such as qboot), in KiB and 64 KiB units. */
    private void setCmosMemory() {
        long below = layout.below4g();
        int base = (int) Math.min(below >> 10, 640);
        rtc.setMemory(0x15, base);
        rtc.setMemory(0x16, base >> 8);
        int ext = (int) Math.min(below > (1 << 20) ? (below - (1 << 20)) >> 10 : 0, 65535);
        rtc.setMemory(0x17, ext);
        rtc.setMemory(0x18, ext >> 8);
        rtc.setMemory(0x30, ext);
        rtc.setMemory(0x31, ext >> 8);
        int high = (int) Math.min(below > (16 << 20) ? (below - (16 << 20)) >> 16 : 0, 65535);
        rtc.setMemory(0x34, high);
        rtc.setMemory(0x35, high >> 8);
        long above = layout.above4g() >> 16;
        rtc.setMemory(0x5b, (int) above);
        rtc.setMemory(0x5c, (int) (above >> 8));
        rtc.setMemory(0x5d, (int) (above >> 16));
    }

    // ---------------------------------------------------------------- what the boot loader sees

    public MachineConfig config() {
        return config;
    }

    public MicrovmLayout layout() {
        return layout;
    }

    /** The I/O port space. */
    public AddressSpace io() {
        return io;
    }

    @Override
    public AddressSpace ioPorts() {
        return io;
    }

    /** The virtio-mmio slots that hold a device (for the DSDT or {@code virtio_mmio.device=}). */
    public List<Integer> usedVirtioSlots() {
        return List.copyOf(usedVirtioSlots);
    }

    /** Without {@code -kernel}: the first disk's extlinux entry, or null. */
    public DiskBoot.Boot diskBoot() throws ConfigException {
        return virtio.diskBoot();
    }

    public Accelerator accelerator() {
        return accelerator;
    }

    /** Loads the images (the {@link MicrovmLoader}) and starts the CPU in the state the loader chose. */
    @Override
    protected void boot() throws ConfigException {
        BootState state = loader.load(this);
        accelerator.boot(state);
    }

    @Override
    protected byte[] deviceTree() {
        return new byte[0]; // x86 has no device tree: dumpdtb=... is refused by the type
    }

    @Override
    protected Cpu cpu() {
        return accelerator.cpu();
    }

    @Override
    public String architecture() {
        return "x86_64";
    }

    @Override
    public String board() {
        return NAME;
    }

    @Override
    public void stateLoaded() {
        if (accelerator.cpu() instanceof X86Cpu c) {
            c.mmu.flushTlb();
        }
    }

    @Override
    public void dropWriteMappings() {
        stateLoaded();
    }

    @Override
    protected void reset() throws ConfigException {
        accelerator.reset();
        if (serial != null) {
            serial.reset();
        }
        if (rtc != null) {
            rtc.reset();
        }
        if (ged != null) {
            ged.reset();
        }
        virtio.reset();
        ram.zero(0, ram.size());
        boot();
    }

    @Override
    protected void closeMemories() {
        accelerator.close();
    }

    /** The board's side of the run control; runs on the machine thread. */
    private final class Control extends VirtioBoard.Control {
        Control() {
            super("/machine/unattached/device[0]");
        }

        @Override
        public String registerDump(int cpuIndex) {
            return accelerator.cpu() instanceof X86Cpu c ? MicrovmRegisters.dump(c) : "";
        }

        @Override
        public int readMemory(int cpuIndex, long addr, byte[] into, boolean physical) {
            return readBus(addr, into);
        }

        @Override
        public Long register(int cpuIndex, String name) {
            return accelerator.cpu() instanceof X86Cpu c ? MicrovmRegisters.register(c, name) : null;
        }

        /** {@code system_powerdown}: the GED's power-button event (nothing without ACPI, as QEMU). */
        @Override
        public void powerButton() {
            if (ged != null) {
                ged.event(AcpiGed.POWER_DOWN_EVENT);
            }
        }
    }

    GuestRam guestRam() {
        return ram;
    }
}
