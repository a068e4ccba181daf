package dev.jemu.devices.virtio;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.DeviceInfo;
import dev.jemu.core.machine.DeviceProperties;
import dev.jemu.core.machine.PropertyInfo;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.devices.QemuOptions;
import dev.jemu.devices.net.NetDevices;
import dev.jemu.devices.virtio.net.VirtioNet;
import dev.jemu.devices.virtio.p9.LocalFs;
import dev.jemu.devices.virtio.p9.P9Server;
import dev.jemu.devices.virtio.p9.SecurityModel;
import dev.jemu.devices.virtio.p9.Virtio9p;
import dev.jemu.devices.virtio.rng.RngBackend;
import dev.jemu.devices.virtio.rng.RngBuiltin;
import dev.jemu.devices.virtio.rng.RngRandom;
import dev.jemu.devices.virtio.rng.VirtioRng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The virtio devices that share a host resource, from QEMU's options: {@code -object rng-random|rng-builtin}
 * with {@code -device virtio-rng-device}, and {@code -fsdev local} with {@code -device virtio-9p-device} or
 * the short {@code -virtfs local,...}. Everything is checked and every backend opened here, so a bad option
 * or a missing path fails with one line before the machine starts. Devices come in command-line order:
 * the {@code -device}s, then the {@code -virtfs} ones.
 */
public final class HostVirtioDevices {
    public static final String RNG = "virtio-rng-device", NINE_P = "virtio-9p-device";
    /** The {@code -device} models handled here (the block layer takes virtio-blk-device). */
    public static final Set<String> MODELS = Set.of(RNG, NINE_P, NetDevices.MODEL);
    /** What {@code -device help} lists and the {@code -device}/{@code -global} parsers accept, as QEMU 7.2 names them. */
    public static final DeviceInfo RNG_DEVICE = new DeviceInfo(RNG, "virtio-bus", DeviceInfo.Category.MISC, null,
            List.of(new PropertyInfo("max-bytes", "uint64", null, String.valueOf(Long.MAX_VALUE)),
                    new PropertyInfo("period", "uint32", null, String.valueOf(VirtioRng.DEFAULT_PERIOD_MS)),
                    new PropertyInfo("rng", "link<rng-backend>", null, null)));
    public static final DeviceInfo NINE_P_DEVICE = new DeviceInfo(NINE_P, "virtio-bus", DeviceInfo.Category.STORAGE,
            null, List.of(new PropertyInfo("fsdev", "str", null, null),
                    new PropertyInfo("mount_tag", "str", null, null)));

    private HostVirtioDevices() {
    }

    private record Fsdev(String id, Path path, SecurityModel model, boolean readOnly) {
    }

    /** One device to create: a description, turned into a device by {@link #create}. */
    public sealed interface Plan {
    }

    public record Rng(RngBackend backend, long maxBytes, long periodMs) implements Plan {
    }

    public record NineP(LocalFs fs, String tag) implements Plan {
    }

    /** A virtio-net-device with its (opened) netdev. */
    public record Net(NetDevices.Nic nic) implements Plan {
    }

    /** Checks the options and opens the backends; the devices are made by {@link #create}. */
    public static List<Plan> resolve(MachineConfig config) throws ConfigException {
        Map<String, RngBackend> objects = new LinkedHashMap<>();
        List<Plan> plans = new ArrayList<>();
        NetDevices net = NetDevices.resolve(config);
        try {
            for (String spec : config.objects) {
                if (spec.startsWith("filter-dump,") || spec.contains("qom-type=filter-dump")) {
                    continue; // the network's (NetDevices)
                }
                RngBackend b = object(spec);
                if (objects.putIfAbsent(b.id(), b) != null) {
                    b.close();
                    throw new ConfigException("-object " + spec + ": Duplicate ID '" + b.id() + "' for object");
                }
            }
            Map<String, Fsdev> fsdevs = new LinkedHashMap<>();
            for (String spec : config.fsdevs) {
                Map<String, String> p = properties("-fsdev", spec, "fsdriver");
                Fsdev f = fsdev("-fsdev", spec, p, p.remove("id"));
                if (f.id() == null) {
                    throw new ConfigException("-fsdev " + spec + ": fsdev: No id specified");
                }
                if (fsdevs.putIfAbsent(f.id(), f) != null) {
                    throw new ConfigException("-fsdev " + spec + ": Duplicate ID '" + f.id() + "' for fsdev");
                }
            }
            for (String spec : config.devices) {
                Map<String, String> p = properties("-device", spec, "driver");
                String driver = p.remove("driver");
                String deviceId = p.remove("id");
                if (MODELS.contains(driver) && !driver.equals(NetDevices.MODEL)) {
                    p = DeviceProperties.apply(driver.equals(RNG) ? RNG_DEVICE : NINE_P_DEVICE, config.globals, p, spec);
                }
                if (driver.equals(NetDevices.MODEL)) {
                    plans.add(new Net(net.device(spec, deviceId, p, config.globals)));
                } else if (driver.equals(RNG)) {
                    plans.add(rng(spec, p, objects));
                } else if (driver.equals(NINE_P)) {
                    String fsdev = p.remove("fsdev"), tag = p.remove("mount_tag");
                    Fsdev f = fsdev == null ? null : fsdevs.get(fsdev);
                    if (f == null) {
                        throw new ConfigException("-device " + spec + ": 9pfs device couldn't find fsdev with the id = "
                                + (fsdev == null ? "NULL" : fsdev));
                    }
                    if (tag == null) {
                        throw new ConfigException("-device " + spec + ": fsdev with id " + fsdev
                                + " needs mount_tag arguments");
                    }
                    plans.add(nineP("-device", spec, f, tag));
                }
            }
            for (String spec : config.virtfs) {
                Map<String, String> p = properties("-virtfs", spec, "fsdriver");
                String tag = p.remove("mount_tag");
                String id = p.remove("id");
                Fsdev f = fsdev("-virtfs", spec, p, id);
                if (tag == null) {
                    throw new ConfigException("-virtfs " + spec + ": Usage: -virtfs fsdriver,mount_tag=tag");
                }
                plans.add(nineP("-virtfs", spec, f, tag));
            }
            for (NetDevices.Nic n : net.shortNics()) {
                plans.add(new Net(n));
            }
            net.finish();
        } catch (ConfigException e) {
            objects.values().forEach(RngBackend::close);
            net.close();
            throw e;
        }
        // a backend no device uses is closed now
        for (RngBackend b : objects.values()) {
            if (plans.stream().noneMatch(p -> p instanceof Rng r && r.backend() == b)) {
                b.close();
            }
        }
        return plans;
    }

    /** One line naming the device {@code plan} makes, for a snapshot's device set. */
    public static String describe(Plan plan) {
        return switch (plan) {
            case Rng r -> "virtio-rng";
            case NineP n -> "virtio-9p mount_tag=" + n.tag();
            case Net n -> "virtio-net mac=" + n.nic().mac();
        };
    }

    /** The device for {@code plan}; {@code name} names its host thread. */
    public static VirtioDevice create(Plan plan, MachineConfig config, Consumer<Runnable> machine, String name) {
        return switch (plan) {
            case Rng r -> new VirtioRng(r.backend(), r.maxBytes(), r.periodMs(), config.clock, machine, name);
            case NineP n -> new Virtio9p(new P9Server(n.fs()), n.tag(), machine, name);
            case Net n -> new VirtioNet(n.nic().name(), n.nic().mac(), n.nic().mtu(), n.nic().mergeable(),
                    n.nic().backend(), machine);
        };
    }

    private static RngBackend object(String spec) throws ConfigException {
        Map<String, String> p = properties("-object", spec, "qom-type");
        String type = p.remove("qom-type");
        String id = p.remove("id");
        if (!type.equals("rng-random") && !type.equals("rng-builtin")) {
            throw new ConfigException("-object " + spec + ": Parameter 'qom-type' does not accept value '" + type
                    + "'" + (type.startsWith("rng-") ? "" : " (jemu has rng-random and rng-builtin)"));
        }
        if (id == null) {
            throw new ConfigException("-object " + spec + ": Parameter 'id' is missing");
        }
        String file = type.equals("rng-random") ? p.remove("filename") : null;
        noMore("-object", spec, p);
        if (type.equals("rng-builtin")) {
            return new RngBuiltin(id);
        }
        return new RngRandom(id, file == null ? RngRandom.DEFAULT_FILE : file);
    }

    private static Rng rng(String spec, Map<String, String> p, Map<String, RngBackend> objects) throws ConfigException {
        String rng = p.remove("rng");
        long maxBytes = Long.MAX_VALUE, period = VirtioRng.DEFAULT_PERIOD_MS;
        String v = p.remove("max-bytes");
        if (v != null) {
            maxBytes = integer(spec, "max-bytes", v);
            if (maxBytes < 0) {
                throw new ConfigException("-device " + spec + ": 'max-bytes' parameter must be non-negative, and less"
                        + " than 2^63");
            }
        }
        v = p.remove("period");
        if (v != null) {
            period = integer(spec, "period", v);
            if (period <= 0 || period > 0xffff_ffffL) {
                throw new ConfigException("-device " + spec + ": 'period' parameter expects a positive integer");
            }
        }
        RngBackend b;
        if (rng == null) {
            b = new RngBuiltin(RNG + "-default"); // QEMU gives the device its own builtin backend
        } else {
            b = objects.get(rng);
            if (b == null) {
                throw new ConfigException("-device " + spec + ": Device '" + rng + "' not found");
            }
        }
        return new Rng(b, maxBytes, period);
    }

    private static long integer(String spec, String key, String v) throws ConfigException {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException("-device " + spec + ": Parameter '" + key + "' expects integer");
        }
    }

    private static final String MODELS_HELP = "Valid options are: security_model=[passthrough|mapped-xattr|mapped-file|none]";

    /** An fsdev from {@code local,path=,security_model=,readonly=} (removes what it reads from {@code p}). */
    private static Fsdev fsdev(String flag, String spec, Map<String, String> p, String id) throws ConfigException {
        String driver = p.remove("fsdriver");
        String path = p.remove("path"), model = p.remove("security_model"), ro = p.remove("readonly");
        p.remove("writeout"); // immediate: we never cache writes anyway
        noMore(flag, spec, p);
        if (!driver.equals("local")) {
            throw new ConfigException(flag + " " + spec + ": fsdev: fsdriver " + driver + " not found");
        }
        if (model == null) {
            throw new ConfigException(flag + " " + spec + ": security_model property not set\n" + MODELS_HELP);
        }
        SecurityModel m = SecurityModel.of(model);
        if (m == null) {
            throw new ConfigException(flag + " " + spec + ": invalid security_model property '" + model + "'\n"
                    + MODELS_HELP);
        }
        if (path == null) {
            throw new ConfigException(flag + " " + spec + ": path property not set");
        }
        boolean readOnly = false;
        if (ro != null) {
            readOnly = switch (ro) {
                case "on", "yes", "true" -> true;
                case "off", "no", "false" -> false;
                default -> throw new ConfigException(flag + " " + spec + ": Parameter 'readonly' expects 'on' or 'off'");
            };
        }
        return new Fsdev(id, Path.of(path), m, readOnly);
    }

    private static NineP nineP(String flag, String spec, Fsdev f, String tag) throws ConfigException {
        int n = tag.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (n > Virtio9p.MAX_TAG) {
            throw new ConfigException(flag + " " + spec + ": mount tag '" + tag + "' (" + n
                    + " bytes) is longer than maximum (" + Virtio9p.MAX_TAG + " bytes)");
        }
        String name = f.id() != null ? f.id() : tag;
        if (!Files.exists(f.path())) {
            throw new ConfigException(flag + " " + spec + ": cannot initialize fsdev '" + name + "': failed to open '"
                    + f.path() + "': No such file or directory");
        }
        if (!Files.isDirectory(f.path())) {
            throw new ConfigException(flag + " " + spec + ": cannot initialize fsdev '" + name + "': failed to open '"
                    + f.path() + "': Not a directory");
        }
        return new NineP(new LocalFs(f.path(), f.model(), f.readOnly()), tag);
    }

    /** An option left over in an {@code -object}/{@code -fsdev}/{@code -virtfs} ({@code -device} properties are
     *  checked against the device's table by {@link DeviceProperties}). */
    private static void noMore(String flag, String spec, Map<String, String> p) throws ConfigException {
        if (!p.isEmpty()) {
            throw new ConfigException(flag + " " + spec + ": Invalid parameter '" + p.keySet().iterator().next() + "'");
        }
    }

    private static Map<String, String> properties(String flag, String spec, String firstKey) throws ConfigException {
        return QemuOptions.parse(flag, spec, firstKey, "Parameter '" + firstKey + "' is missing");
    }
}
