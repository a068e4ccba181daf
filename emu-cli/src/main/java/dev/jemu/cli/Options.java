package dev.jemu.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line as given: one field per QEMU flag, values still strings ({@link ConfigBuilder} checks
 * them so each bad value gets a QEMU-like one-line message). Filled by {@link Flags#parse}.
 */
final class Options {
    String machine;
    String cpu;
    String memory;
    String smp;
    String bios;
    String kernel;
    String initrd;
    String append;
    String dtb;
    boolean nographic;
    String display;
    final List<String> serials = new ArrayList<>();
    // character devices and process control (issue 13)
    final List<String> chardevs = new ArrayList<>();
    final List<String> parallels = new ArrayList<>();
    final List<String> monitor = new ArrayList<>();
    boolean daemonize;
    String pidfile;
    boolean noShutdown;
    boolean noReboot;
    final List<String> drives = new ArrayList<>();
    final List<String> devices = new ArrayList<>();
    final List<String> objects = new ArrayList<>();
    final List<String> fsdevs = new ArrayList<>();
    final List<String> virtfs = new ArrayList<>();
    boolean snapshot;
    String loadvm;
    String incoming;
    String icount;
    String accel;
    /** {@code -enable-kvm}: QEMU's short form of {@code -machine accel=kvm}. */
    boolean enableKvm;
    final List<String> debug = new ArrayList<>();
    String debugFile;
    boolean nodefaults;
    boolean noUserConfig;
    String name;
    String vga;
    String rtc;
    String msg;
    String boot;
    final List<String> globals = new ArrayList<>();
    final List<String> blockdevs = new ArrayList<>();
    final List<String> qmp = new ArrayList<>();
    final List<String> mon = new ArrayList<>();
    boolean startPaused;
    /** {@code -gdb DEV} / {@code -s}: the gdb stub's device, null for none. */
    String gdb;
    boolean version;
    boolean help;
    // networking (issue 9)
    final List<String> netdevs = new ArrayList<>();
    final List<String> nics = new ArrayList<>();
    final List<String> nets = new ArrayList<>();
    /** Bare (non-option) arguments: a disk image, as in QEMU. */
    final List<String> positional = new ArrayList<>();
    /** How many {@code -drive} options came before the first bare argument (its drive goes there). */
    int drivesBeforePositional;
}
