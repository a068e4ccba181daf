package dev.jemu.core.log;

import java.io.PrintStream;
import java.util.EnumSet;
import java.util.Set;

/**
 * QEMU-style {@code -d} debug logging: categories switched on from the command line, printed to stderr or
 * the {@code -D} file. Separate from slf4j, which logs the emulator's own operation.
 */
public final class DebugLog {
    public enum Category {
        IN_ASM("in_asm", "show guest instructions as they are decoded"),
        INT("int", "show traps and interrupts"),
        GUEST_ERRORS("guest_errors", "log when the guest does something invalid (e.g. programs a device wrongly)"),
        UNIMP("unimp", "log unimplemented functionality"),
        CPU("cpu", "show CPU registers before each block");

        public final String flag;
        public final String help;

        Category(String flag, String help) {
            this.flag = flag;
            this.help = help;
        }
    }

    private static volatile Set<Category> enabled = EnumSet.noneOf(Category.class);
    private static volatile PrintStream out = System.err;

    private DebugLog() {
    }

    public static void enable(Set<Category> categories) {
        enabled = categories.isEmpty() ? EnumSet.noneOf(Category.class) : EnumSet.copyOf(categories);
    }

    public static void setOutput(PrintStream stream) {
        out = stream;
    }

    public static boolean on(Category c) {
        return enabled.contains(c);
    }

    public static void log(Category c, String fmt, Object... args) {
        if (enabled.contains(c)) {
            out.println(args.length == 0 ? fmt : String.format(fmt, args));
        }
    }
}
