package dev.jemu.x86.microvm;

import dev.jemu.core.machine.ConfigException;
import java.util.Map;

/**
 * {@code -M microvm,...}: QEMU 7.2's microvm properties that shape the board. {@code acpi}, {@code pic},
 * {@code pit}, {@code rtc} and {@code ioapic2} are on/off/auto (auto: on, but ioapic2 follows acpi, as QEMU);
 * {@code isa-serial} and {@code auto-kernel-cmdline} are booleans (default on). As QEMU, {@code rtc=auto} means off
 * under KVM (the guest has kvmclock there). {@code pcie}, {@code smm} and
 * {@code usb} accept only off (or auto, which is off here): jemu's microvm has no PCIe host, SMM or XHCI.
 * {@code x-option-roms} is accepted and has no effect (there is no firmware to load option ROMs).
 */
public record MicrovmOptions(boolean acpi, boolean pic, boolean pit, boolean rtc, boolean ioapic2, boolean isaSerial,
        boolean autoKernelCmdline) {
    public static MicrovmOptions of(Map<String, String> props) throws ConfigException {
        return of(props, false);
    }

    /** The options under {@code -accel kvm} when {@code kvm}. */
    public static MicrovmOptions of(Map<String, String> props, boolean kvm) throws ConfigException {
        boolean acpi = onOffAuto(props, "acpi", true);
        boolean pic = onOffAuto(props, "pic", true);
        boolean pit = onOffAuto(props, "pit", true);
        boolean rtc = onOffAuto(props, "rtc", !kvm);
        // QEMU: a second IOAPIC only with ACPI, and not with KVM's in-kernel irqchip (one IOAPIC of 24 inputs)
        boolean ioapic2 = acpi && onOffAuto(props, "ioapic2", !kvm);
        if (ioapic2 && kvm) {
            throw new ConfigException("-M microvm,ioapic2=on: KVM's in-kernel irqchip has one IOAPIC");
        }
        boolean isaSerial = bool(props, "isa-serial", true);
        boolean auto = bool(props, "auto-kernel-cmdline", true);
        bool(props, "x-option-roms", true);
        for (String p : new String[] {"pcie", "smm"}) {
            if (onOffAuto(props, p, false)) {
                throw new ConfigException("-M microvm," + p + "=on: " + (p.equals("pcie")
                        ? "jemu's microvm has no PCIe host bridge" : "jemu's x86 CPU has no System Management Mode"));
            }
        }
        if (bool(props, "usb", false)) {
            throw new ConfigException("-M microvm,usb=on: jemu's microvm has no XHCI controller");
        }
        return new MicrovmOptions(acpi, pic, pit, rtc, ioapic2, isaSerial, auto);
    }

    private static boolean onOffAuto(Map<String, String> props, String name, boolean auto) throws ConfigException {
        String v = props.get(name);
        if (v == null) {
            return auto;
        }
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            case "auto" -> auto;
            default -> throw new ConfigException("Parameter '" + name + "' does not accept value '" + v + "'");
        };
    }

    private static boolean bool(Map<String, String> props, String name, boolean dflt) throws ConfigException {
        String v = props.get(name);
        if (v == null) {
            return dflt;
        }
        return switch (v) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new ConfigException("Parameter '" + name + "' expects 'on' or 'off'");
        };
    }
}
