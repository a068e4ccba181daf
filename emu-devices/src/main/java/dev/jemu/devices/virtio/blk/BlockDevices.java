package dev.jemu.devices.virtio.blk;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.DeviceInfo;
import dev.jemu.core.machine.DeviceProperties;
import dev.jemu.core.machine.PropertyInfo;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.devices.QemuOptions;
import dev.jemu.devices.block.Drive;
import dev.jemu.devices.block.Blockdevs;
import dev.jemu.devices.block.DriveOptions;
import dev.jemu.devices.virtio.HostVirtioDevices;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns {@code -drive} and {@code -device virtio-blk-device,drive=ID} into the list of virtio-blk disks a
 * board creates, in QEMU's order: the {@code -device} options first, then every {@code -drive if=virtio}
 * (QEMU appends the devices those imply after the explicit ones). Every image is opened here, so a bad
 * option or a missing file fails before the machine starts.
 */
public final class BlockDevices {
    /** One virtio-blk disk to create. */
    public record Disk(Drive drive, String serial) {
    }

    /** {@code -device virtio-blk-device}: the properties jemu implements, with QEMU's types and texts. */
    public static final DeviceInfo VIRTIO_BLK_DEVICE = new DeviceInfo("virtio-blk-device", "virtio-bus",
            DeviceInfo.Category.STORAGE, null, List.of(
                    new PropertyInfo("drive", "str", "Node name or ID of a block device to use as a backend", null),
                    new PropertyInfo("serial", "str", null, null)));

    private BlockDevices() {
    }

    /**
     * @param defaultIface the board's interface for a {@code -drive} without {@code if=} ("virtio")
     */
    public static List<Disk> resolve(MachineConfig config, String defaultIface) throws ConfigException {
        List<DriveOptions> drives = new ArrayList<>();
        Map<String, DriveOptions> byId = new LinkedHashMap<>();
        Map<String, Set<Integer>> units = new HashMap<>();
        List<DriveOptions> all = new ArrayList<>();
        for (String spec : config.drives) {
            all.add(DriveOptions.parse(spec));
        }
        all.addAll(Blockdevs.resolve(config.blockdevs));
        for (DriveOptions o : all) {
            String spec = o.spec();
            if (o.id() != null && byId.put(o.id(), o) != null) {
                throw new ConfigException("-drive " + spec + ": Duplicate ID '" + o.id() + "' for drive");
            }
            claimUnit(o, interfaceOf(o, defaultIface), units);
            drives.add(o);
        }
        record Wanted(DriveOptions drive, String serial) {
        }
        List<Wanted> wanted = new ArrayList<>();
        Map<String, String> used = new LinkedHashMap<>();
        for (String spec : config.devices) {
            Map<String, String> p = deviceProperties(spec);
            String driver = p.remove("driver");
            if (HostVirtioDevices.MODELS.contains(driver)) {
                continue; // rng, 9p: not disks
            }
            if (!driver.equals(VIRTIO_BLK_DEVICE.name())) {
                throw new ConfigException("-device " + spec + ": '" + driver + "' is not a valid device model name"
                        + (driver.startsWith("virtio-blk") ? " on this machine (use virtio-blk-device)"
                        : driver.startsWith("virtio-net") ? " on this machine (use virtio-net-device)" : ""));
            }
            p.remove("id");
            p = DeviceProperties.apply(VIRTIO_BLK_DEVICE, config.globals, p, spec);
            String id = p.remove("drive");
            String serial = p.remove("serial");
            if (id == null) {
                throw new ConfigException("-device " + spec + ": drive property not set");
            }
            DriveOptions d = byId.get(id);
            if (d == null) {
                throw new ConfigException("-device " + spec + ": Property 'drive' can't find value '" + id + "'");
            }
            if (used.put(id, spec) != null || isVirtio(d, defaultIface)) {
                throw new ConfigException("-device " + spec + ": Drive '" + id + "' is already in use");
            }
            wanted.add(new Wanted(d, serial));
        }
        for (DriveOptions d : drives) {
            if (isVirtio(d, defaultIface)) {
                wanted.add(new Wanted(d, null));
            }
        }
        List<Disk> disks = new ArrayList<>();
        try {
            for (Wanted w : wanted) {
                disks.add(new Disk(Drive.open(w.drive(), config.snapshot, config.incoming != null), w.serial()));
            }
        } catch (ConfigException e) {
            for (Disk d : disks) {
                try {
                    d.drive().close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
            throw e;
        }
        return disks;
    }

    private static boolean isVirtio(DriveOptions d, String defaultIface) {
        return interfaceOf(d, defaultIface).equals("virtio");
    }

    private static String interfaceOf(DriveOptions d, String defaultIface) {
        return d.iface() != null ? d.iface() : defaultIface;
    }

    /**
     * Gives the drive its unit on its interface as QEMU does, in command-line order: {@code index=N} must be
     * free, a drive without one takes the lowest free unit.
     */
    private static void claimUnit(DriveOptions d, String iface, Map<String, Set<Integer>> units) throws ConfigException {
        Set<Integer> used = units.computeIfAbsent(iface, k -> new HashSet<>());
        int unit = d.index();
        if (unit >= 0 && used.contains(unit)) {
            throw new ConfigException("-drive " + d.spec() + ": drive with bus=0, unit=" + unit + " (index=" + unit
                    + ") exists");
        }
        if (unit < 0) {
            unit = 0;
            while (used.contains(unit)) {
                unit++;
            }
        }
        used.add(unit);
    }

    /** {@code driver,key=value,...}; the first element is the device model ({@code driver=} also works). */
    static Map<String, String> deviceProperties(String spec) throws ConfigException {
        return QemuOptions.parse("-device", spec, "driver", "no device model given");
    }
}
