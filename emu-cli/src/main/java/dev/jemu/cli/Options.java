package dev.jemu.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line as QEMU spells it: single-dash long names, one value each. Values stay strings here;
 * {@link ConfigBuilder} parses them so that every bad value gets a QEMU-like one-line message.
 */
@Command(name = "jemu", sortOptions = false, separator = " ",
        description = "jemu, a full-system emulator in Java with QEMU's command line.",
        footer = {"", "Examples:",
                "  jemu -M virt -cpu riscv64 -m 512M -nographic -kernel Image -initrd initrd.cpio.gz \\",
                "       -append console=ttyS0",
                "  jemu -M help          list the boards",
                "  jemu -cpu help        list the CPU models",
                "  jemu -d help          list the -d log items",
                "During -nographic: Ctrl-A x quits, Ctrl-A h shows the other keys."})
final class Options {
    @Option(names = {"-M", "-machine"}, paramLabel = "name", description = "board to emulate (`help` lists them); also type=name")
    String machine;

    @Option(names = "-cpu", paramLabel = "model", description = "CPU model; picks the architecture (`help` lists them)")
    String cpu;

    @Option(names = "-m", paramLabel = "size", description = "RAM size: 512M, 1G, plain number = MiB; also size=")
    String memory;

    @Option(names = "-smp", paramLabel = "n", description = "number of CPUs (1 for now)")
    String smp;

    @Option(names = "-bios", paramLabel = "file", description = "firmware image, or `none`")
    String bios;

    @Option(names = "-kernel", paramLabel = "file", description = "kernel image (Linux Image or ELF)")
    String kernel;

    @Option(names = "-initrd", paramLabel = "file", description = "initial ram disk")
    String initrd;

    @Option(names = "-append", paramLabel = "cmdline", description = "kernel command line")
    String append;

    @Option(names = "-dtb", paramLabel = "file", description = "device tree blob to use instead of the board's")
    String dtb;

    @Option(names = "-nographic", description = "no display; serial port and escape keys on the terminal")
    boolean nographic;

    @Option(names = "-display", paramLabel = "type", description = "only `none`")
    String display;

    @Option(names = "-serial", paramLabel = "dev", description = "stdio, mon:stdio, file:PATH, null, none; repeat for more ports")
    List<String> serials = new ArrayList<>();

    @Option(names = "-no-reboot", description = "exit instead of rebooting")
    boolean noReboot;

    @Option(names = "-drive", paramLabel = "opts", description = "block device: file=PATH,if=none,id=ID,format=raw|qcow2,...")
    List<String> drives = new ArrayList<>();

    @Option(names = "-device", paramLabel = "opts", description = "device to add: virtio-blk-device,drive=ID,...")
    List<String> devices = new ArrayList<>();

    @Option(names = "-snapshot", description = "write to temporary overlays, never to the disk images")
    boolean snapshot;

    @Option(names = "-icount", paramLabel = "shift=N", description = "deterministic clock: each instruction takes 2^N ns")
    String icount;

    @Option(names = "-accel", paramLabel = "name", description = "only `tcg` (jemu always translates/interprets)")
    String accel;

    @Option(names = "-d", paramLabel = "items", description = "debug log items, comma separated (`help` lists them)")
    List<String> debug = new ArrayList<>();

    @Option(names = "-D", paramLabel = "file", description = "write the -d log to a file instead of stderr")
    String debugFile;

    @Option(names = {"-version", "--version"}, versionHelp = true, description = "print the version and exit")
    boolean version;

    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    /** QEMU would take a bare argument as a disk image; jemu asks for -drive instead. */
    @Parameters(hidden = true)
    List<String> positional = new ArrayList<>();

    /** The parser, kept for printing the usage. */
    picocli.CommandLine usage;
}
