package dev.jemu.x86.microvm;

import dev.jemu.core.machine.BootProperties;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.DeviceInfo;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineType;
import dev.jemu.core.machine.PropertyInfo;
import dev.jemu.devices.virtio.VirtioSlots;
import dev.jemu.x86.cpu.X86Model;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** {@code -M microvm} for x86_64: QEMU 7.2's microvm board (see {@link MicrovmMachine}). */
public final class MicrovmMachineType implements MachineType {
    @Override
    public String name() {
        return MicrovmMachine.NAME;
    }

    @Override
    public String description() {
        return "microvm (i386)";
    }

    @Override
    public String architecture() {
        return "x86_64";
    }

    @Override
    public boolean isDefault() {
        return true;
    }

    @Override
    public List<DeviceInfo> devices() {
        return VirtioSlots.DEVICES;
    }

    /** QEMU's microvm properties that jemu accepts (with QEMU's descriptions), sorted by name. */
    @Override
    public List<PropertyInfo> properties() {
        return Stream.concat(BootProperties.ALL.stream().filter(p -> !p.name().equals("dumpdtb")), Stream.of(
                new PropertyInfo("acpi", "OnOffAuto", "Enable ACPI", null),
                new PropertyInfo("auto-kernel-cmdline", "bool",
                        "Set off to disable adding virtio-mmio devices to the kernel cmdline", null),
                new PropertyInfo("ioapic2", "OnOffAuto", "Enable second IO-APIC", null),
                new PropertyInfo("isa-serial", "bool", "Set off to disable the instantiation an ISA serial port", null),
                new PropertyInfo("pcie", "OnOffAuto", "Enable PCIe (only off: jemu's microvm has no PCIe)", null),
                new PropertyInfo("pic", "OnOffAuto", "Enable i8259 PIC", null),
                new PropertyInfo("pit", "OnOffAuto", "Enable i8254 PIT", null),
                new PropertyInfo("rtc", "OnOffAuto", "Enable MC146818 RTC", null),
                new PropertyInfo("smm", "OnOffAuto", "Enable SMM (only off)", null),
                new PropertyInfo("usb", "bool", "Set on/off to enable/disable usb (only off)", null),
                new PropertyInfo("x-option-roms", "bool", "Set off to disable loading option ROMs (no effect)", null)))
                .sorted(Comparator.comparing(PropertyInfo::name)).toList();
    }

    @Override
    public Machine create(MachineConfig config) throws ConfigException {
        if (config.dumpDtb != null) {
            throw new ConfigException("microvm: dumpdtb: x86 boards have no device tree");
        }
        cpuModel(config);
        return new MicrovmMachine(config, accelerator(config), MicrovmLoader.find());
    }

    /** The {@code -cpu} model: qemu64 by default, as QEMU's microvm. */
    static X86Model cpuModel(MachineConfig config) throws ConfigException {
        if (config.cpu == null) {
            return X86Model.QEMU64;
        }
        X86Model m = X86Model.byName(config.cpu);
        if (m == null) {
            throw new ConfigException("microvm: unknown x86_64 CPU model '" + config.cpu + "' (see -cpu help)");
        }
        return m;
    }

    /** The {@code -accel} choice ("tcg" or "kvm"). */
    static String accelerator(MachineConfig config) {
        return config.accel;
    }
}
