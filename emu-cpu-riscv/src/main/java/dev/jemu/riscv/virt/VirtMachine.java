package dev.jemu.riscv.virt;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.NullCharBackend;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.Messages;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.time.Timebase;
import dev.jemu.devices.Aclint;
import dev.jemu.devices.GoldfishRtc;
import dev.jemu.devices.Plic;
import dev.jemu.devices.SifiveTest;
import dev.jemu.devices.Uart16550;
import dev.jemu.devices.board.VirtioBoard;
import dev.jemu.devices.fs.DiskBoot;
import dev.jemu.devices.virtio.DmaMemory;
import dev.jemu.devices.virtio.VirtioSlots;
import dev.jemu.devices.snapshot.VmSnapshotHooks;
import dev.jemu.riscv.cpu.Hart;
import dev.jemu.riscv.cpu.HartDebug;
import dev.jemu.riscv.cpu.HartGroup;
import dev.jemu.riscv.sbi.BuiltinSbi;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * QEMU's riscv64 {@code virt} board with {@code -smp} harts (ids 0..N-1, one socket): devices wired from
 * {@link VirtMap} (the PLIC with an M and an S context per hart, the ACLINT with an MSIP and an mtimecmp per
 * hart), images loaded by {@link VirtBoot}, run by {@link VirtioBoard}. With firmware (or {@code -bios none})
 * every hart starts at the boot ROM's reset vector, as on QEMU, and the firmware picks its boot hart; with the
 * built-in SBI hart 0 enters the kernel and the others wait stopped for HSM hart_start. A guest reset rebuilds the boot state (devices reset, RAM
 * cleared, images reloaded) unless {@code -no-reboot} turns it into the end of the run.
 */
public final class VirtMachine extends VirtioBoard {
    static final int MIP_MSIP = 3, MIP_MTIP = 7, MIP_SEIP = 9, MIP_MEIP = 11;

    private final Timebase timebase;
    private final GuestRam rom;
    private final Hart hart;
    private final List<Hart> harts;
    private final HartGroup hartGroup;
    private final Uart16550 uart;
    private final Plic plic;
    private final Aclint clint;
    private final GoldfishRtc rtc;
    private VirtBoot.Plan plan;

    VirtMachine(MachineConfig config) throws ConfigException {
        if (Integer.compareUnsigned(config.maxCpus, VirtMap.MAX_HARTS) > 0) {
            throw new ConfigException("Invalid SMP CPUs " + config.maxCpus + ". The max CPUs supported by machine "
                    + "'virt' is " + VirtMap.MAX_HARTS); // QEMU's line; maxcpus > cpus adds no harts (no hotplug)
        }
        if (config.ramBytes < (16L << 20) || (config.ramBytes & 0xfff) != 0 || config.ramBytes > (1L << 40)) {
            throw new ConfigException("virt: -m must be between 16 MiB and 1 TiB, in whole 4 KiB pages");
        }
        super(config, VirtMap.VIRTIO.count);
        this.timebase = new Timebase(config.clock, VirtMap.TIMEBASE_HZ);
        this.rom = new GuestRam(VirtMap.MROM.size);
        bus.addRom("mrom", VirtMap.MROM.base, rom);
        bus.addRam("ram", VirtMap.DRAM.base, ram);

        int n = Math.max(config.smp, 1);
        List<Hart> hs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hs.add(new Hart(i, bus, loop, timebase));
        }
        this.harts = List.copyOf(hs);
        this.hart = harts.get(0);
        this.hartGroup = new HartGroup(harts);
        Consumer<ExitRequest> exit = loop::requestExit;

        IrqLine[] contexts = new IrqLine[VirtMap.PLIC_CONTEXTS_PER_HART * n];
        IrqLine[] msip = new IrqLine[n], mtip = new IrqLine[n];
        for (int i = 0; i < n; i++) {
            Hart h = harts.get(i);
            contexts[2 * i] = l -> h.setInterruptPending(MIP_MEIP, l);
            contexts[2 * i + 1] = l -> h.setInterruptPending(MIP_SEIP, l);
            msip[i] = l -> h.setInterruptPending(MIP_MSIP, l);
            mtip[i] = l -> h.setInterruptPending(MIP_MTIP, l);
        }
        plic = new Plic("plic@c000000", VirtMap.PLIC_SOURCES, contexts);
        clint = new Aclint("clint@2000000", timebase, msip, mtip);
        CharBackend serial = VmSnapshotHooks.saveOnSerialMarker(
                config.serials.isEmpty() ? new NullCharBackend() : config.serials.get(0), this, loop);
        uart = new Uart16550(VirtMap.UART0.node(0), plic.input(VirtMap.UART0.irq(0)), serial);
        rtc = new GoldfishRtc(VirtMap.RTC.node(0), config.clock, plic.input(VirtMap.RTC.irq(0)),
                config.rtc.startNanos(), config.rtc.followsGuest());
        SifiveTest test = new SifiveTest(VirtMap.TEST.node(0), exit);
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
        devices.addAll(harts);
        serial.connect(uart, loop.poster(uart.stateId()));
        start(new Control());
    }

    private void map(VirtMap m, int i, dev.jemu.core.memory.MmioDevice d, dev.jemu.core.state.Stateful s) {
        map(m.node(i), m.base(i), m.size, d, s);
    }

    /** Loads the images and sets the hart's start state. */
    @Override
    protected void boot() throws ConfigException {
        plan = VirtBoot.load(config, bus, config.ramBytes, diskBoot());
        long romStart = plan.startPc();
        rom.load(0, BootRom.build((int) VirtMap.MROM.size, romStart, plan.fdtAddr(), plan.kernelEntry(),
                hart.hartId()));
        if (plan.mode() == VirtBoot.Mode.BUILTIN_SBI) {
            BuiltinSbi sbi = new BuiltinSbi(bus, uart, loop::requestExit, hartGroup);
            sbi.prepare(hart, plan.kernelEntry(), plan.fdtAddr(), VirtMap.MROM.base + BootRom.MTRAP);
            for (Hart h : harts.subList(1, harts.size())) {
                h.setEcallHandler(sbi); // already now: a loaded state may have this hart running in S-mode
                h.stop(); // HSM STOPPED until the kernel's hart_start
            }
        } else {
            for (Hart h : harts) { // every hart at the reset vector: the firmware chooses its boot hart
                h.setPrivilege(3);
                h.setPc(VirtMap.MROM.base + BootRom.RESET_VECTOR);
            }
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

    @Override
    protected byte[] deviceTree() {
        return plan.fdt();
    }

    AddressSpace bus() {
        return bus;
    }

    Hart hart() {
        return hart;
    }

    @Override
    protected Hart cpu() {
        return hart;
    }

    @Override
    protected List<Hart> cpus() {
        return harts;
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

    /** The virtio devices, and the number of harts when there are several (a state fits only the same -smp). */
    @Override
    public List<String> deviceSet() {
        String cpus = dev.jemu.core.snapshot.MachineStateStream.cpusEntry(harts.size());
        if (cpus == null) {
            return super.deviceSet();
        }
        List<String> set = new ArrayList<>(List.of(cpus));
        set.addAll(super.deviceSet());
        return List.copyOf(set);
    }

    @Override
    public void stateLoaded() {
        hart.invalidateCode(VirtMap.DRAM.base, config.ramBytes); // the decoded code is shared by the harts
        harts.forEach(Hart::flushTlb);
    }

    @Override
    public void dropWriteMappings() {
        // the decoded code stays: only the write TLBs must go, and a full flush is cheap enough
        harts.forEach(Hart::flushTlb);
    }

    /** The built-in SBI's M-mode trap stub ends the run with a clear error; every other exit as any board's. */
    @Override
    protected int guestExit(ExitRequest e) {
        Hart trapped = e.kind() == ExitRequest.Kind.POWEROFF && plan.mode() == VirtBoot.Mode.BUILTIN_SBI
                && e.status() == BootRom.MTRAP_EXIT_CODE
                ? harts.stream().filter(h -> inMtrapStub(h.pc())).findFirst().orElse(null) : null;
        if (trapped != null) {
            Messages.error(String.format("unexpected trap to M-mode%s (mcause=0x%x mepc=0x%x mtval=0x%x), "
                            + "which the built-in SBI does not handle",
                    harts.size() > 1 ? " on hart " + trapped.hartId() : "", trapped.csr(0x342),
                    trapped.csr(0x341), trapped.csr(0x343)));
            return 1;
        }
        return super.guestExit(e);
    }

    private static boolean inMtrapStub(long pc) {
        long stub = VirtMap.MROM.base + BootRom.MTRAP;
        return pc >= stub && pc < stub + 0x40;
    }

    /** A system reset: devices to power-on state, RAM cleared, images reloaded, hart at its start. */
    @Override
    protected void reset() throws ConfigException {
        harts.forEach(Hart::reset);
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
        harts.forEach(Hart::flushTlb);
    }

    // --- monitors: what this board tells them ---

    /** The board's side of {@link dev.jemu.core.control.MachineControl}; runs on the machine thread. */
    private final class Control extends VirtioBoard.Control {
        Control() {
            super("/machine/soc0/harts[0]");
        }

        /** Every hart, as QEMU lists them: {@code /machine/soc0/harts[i]}, cpu-index i. */
        @Override
        public List<CpuInfo> cpus() {
            List<CpuInfo> out = new ArrayList<>();
            for (Hart h : harts) {
                out.add(new CpuInfo(h.hartId(), "/machine/soc0/harts[" + h.hartId() + "]", architecture(),
                        cpuThreadId(h.hartId())));
            }
            return out;
        }

        /** Hart {@code cpu} (hart 0 for an index out of range: the monitors check theirs against {@link #cpus}). */
        private Hart at(int cpu) {
            return cpu >= 0 && cpu < harts.size() ? harts.get(cpu) : hart;
        }

        @Override
        public String registerDump(int cpu) {
            return HartDebug.registerDump(at(cpu));
        }

        @Override
        public int readMemory(int cpu, long addr, byte[] into, boolean physical) {
            Hart hart = at(cpu);
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
            return HartDebug.register(at(cpu), name);
        }

        @Override
        public void powerButton() {
            // QEMU 7.2's riscv virt wires nothing to it (no ACPI, no GPIO power key): only the POWERDOWN event
        }

        private final List<dev.jemu.core.gdb.DebugCpu> debugCpus = harts.stream()
                .<dev.jemu.core.gdb.DebugCpu>map(dev.jemu.riscv.cpu.HartGdb::new).toList();

        @Override
        public List<dev.jemu.core.gdb.DebugCpu> debugCpus() {
            return debugCpus;
        }
    }

    @Override
    protected void closeMemories() {
        rom.close();
    }
}
