package dev.jemu.core.machine;

/**
 * One property a device or board accepts ({@code -device NAME,prop=}, {@code -global}, {@code -M virt,prop=}),
 * as QEMU's help lists it: name, type ({@code str}, {@code bool}, {@code uint32}, ...), description and
 * default, each of the last two possibly null. The parsers check properties against these declarations, so
 * what the help prints is what is accepted.
 */
public record PropertyInfo(String name, String type, String description, String defaultValue) {
    /** The help line, in QEMU's layout: {@code   name=<type>} padded to 24 columns, then " - " and the rest. */
    public String helpLine() {
        String head = "  " + name + "=<" + type + ">";
        if (description == null && defaultValue == null) {
            return head;
        }
        String text = (description == null ? "" : description)
                + (defaultValue == null ? "" : " (default: " + defaultValue + ")");
        return String.format("%-24s - %s", head, text);
    }
}
