package dev.jemu.core.machine;

import java.util.List;

/**
 * The {@code -M name,prop=} properties every Linux-booting board has, each meaning the flag it names
 * ({@code kernel=} is {@code -kernel}, ...), with QEMU's descriptions; sorted by name.
 */
public final class BootProperties {
    public static final List<PropertyInfo> ALL = List.of(
            new PropertyInfo("append", "string", "Linux kernel command line", null),
            new PropertyInfo("dtb", "string", "Linux kernel device tree file", null),
            new PropertyInfo("dumpdtb", "string", "Dump current dtb to a file and quit", null),
            new PropertyInfo("firmware", "string", "Firmware image", null),
            new PropertyInfo("initrd", "string", "Linux initial ramdisk file", null),
            new PropertyInfo("kernel", "string", "Linux kernel image file", null));

    private BootProperties() {
    }
}
