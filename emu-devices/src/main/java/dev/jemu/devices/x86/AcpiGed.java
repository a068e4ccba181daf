package dev.jemu.devices.x86;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import java.util.function.Consumer;

/**
 * The ACPI generic event device as QEMU's {@code acpi-ged} (x86 microvm): the event selector (4 bytes at
 * 0xfea00000), which the DSDT's GED {@code _EVT} method reads to learn which events happened (reading clears
 * them), and the hardware-reduced FADT's sleep control, sleep status and reset registers (3 bytes at 0xfea00200).
 * Writing SLP_TYP=5 with SLP_EN to sleep control powers the machine off (status 0); writing 0x42 to the reset
 * register resets it. An event (the power button) sets its selector bit and pulses the GED interrupt.
 */
public final class AcpiGed implements Stateful {
    public static final long EVENT_BASE = 0xfea00000L, EVENT_SIZE = 4, REGS_BASE = 0xfea00200L, REGS_SIZE = 3;
    /** Selector bits (QEMU's ACPI_GED_*_EVT): memory hot-plug, power button (the one microvm enables), NVDIMM. */
    public static final int MEM_HOTPLUG_EVENT = 1, POWER_DOWN_EVENT = 2, NVDIMM_HOTPLUG_EVENT = 4;
    public static final int SLEEP_CONTROL = 0, SLEEP_STATUS = 1, RESET = 2;
    public static final int SLP_EN = 1 << 5, SLP_TYP_SHIFT = 2, SLP_TYP_S5 = 5, RESET_VALUE = 0x42, WAK_STS = 0x80;

    private final IrqLine irq;
    private final Consumer<ExitRequest> exit;
    private final int enabledEvents;
    private int selector;

    /** {@code enabledEvents}: QEMU's {@code ged-event} (microvm: the power button); {@code exit}: the loop's. */
    public AcpiGed(int enabledEvents, IrqLine irq, Consumer<ExitRequest> exit) {
        this.enabledEvents = enabledEvents;
        this.irq = irq;
        this.exit = exit;
    }

    public void reset() {
        selector = 0;
    }

    /** Signals {@code event} (e.g. {@link #POWER_DOWN_EVENT} for {@code system_powerdown}). */
    public void event(int event) {
        if ((event & enabledEvents) == 0) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "acpi-ged: event 0x%x is not enabled", event);
            return;
        }
        selector |= event;
        irq.raise(); // an edge interrupt: a pulse, as QEMU's qemu_irq_pulse
        irq.lower();
    }

    /** The event selector window. */
    public MmioDevice events() {
        return new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                if (offset != 0) {
                    return 0;
                }
                int v = selector;
                selector = 0;
                return v;
            }

            @Override
            public void write(long offset, int size, long value) {
                DebugLog.log(DebugLog.Category.GUEST_ERRORS, "acpi-ged: write 0x%x to the event selector", value);
            }
        };
    }

    /** The sleep control / sleep status / reset registers. */
    public MmioDevice registers() {
        return new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                return 0;
            }

            @Override
            public void write(long offset, int size, long value) {
                int v = (int) value & 0xff;
                switch ((int) offset) {
                    case SLEEP_CONTROL -> {
                        int type = (v >> SLP_TYP_SHIFT) & 7;
                        if ((v & SLP_EN) == 0) {
                            return;
                        }
                        if (type == SLP_TYP_S5) {
                            exit.accept(ExitRequest.poweroff(0));
                        } else {
                            DebugLog.log(DebugLog.Category.UNIMP, "acpi-ged: sleep type %d (only S5 soft-off)", type);
                        }
                    }
                    case SLEEP_STATUS -> { } // only WAK_STS, which never sets without suspend
                    case RESET -> {
                        if (v == RESET_VALUE) {
                            exit.accept(ExitRequest.reset());
                        } else {
                            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "acpi-ged: reset register written 0x%x", v);
                        }
                    }
                    default -> DebugLog.log(DebugLog.Category.GUEST_ERRORS, "acpi-ged: write at 0x%x", offset);
                }
            }
        };
    }

    @Override
    public String stateId() {
        return "acpi-ged";
    }

    @Override
    public void saveState(StateWriter out) {
        out.putInt("selector", selector);
    }

    @Override
    public void loadState(StateReader in) {
        selector = in.getInt("selector") & enabledEvents;
    }
}
