package dev.jemu.core.machine;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.time.VirtualClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the command line says about the machine to build, in QEMU's terms. Plain data: the launcher
 * fills it, a {@link MachineType} reads it.
 */
public final class MachineConfig {
    /** {@code -M}; null means the architecture's default board. */
    public String machine;
    /** {@code -cpu}: model name as given (e.g. "riscv64", "rv64"); null means the default. */
    public String cpu;
    /** {@code -m}, bytes. */
    public long ramBytes = 128L << 20;
    /** {@code -smp}: the number of CPUs, and the topology QEMU's {@code -smp} grammar gives them. */
    public int smp = 1;
    public int sockets = 1, cores = 1, threads = 1, maxCpus = 1;
    /** {@code -bios}: null = the board's default, "none" = no firmware, else a path. */
    public String bios;
    public Path kernel;
    public Path initrd;
    public String append = "";
    /** {@code -dtb}: a device tree blob to use instead of the generated one. */
    public Path dtb;
    /** {@code -no-reboot}: a guest reset ends the run (status 0) instead of restarting. */
    public boolean noReboot;
    /** Backends for the serial ports, in order ({@code -serial}, or stdio with {@code -nographic}). */
    public final List<CharBackend> serials = new ArrayList<>();
    /** {@code -drive} specifications, raw option strings in order (parsed by the block layer). */
    public final List<String> drives = new ArrayList<>();
    /** {@code -device} specifications, raw option strings in order. */
    public final List<String> devices = new ArrayList<>();
    /** {@code -object} specifications (rng-random, rng-builtin), raw option strings in order. */
    public final List<String> objects = new ArrayList<>();
    /** {@code -fsdev} specifications, raw option strings in order. */
    public final List<String> fsdevs = new ArrayList<>();
    /** {@code -virtfs} specifications, raw option strings in order. */
    public final List<String> virtfs = new ArrayList<>();
    /** {@code -snapshot}: every drive gets a temporary overlay. */
    public boolean snapshot;
    /** {@code -loadvm NAME}: start from this internal snapshot (VM state and disks), or null. */
    public String loadvm;
    /** Time source: real time, or instruction counting ({@code -icount shift=N}). */
    public VirtualClock clock = VirtualClock.realtime();
    /** {@code -M name,dumpdtb=FILE}: write the generated device tree there and end the run (status 0). */
    public Path dumpDtb;
    /** {@code -global DRIVER.PROP=VALUE}, each normalized to that form, in order (the last one wins). */
    public final List<String> globals = new ArrayList<>();
    /** {@code -blockdev} specifications, raw (key=value or JSON), parsed by the block layer. */
    public final List<String> blockdevs = new ArrayList<>();
    /** {@code -rtc}: the RTC's wall-clock time (ns since the epoch) at guest time 0, and what clock it follows. */
    public RtcOptions rtc = RtcOptions.hostUtc();

    /** {@code -no-shutdown}: a guest poweroff stops the guest; the process stays until quit or killed. */
    public boolean noShutdown;
    /** Every {@code -chardev} backend, also those no device uses (a pty, a listening socket): closed at exit. */
    public final List<CharBackend> chardevs = new ArrayList<>();
    /** {@code -S}: start with the CPUs stopped ({@code prelaunch}) until a monitor's {@code cont}. */
    public boolean startPaused;
    /** {@code -name}: the VM's name for the monitors ({@code query-name}, {@code info name}); null: none. */
    public String name;
    /** {@code -incoming URI} (or {@code defer}): wait in inmigrate for a live migration's state, or null. */
    public String incoming;
    /** {@code -netdev}, {@code -nic} and {@code -net} specifications, raw option strings in order (parsed by
     *  the network layer, {@code dev.jemu.devices.net.NetDevices}). */
    public final List<String> netdevs = new ArrayList<>(), nics = new ArrayList<>(), nets = new ArrayList<>();
    /** The board's own {@code -M name,key=value} properties (those no flag stands for, e.g. aarch64's
     *  {@code gic-version}), already checked against the board's {@code properties()}. */
    public final java.util.Map<String, String> boardProperties = new java.util.LinkedHashMap<>();
    /** The accelerator ({@code -accel}, {@code -enable-kvm}, {@code -M ...,accel=}): "tcg" (jemu's interpreter,
     *  the default) or "kvm" (the host CPU through /dev/kvm; only x86_64 boards accept it). */
    public String accel = "tcg";
    /** {@code -accel tcg,thread=single|multi}: true = one host thread per CPU (MTTCG), false = one thread runs
     *  them all in turn; null = not given (the board's default). */
    public Boolean tcgMultiThread;
}
