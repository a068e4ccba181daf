package dev.jemu.cli;

import dev.jemu.core.machine.ConfigException;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * QEMU's command-line syntax, as a table: single-dash long names ({@code --name} is accepted too, as QEMU
 * does), each flag either alone or followed by exactly one value in the next argument; a later flag
 * overrides an earlier one, list flags accumulate. The table also prints {@code --help}.
 *
 * <p>Hand-written rather than picocli: building picocli's model from annotations took 0.15 to 0.5 s of CPU
 * at every start (measured on this project's 2-core machines), several times the rest of the start-up.
 */
final class Flags {
    /** One flag: its names, the label of its value (null: takes none), its help line and what it sets. */
    record Flag(List<String> names, String value, String help, BiConsumer<Options, String> set) {
    }

    static final List<Flag> ALL = List.of(
            new Flag(List.of("-M", "-machine"), "name", "board to emulate (`help` lists them); also type=name", (o, v) -> o.machine = ConfigBuilder.mergeMachine(o.machine, v)),
            new Flag(List.of("-cpu"), "model", "CPU model, which also chooses the architecture (`help` lists them)", (o, v) -> o.cpu = v),
            new Flag(List.of("-m"), "size", "RAM size: 512M, 1G; a plain number is MiB; also size=", (o, v) -> o.memory = v),
            new Flag(List.of("-smp"), "[cpus=]n[,maxcpus=,sockets=,cores=,threads=]", "CPUs and their topology, as QEMU computes the rest; riscv64 `virt`: 1-512 harts, other boards 1", (o, v) -> o.smp = v),
            new Flag(List.of("-bios"), "file", "firmware image, or `none`; default: the built-in firmware", (o, v) -> o.bios = v),
            new Flag(List.of("-kernel"), "file", "kernel image (Linux Image, ELF)", (o, v) -> o.kernel = v),
            new Flag(List.of("-initrd"), "file", "initial ram disk", (o, v) -> o.initrd = v),
            new Flag(List.of("-append"), "cmdline", "kernel command line", (o, v) -> o.append = v),
            new Flag(List.of("-dtb"), "file", "device tree blob to use instead of the board's; its /chosen gets -append and -initrd", (o, v) -> o.dtb = v),
            new Flag(List.of("-nographic"), null, "no display: serial port 0 and the escape keys on the terminal", (o, v) -> o.nographic = true),
            new Flag(List.of("-display"), "type", "only `none`", (o, v) -> o.display = v),
            new Flag(List.of("-serial"), "dev", "stdio, mon:stdio, pty, file:PATH, tcp:HOST:PORT[,server=on,wait=off], telnet:HOST:PORT,..., unix:PATH[,...], /dev/ttyS0 (a host port), chardev:ID, null or none; repeat for more ports", (o, v) -> o.serials.add(v)),
            new Flag(List.of("-chardev"), "opts", "character device BACKEND,id=ID[,mux=on][,logfile=PATH]: socket (host=,port= or path=; server=on|off, wait=on|off, nodelay=on, telnet=on, reconnect=N), pty, file,path=[,append=on], serial,path=, stdio[,signal=off], null", (o, v) -> o.chardevs.add(v)),
            new Flag(List.of("-parallel"), "dev", "parallel port: none; the virt board has none, so another dev is opened and left unconnected (as QEMU)", (o, v) -> o.parallels.add(v)),
            new Flag(List.of("-monitor"), "dev", "HMP monitor: unix:PATH,server=on,wait=off, tcp:HOST:PORT,server=on,wait=off, stdio or none", (o, v) -> o.monitor.add(v)),
            new Flag(List.of("-qmp"), "dev", "QMP monitor: unix:PATH,server=on,wait=off, tcp:HOST:PORT,server=on,wait=off, stdio or none", (o, v) -> o.qmp.add(v)),
            new Flag(List.of("-mon"), "opts", "monitor on a -chardev socket (server=on) or stdio: chardev=ID,mode=control|readline", (o, v) -> o.mon.add(v)),
            new Flag(List.of("-S"), null, "start with the CPUs stopped (`cont` in a monitor starts them)", (o, v) -> o.startPaused = true),
            new Flag(List.of("-s"), null, "gdb stub on tcp::1234 (short for -gdb tcp::1234)", (o, v) -> o.gdb = "tcp::1234"),
            new Flag(List.of("-gdb"), "dev", "gdb stub: tcp:[HOST]:PORT, unix:PATH,server=on[,wait=off] or none", (o, v) -> o.gdb = v),
            new Flag(List.of("-daemonize"), null, "run in the background once the machine is set up (start-up errors still reach the terminal)", (o, v) -> o.daemonize = true),
            new Flag(List.of("-pidfile"), "file", "write the process id to FILE (locked while running, removed at exit)", (o, v) -> o.pidfile = v),
            new Flag(List.of("-no-shutdown"), null, "a guest poweroff stops the CPUs (run state shutdown) instead of ending jemu; a monitor's system_reset, then cont, starts the guest again", (o, v) -> o.noShutdown = true),
            new Flag(List.of("-no-reboot"), null, "exit instead of rebooting", (o, v) -> o.noReboot = true),
            new Flag(List.of("-drive"), "opts", "block device: file=PATH,if=none,id=ID,format=raw|qcow2,...", (o, v) -> o.drives.add(v)),
            new Flag(List.of("-device"), "opts", "device to add, e.g. virtio-blk-device,drive=ID", (o, v) -> o.devices.add(v)),
            new Flag(List.of("-object"), "opts", "backend object: rng-random,id=ID,filename=FILE, rng-builtin,id=ID or filter-dump,id=ID,netdev=NETDEV,file=PCAP[,maxlen=N]", (o, v) -> o.objects.add(v)),
            new Flag(List.of("-fsdev"), "opts", "host directory: local,id=ID,path=DIR,security_model=mapped-xattr|mapped-file|passthrough|none[,readonly=on]", (o, v) -> o.fsdevs.add(v)),
            new Flag(List.of("-virtfs"), "opts", "share a host directory over virtio-9p: local,path=DIR,mount_tag=TAG,security_model=...", (o, v) -> o.virtfs.add(v)),
            new Flag(List.of("-snapshot"), null, "write to temporary overlays, never to the disk images", (o, v) -> o.snapshot = true),
            new Flag(List.of("-loadvm"), "name", "start from the internal snapshot NAME (made by savevm)", (o, v) -> o.loadvm = v),
            new Flag(List.of("-incoming"), "uri", "wait for a live migration: tcp:HOST:PORT, unix:PATH, exec:CMD or defer (then migrate-incoming URI)", (o, v) -> o.incoming = v),
            new Flag(List.of("-icount"), "shift=N", "deterministic clock: each instruction takes 2^N ns", (o, v) -> o.icount = v),
            new Flag(List.of("-accel"), "name", "accelerator: `tcg` (jemu's interpreter, the default) or `kvm` (x86_64 guests on the host CPU through /dev/kvm, in-kernel irqchip); also -M ...,accel=", (o, v) -> o.accel = v),
            new Flag(List.of("-enable-kvm"), null, "the same as -M accel=kvm", (o, v) -> o.enableKvm = true),
            new Flag(List.of("-d"), "items", "debug log items, comma separated (`help` lists them)", (o, v) -> o.debug.add(v)),
            new Flag(List.of("-D"), "file", "write the -d log to a file instead of stderr", (o, v) -> o.debugFile = v),
            new Flag(List.of("-nodefaults"), null, "no default devices: no serial console unless -serial names one", (o, v) -> o.nodefaults = true),
            new Flag(List.of("-no-user-config"), null, "read no user configuration files (jemu reads none anyway)", (o, v) -> o.noUserConfig = true),
            new Flag(List.of("-name"), "name", "guest name: NAME or guest=NAME,process=NAME,debug-threads=on|off", (o, v) -> o.name = v),
            new Flag(List.of("-vga"), "type", "only `none`: jemu has no display (`help` lists the types)", (o, v) -> o.vga = v),
            new Flag(List.of("-rtc"), "opts", "RTC start and clock: base=utc|localtime|DATE,clock=host|rt|vm,driftfix=none|slew", (o, v) -> o.rtc = v),
            new Flag(List.of("-msg"), "opts", "timestamp=on|off,guest-name=on|off: prefixes for jemu's messages", (o, v) -> o.msg = v),
            new Flag(List.of("-boot"), "opts", "order=,menu=,splash=,splash-time=,reboot-timeout=,strict=: checked as QEMU does; no effect on virt (no fw_cfg); once= refused as by QEMU on riscv", (o, v) -> o.boot = v),
            new Flag(List.of("-global"), "opts", "DRIVER.PROP=VALUE or driver=,property=,value=: a default for a device property (see -device NAME,help)", (o, v) -> o.globals.add(v)),
            new Flag(List.of("-blockdev"), "opts", "block node: driver=qcow2|raw|vmdk|vdi|file,node-name=N,file.driver=file,file.filename=F,read-only=,cache.direct=,cache.no-flush=,discard= or the JSON form", (o, v) -> o.blockdevs.add(v)),
            new Flag(List.of("-netdev"), "opts", "network backend TYPE,id=ID,...: socket,listen=[HOST]:PORT|connect=HOST:PORT|mcast=ADDR:PORT[,localaddr=]|udp=HOST:PORT,localaddr=HOST:PORT; stream,server=on|off,addr.type=inet,addr.host=,addr.port= (or addr.type=unix,addr.path=); dgram,local.type=inet,...,remote.type=inet,...; tap,ifname=NAME,script=no,downscript=no", (o, v) -> o.netdevs.add(v)),
            new Flag(List.of("-nic"), "opts", "a virtio-net NIC and its backend in one: TYPE[,model=virtio-net-device][,mac=ADDR],backend options; -nic none: no network", (o, v) -> o.nics.add(v)),
            new Flag(List.of("-net"), "opts", "legacy: nic[,model=virtio-net-device][,macaddr=ADDR] and TYPE,backend options, joined on hub 0", (o, v) -> o.nets.add(v)),
            new Flag(List.of("-version", "--version"), null, "print the version and exit", (o, v) -> o.version = true),
            new Flag(List.of("-h", "-help", "--help"), null, "print this help and exit", (o, v) -> o.help = true));

    private static final Map<String, Flag> BY_NAME = new HashMap<>();

    static {
        for (Flag f : ALL) {
            for (String n : f.names()) {
                BY_NAME.put(n, f);
            }
        }
    }

    private Flags() {
    }

    static Options parse(String[] args) throws ConfigException {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.length() < 2 || a.charAt(0) != '-') {
                if (o.positional.isEmpty()) {
                    o.drivesBeforePositional = o.drives.size();
                }
                o.positional.add(a);
                continue;
            }
            Flag f = BY_NAME.get(a);
            if (f == null && a.startsWith("--")) {
                f = BY_NAME.get(a.substring(1));
            }
            if (f == null) {
                throw new ConfigException(a + ": " + QemuFlags.find(a.startsWith("--") && !a.equals("--preconfig")
                        ? a.substring(1) : a).map(q -> "QEMU's option (" + q.what() + ") is not supported by jemu")
                        .orElse("invalid option"));
            }
            String value = null;
            if (f.value() != null) {
                if (i + 1 == args.length) {
                    throw new ConfigException(a + ": requires an argument");
                }
                value = args[++i];
            }
            f.set().accept(o, value);
        }
        return o;
    }

    /** Whether {@code name} is one of the table's flags. */
    static boolean has(String name) {
        return BY_NAME.containsKey(name);
    }

    static void usage(PrintStream out) {
        out.println("usage: jemu [options] [disk_image]");
        out.println("jemu, a full-system emulator in Java with QEMU's command line.");
        out.println();
        out.println("'disk_image' (raw, qcow2, vmdk or vdi) is the board's first disk on its default interface:");
        out.println("the same as -drive file=disk_image,index=0,media=disk.");
        out.println();
        for (Flag f : ALL) {
            String names = String.join(", ", f.names()) + (f.value() == null ? "" : " " + f.value());
            out.printf("  %-24s %s%n", names, f.help());
        }
        out.println();
        out.println("Examples:");
        out.println("  jemu -M virt -cpu riscv64 -m 512M -nographic -kernel Image -initrd initrd.cpio.gz \\");
        out.println("       -append console=ttyS0");
        out.println("  jemu -M virt -cpu riscv64 -m 512M -nographic disk.qcow2");
        out.println("                        boot the disk (extlinux.conf on its boot partition)");
        out.println("  jemu -M help          list the boards");
        out.println("  jemu -cpu help        list the CPU models");
        out.println("  jemu -d help          list the -d log items");
        out.println("With -nographic: Ctrl-A x quits, Ctrl-A h lists the other keys.");
    }
}
