package dev.jemu.cli;

import java.util.List;
import java.util.Optional;

/**
 * Every option {@code qemu-system-riscv64 -help} lists (QEMU 7.2), with what it is for. Those {@link Flags}
 * does not implement are refused with that reason instead of "invalid option", and are the README's list of
 * what jemu lacks (so the list follows the flag table: implementing one moves it).
 */
final class QemuFlags {
    /** One QEMU option: its name and, for the README and the refusal, what it does in QEMU. */
    record QemuFlag(String name, String what) {
    }

    static final List<QemuFlag> ALL = List.of(
            new QemuFlag("-accel", "accelerator"), new QemuFlag("-action", "what to do on guest reboot, shutdown, panic"),
            new QemuFlag("-add-fd", "pass file descriptors"), new QemuFlag("-append", "kernel command line"),
            new QemuFlag("-async-teardown", "tear down memory in a separate process"),
            new QemuFlag("-audio", "audio backend and device"), new QemuFlag("-audiodev", "audio backend"),
            new QemuFlag("-bios", "firmware"), new QemuFlag("-blockdev", "block node"), new QemuFlag("-boot", "boot order"),
            new QemuFlag("-cdrom", "CD-ROM image (no IDE/SCSI on virt)"), new QemuFlag("-chardev", "character device"),
            new QemuFlag("-chroot", "chroot after start-up"), new QemuFlag("-compat", "deprecated-API policy"),
            new QemuFlag("-cpu", "CPU model"), new QemuFlag("-d", "debug log"), new QemuFlag("-D", "debug log file"),
            new QemuFlag("-daemonize", "run in the background"), new QemuFlag("-debugcon", "debug console port (x86)"),
            new QemuFlag("-device", "add a device"), new QemuFlag("-dfilter", "debug log address filter"),
            new QemuFlag("-display", "display backend"), new QemuFlag("-drive", "drive"), new QemuFlag("-dtb", "device tree blob"),
            new QemuFlag("-dump-vmstate", "dump the migration format as JSON"), new QemuFlag("-echr", "console escape character"),
            new QemuFlag("-enable-kvm", "KVM acceleration"), new QemuFlag("-enable-sync-profile", "lock profiling"),
            new QemuFlag("-fda", "floppy image"), new QemuFlag("-fsdev", "9p file system backend"),
            new QemuFlag("-full-screen", "graphical full screen"), new QemuFlag("-fw_cfg", "fw_cfg file (no fw_cfg device yet)"),
            new QemuFlag("-gdb", "gdb stub"), new QemuFlag("-global", "default device property"),
            new QemuFlag("-h", "help"), new QemuFlag("-hda", "IDE disk (no IDE on virt)"), new QemuFlag("-hdb", "IDE disk"),
            new QemuFlag("-hdc", "IDE disk"), new QemuFlag("-hdd", "IDE disk"), new QemuFlag("-icount", "instruction counting"),
            new QemuFlag("-incoming", "incoming migration"), new QemuFlag("-initrd", "initial ram disk"),
            new QemuFlag("-iscsi", "iSCSI initiator"), new QemuFlag("-k", "keyboard layout"), new QemuFlag("-kernel", "kernel"),
            new QemuFlag("-L", "firmware directory"), new QemuFlag("-loadvm", "start from a snapshot"), new QemuFlag("-m", "RAM"),
            new QemuFlag("-machine", "board"), new QemuFlag("-mem-path", "RAM from a file"),
            new QemuFlag("-mem-prealloc", "preallocate RAM"), new QemuFlag("-mon", "monitor on a chardev"),
            new QemuFlag("-monitor", "monitor"), new QemuFlag("-msg", "message format"),
            new QemuFlag("-mtdblock", "on-board flash (not on virt)"), new QemuFlag("-name", "guest name"),
            new QemuFlag("-net", "legacy network"), new QemuFlag("-netdev", "network backend"), new QemuFlag("-nic", "network card"),
            new QemuFlag("-no-reboot", "exit on reboot"), new QemuFlag("-no-shutdown", "stop instead of exit"),
            new QemuFlag("-no-user-config", "no user configuration files"), new QemuFlag("-nodefaults", "no default devices"),
            new QemuFlag("-nographic", "serial console on the terminal"), new QemuFlag("-numa", "NUMA topology"),
            new QemuFlag("-object", "backend object"), new QemuFlag("-only-migratable", "refuse non-migratable devices"),
            new QemuFlag("-option-rom", "PCI option ROM (no PCI yet)"), new QemuFlag("-overcommit", "memory locking"),
            new QemuFlag("-parallel", "parallel port"), new QemuFlag("-pflash", "parallel flash (not on jemu's virt)"),
            new QemuFlag("-pidfile", "write the process id"), new QemuFlag("-plugin", "TCG plugin"),
            new QemuFlag("-portrait", "rotate graphical output"), new QemuFlag("--preconfig", "pause for QMP before board init"),
            new QemuFlag("-qmp", "QMP monitor"), new QemuFlag("-qmp-pretty", "QMP monitor, pretty JSON"),
            new QemuFlag("-readconfig", "read a configuration file"), new QemuFlag("-rotate", "rotate graphical output"),
            new QemuFlag("-rtc", "real-time clock"), new QemuFlag("-runas", "drop privileges to a user"),
            new QemuFlag("-s", "gdb stub on tcp::1234"), new QemuFlag("-S", "start paused"),
            new QemuFlag("-sandbox", "seccomp sandbox"), new QemuFlag("-sd", "SD card (no SD controller on virt)"),
            new QemuFlag("-seed", "random seed for TCG"), new QemuFlag("-semihosting", "semihosting"),
            new QemuFlag("-semihosting-config", "semihosting"), new QemuFlag("-serial", "serial port"),
            new QemuFlag("-set", "set an option of a group"), new QemuFlag("-singlestep", "one instruction per TB"),
            new QemuFlag("-smp", "CPUs"), new QemuFlag("-snapshot", "temporary overlays"),
            new QemuFlag("-spice", "SPICE display"), new QemuFlag("-tpmdev", "TPM backend"), new QemuFlag("-trace", "tracing"),
            new QemuFlag("-usb", "USB (no USB on virt without PCI)"), new QemuFlag("-usbdevice", "USB device"),
            new QemuFlag("-uuid", "system UUID (SMBIOS)"), new QemuFlag("-version", "version"), new QemuFlag("-vga", "graphic card"),
            new QemuFlag("-virtfs", "9p host directory sharing"), new QemuFlag("-vnc", "VNC display"),
            new QemuFlag("-watchdog-action", "watchdog action"));

    private QemuFlags() {
    }

    static Optional<QemuFlag> find(String name) {
        return ALL.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The QEMU options jemu's flag table does not have, in QEMU's order. */
    static List<QemuFlag> missing() {
        return ALL.stream().filter(f -> !Flags.has(f.name())).toList();
    }
}
