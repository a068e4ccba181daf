package dev.jemu.x86.microvm;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.jit.BackgroundCompiler;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.Cpu;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.Timebase;
import dev.jemu.devices.x86.I8254;
import dev.jemu.devices.x86.I8259Pair;
import dev.jemu.devices.x86.IoApic;
import dev.jemu.devices.x86.LocalApic;
import dev.jemu.x86.cpu.BootState;
import dev.jemu.x86.cpu.InterruptSource;
import dev.jemu.x86.cpu.X86Clocks;
import dev.jemu.x86.cpu.X86Cpu;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code -accel tcg}: jemu's x86 interpreter with the board's own interrupt controllers and timer, as QEMU's
 * TCG microvm has them: the local APIC at 0xfee00000 (the CPU's interrupt source, with the PIC's ExtINT through
 * LINT0), one or two IOAPICs, the 8259 pair (pic=on) and the 8254 PIT (pit=on, with port 0x61). GSI n drives
 * IOAPIC input n (GSI 0, the PIT, drives pin 2, as QEMU's IOAPIC and the MADT's override say) and, for n below
 * 16, also the PIC's IRQ n.
 */
final class TcgAccelerator implements Accelerator {
    private final X86Cpu cpu;
    private final LocalApic lapic;
    private final IoApic[] ioapics;
    private final I8259Pair pic;
    private final I8254 pit;
    private final IrqLine[] gsis;
    private final List<Stateful> state = new ArrayList<>();
    private final ApicSource source = new ApicSource();

    TcgAccelerator(AcceleratorSetup s) throws ConfigException {
        MicrovmLayout layout = s.layout();
        cpu = new X86Cpu(0, s.bus(), s.io(), s.loop(), new Timebase(s.config().clock, X86Clocks.TSC_HZ));
        cpu.model = MicrovmMachineType.cpuModel(s.config());
        cpu.reset(); // the model's signature in EDX
        cpu.jitBackground = BackgroundCompiler.ENABLED;
        ioapics = new IoApic[layout.ioapics()];
        // the TSC deadline follows the CPU's TSC, guest writes to IA32_TSC/TSC_ADJUST included
        lapic = new LocalApic("lapic", 0, true, s.config().clock, X86Clocks.LAPIC_TIMER_HZ, cpu.msrs::nanosAtTsc,
                vector -> {
                    for (IoApic io : ioapics) {
                        io.eoi(vector);
                    }
                });
        for (int i = 0; i < ioapics.length; i++) {
            ioapics[i] = new IoApic(i == 0 ? "ioapic" : "ioapic" + (i + 1), i, lapic);
            s.bus().addMmio("ioapic", i == 0 ? MicrovmLayout.IOAPIC_BASE : MicrovmLayout.IOAPIC2_BASE, IoApic.SIZE,
                    ioapics[i]);
        }
        s.bus().addMmio("apic-msi", MicrovmLayout.LAPIC_BASE, LocalApic.SIZE, lapic);
        if (layout.options().pic()) {
            pic = new I8259Pair(lapic.lint0());
            s.io().addMmio("pic", I8259Pair.MASTER_PORT, 2, pic.ports(true));
            s.io().addMmio("pic", I8259Pair.SLAVE_PORT, 2, pic.ports(false));
            s.io().addMmio("elcr", I8259Pair.ELCR_PORT, 1, pic.elcr(true));
            s.io().addMmio("elcr", I8259Pair.ELCR_PORT + 1, 1, pic.elcr(false));
        } else {
            pic = null;
        }
        lapic.connect(() -> (cpu.msrs.apicBase & APIC_GLOBAL_ENABLE) != 0, () -> pic == null ? 0xff : pic.acknowledge());
        gsis = new IrqLine[layout.gsis()];
        for (int n = 0; n < gsis.length; n++) {
            IrqLine toIoapic = ioapics[ioapicPin(n) / IoApic.PINS].pin(ioapicPin(n) % IoApic.PINS);
            IrqLine toPic = pic != null && n < 16 ? pic.irq(n) : IrqLine.NONE;
            gsis[n] = level -> {
                toPic.set(level);
                toIoapic.set(level);
            };
        }
        if (layout.options().pit()) {
            pit = new I8254(s.config().clock, gsis[MicrovmLayout.PIT_GSI]);
            s.io().addMmio("pit", I8254.PORT, 4, pit);
            // QEMU's microvm has no speaker port; Linux's PIT calibration reads channel 2 there (see README)
            s.io().addMmio("pit-port61", I8254.PORT61, 1, pit.port61());
        } else {
            pit = null;
        }
        cpu.setInterruptSource(source);
        state.add(cpu);
        state.add(lapic);
        state.add(source);
        state.addAll(List.of(ioapics));
        if (pic != null) {
            state.add(pic);
        }
        if (pit != null) {
            state.add(pit);
        }
    }

    private static final long APIC_GLOBAL_ENABLE = 1 << 11;

    /** IOAPIC input (counting across both) of GSI {@code n}: ISA IRQ 0 arrives on pin 2. */
    private static int ioapicPin(int n) {
        return n == 0 ? 2 : n;
    }

    /**
     * The local APIC as the CPU's INTR, keeping CR8 and TPR one register: the side that changed since the last
     * check wins (MOV CR8 in the CPU, or a TPR write through the APIC's window). What CR8 was at that check is
     * saved with the machine (restored after the CPU and the APIC), so a snapshot taken between a change and the
     * next check resolves it the same way.
     */
    private final class ApicSource implements InterruptSource, Stateful {
        private long lastCr8;

        @Override
        public String stateId() {
            return "lapic-cr8";
        }

        @Override
        public void saveState(StateWriter out) {
            out.putLong("last_cr8", lastCr8);
        }

        @Override
        public void loadState(StateReader in) {
            lastCr8 = in.getLong("last_cr8") & 0xf;
        }

        private void syncTpr() {
            if (cpu.cr8 != lastCr8) {
                lapic.setTpr((int) (cpu.cr8 & 0xf) << 4);
            } else if (lapic.tpr() >> 4 != cpu.cr8) {
                cpu.cr8 = lapic.tpr() >> 4;
            }
            lastCr8 = cpu.cr8;
        }

        @Override
        public boolean hasInterrupt() {
            syncTpr();
            return lapic.hasInterrupt();
        }

        @Override
        public int acknowledge() {
            return lapic.acknowledge();
        }

        @Override
        public long tscDeadline() {
            return lapic.tscDeadline();
        }

        @Override
        public void setTscDeadline(long value) {
            lapic.setTscDeadline(value);
        }
    }

    @Override
    public String name() {
        return "tcg";
    }

    @Override
    public Cpu cpu() {
        return cpu;
    }

    X86Cpu x86() {
        return cpu;
    }

    LocalApic lapic() {
        return lapic;
    }

    /** What the CPU's INTR reads. */
    InterruptSource interruptSource() {
        return source;
    }

    @Override
    public void boot(BootState state) {
        cpu.load(state);
    }

    @Override
    public IrqLine gsi(int n) {
        return gsis[n];
    }

    @Override
    public List<Stateful> state() {
        return List.copyOf(state);
    }

    @Override
    public void reset() {
        source.lastCr8 = 0;
        cpu.reset();
        lapic.reset();
        for (IoApic io : ioapics) {
            io.reset();
        }
        if (pic != null) {
            pic.reset();
        }
        if (pit != null) {
            pit.reset();
        }
    }

    @Override
    public void close() {
    }
}
