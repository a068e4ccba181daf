package dev.jemu.core.machine;

import java.util.List;
import java.util.Optional;

/**
 * A device model a board lets the user create with {@code -device}: what {@code -device help} and
 * {@code -device NAME,help} print and what the {@code -device} and {@code -global} parsers accept.
 *
 * @param bus         the bus it plugs into, as QEMU names it ({@code virtio-bus}), or null
 * @param description QEMU's {@code desc}, or null
 */
public record DeviceInfo(String name, String bus, Category category, String description,
                         List<PropertyInfo> properties) {
    /** QEMU's {@code -device help} groups, in its order. */
    public enum Category {
        BRIDGE("Controller/Bridge/Hub devices"), USB("USB devices"), STORAGE("Storage devices"),
        NETWORK("Network devices"), INPUT("Input devices"), DISPLAY("Display devices"), SOUND("Sound devices"),
        MISC("Misc devices"), CPU("CPU devices"), WATCHDOG("Watchdog devices"), UNCATEGORIZED("Uncategorized devices");

        public final String heading;

        Category(String heading) {
            this.heading = heading;
        }
    }

    public Optional<PropertyInfo> property(String prop) {
        return properties.stream().filter(p -> p.name().equals(prop)).findFirst();
    }

    /** The {@code -device help} line: {@code name "virtio-blk-device", bus virtio-bus, desc "..."}. */
    public String listLine() {
        return "name \"" + name + "\"" + (bus == null ? "" : ", bus " + bus)
                + (description == null ? "" : ", desc \"" + description + "\"");
    }
}
