package dev.jemu.x86.kvm;

import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.Cpu;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.state.StateRecord;
import dev.jemu.core.state.Stateful;
import dev.jemu.x86.cpu.BootState;
import dev.jemu.x86.microvm.Accelerator;
import java.util.List;

/**
 * {@code -accel kvm}: the guest runs on the host CPU through /dev/kvm, with KVM's in-kernel i8259 pair, IOAPIC,
 * local APIC and i8254 (QEMU's default {@code kernel-irqchip=on}); port I/O and MMIO exits go to the board's
 * I/O space and bus, so the serial port, virtio-mmio and the GED are the same models as under tcg.
 *
 * <p>The board creates it after mapping its RAM and ROM on the bus (they become KVM memory slots; MMIO regions
 * may be added later, since MMIO exits look the bus up each time) and must not map its own PIC, IOAPIC,
 * LAPIC or PIT models (the kernel's answer those ports and addresses).
 */
public final class KvmAccelerator implements Accelerator {
    /** The device opened: /dev/kvm, or {@code -Djemu.kvm.device=PATH} (tests simulate a missing one). */
    public static final String DEVICE_PROPERTY = "jemu.kvm.device";
    /** The number of IOAPIC inputs of KVM's in-kernel IOAPIC. */
    public static final int GSI_COUNT = 24;

    private final KvmVm vm;
    private final KvmVcpu vcpu;
    private final IrqLine[] gsis = new IrqLine[GSI_COUNT];
    /** The vCPU's and the in-kernel chips' power-on state, which a system reset puts back (KVM has no reset). */
    private final StateRecord vcpuAtPowerOn, chipsAtPowerOn;

    private KvmAccelerator(KvmVm vm, KvmVcpu vcpu) {
        this.vm = vm;
        this.vcpu = vcpu;
        this.vcpuAtPowerOn = StateRecord.of(vcpu);
        this.chipsAtPowerOn = StateRecord.of(vm);
        for (int i = 0; i < GSI_COUNT; i++) {
            int n = i;
            gsis[i] = new CachedIrqLine(level -> vm.irqLine(n, level));
        }
    }

    /**
     * Opens KVM, maps {@code bus}'s RAM and ROM, creates the in-kernel irqchip and PIT and one vCPU in the
     * power-on state. Any failure is one line (QEMU's words where QEMU has them).
     */
    public static KvmAccelerator create(AddressSpace bus, AddressSpace io, MachineLoop loop) throws ConfigException {
        return create(bus, io, loop, true);
    }

    /** As {@link #create(AddressSpace, AddressSpace, MachineLoop)}; without {@code irqchip} HLT exits to jemu. */
    static KvmAccelerator create(AddressSpace bus, AddressSpace io, MachineLoop loop, boolean irqchip)
            throws ConfigException {
        if (!hostSupported()) {
            throw new ConfigException("-accel kvm: KVM is only available for x86_64 guests on an x86_64 Linux host");
        }
        if (loop.clock().isDeterministic()) {
            throw new ConfigException("-accel kvm: -icount is not allowed with hardware virtualization");
        }
        String device = System.getProperty(DEVICE_PROPERTY, "/dev/kvm");
        KvmVm vm;
        try {
            vm = KvmVm.open(device, irqchip);
        } catch (KvmException e) {
            throw new ConfigException("-accel kvm: " + (e.getMessage().startsWith("Could not access")
                    ? e.getMessage() : "failed to initialize kvm: " + e.getMessage()));
        }
        try {
            vm.mapMemory(bus);
            return new KvmAccelerator(vm, new KvmVcpu(vm, 0, bus, io, loop));
        } catch (KvmException e) {
            vm.close();
            throw new ConfigException("-accel kvm: failed to initialize kvm: " + e.getMessage());
        }
    }

    /** Whether this host can run KVM x86_64 guests at all (Linux on x86-64). */
    public static boolean hostSupported() {
        return System.getProperty("os.name", "").equals("Linux") && System.getProperty("os.arch", "").equals("amd64");
    }

    @Override
    public String name() {
        return "kvm";
    }

    @Override
    public Cpu cpu() {
        return vcpu;
    }

    /** The vCPU itself (exit counts, tests). */
    public KvmVcpu vcpu() {
        return vcpu;
    }

    @Override
    public void boot(BootState state) {
        vcpu.boot(state);
    }

    @Override
    public IrqLine gsi(int n) {
        if (n < 0 || n >= GSI_COUNT) {
            throw new IllegalArgumentException("GSI " + n + " (KVM's IOAPIC has " + GSI_COUNT + " inputs)");
        }
        if (!vm.irqchip) {
            throw new IllegalStateException("no in-kernel irqchip");
        }
        return gsis[n];
    }

    /** The vCPU and the in-kernel PICs, IOAPIC and PIT, in snapshot order (the board's Accelerator.state()). */
    public List<Stateful> state() {
        return List.of(vcpu, vm);
    }

    /**
     * A system reset (the board's Accelerator.reset()): the vCPU (registers, FPU, MSRs, LAPIC, pending events) and
     * the in-kernel chips go back to the state they had when created, as QEMU puts its reset state into KVM.
     */
    public void reset() {
        chipsAtPowerOn.restore(vm);
        vcpuAtPowerOn.restore(vcpu);
    }

    @Override
    public void close() {
        vcpu.close();
        vm.close();
    }
}
