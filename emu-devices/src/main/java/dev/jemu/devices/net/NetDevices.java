package dev.jemu.devices.net;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.DeviceInfo;
import dev.jemu.core.machine.DeviceProperties;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.PropertyInfo;
import dev.jemu.devices.QemuOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network part of the command line, as QEMU 7.2 spells it: {@code -netdev TYPE,id=ID,...} with
 * {@code -device virtio-net-device,netdev=ID[,mac=]}, the short {@code -nic TYPE[,model=][,mac=],...} (one NIC
 * and its netdev), the legacy {@code -net nic[,model=][,macaddr=]} / {@code -net TYPE,...} on hub 0,
 * {@code -nic none}, and {@code -object filter-dump}. Every backend is opened here (a bad option, a busy port, a
 * refused tap fails before the machine starts); {@link #close} closes them all after an error.
 * <p>
 * QEMU 7.2's riscv64 virt board creates no NIC for {@code -nic} or {@code -net nic} (it warns that the NIC "was
 * not created") and adds an unconnected {@code -net user} when no network option is given; jemu makes a
 * virtio-net-device (virtio-mmio) for each {@code -nic} / {@code -net nic} instead, since that is what their
 * users mean, and adds nothing by default (the guest sees no NIC either way).
 */
public final class NetDevices implements AutoCloseable {
    public static final String MODEL = "virtio-net-device";
    public static final DeviceInfo VIRTIO_NET_DEVICE = new DeviceInfo(MODEL, "virtio-bus", DeviceInfo.Category.NETWORK,
            null, List.of(new PropertyInfo("host_mtu", "uint16", null, "0"),
                    new PropertyInfo("mac", "str", "Ethernet 6-byte MAC Address, example: 52:54:00:12:34:56", null),
                    new PropertyInfo("mrg_rxbuf", "bool", "on/off", "true"),
                    new PropertyInfo("netdev", "str", "ID of a netdev to use as a backend", null)));

    /** One NIC to create. */
    public record Nic(String name, MacAddress mac, int mtu, boolean mergeable, NetBackend backend) {
    }

    private final Map<String, NetBackend> netdevs = new LinkedHashMap<>();
    private final Map<String, String> usedBy = new LinkedHashMap<>();
    private final List<NetBackend> owned = new ArrayList<>();
    private final List<Nic> shortNics = new ArrayList<>();
    private int defaultMacs;
    private int anonymous;
    private int nicNames;

    private NetDevices() {
    }

    /** Parses and opens every {@code -netdev}, {@code -nic}, {@code -net} and {@code filter-dump}. */
    public static NetDevices resolve(MachineConfig config) throws ConfigException {
        NetDevices n = new NetDevices();
        try {
            n.parse(config);
        } catch (ConfigException | RuntimeException e) {
            n.close();
            throw e;
        }
        return n;
    }

    private void parse(MachineConfig config) throws ConfigException {
        for (String spec : config.netdevs) {
            Map<String, String> p = QemuOptions.parse("-netdev", spec, "type", "Parameter 'type' is missing");
            String type = p.remove("type");
            String id = p.remove("id");
            if (id == null) {
                throw new ConfigException("-netdev " + spec + ": Parameter 'id' is missing");
            }
            if (netdevs.containsKey(id)) {
                throw new ConfigException("-netdev " + spec + ": Duplicate ID '" + id + "' for netdev");
            }
            add(id, Netdevs.open("-netdev " + spec, type, id, p));
        }
        // -nic: a netdev and its NIC in one option; -nic none: no network at all
        List<String[]> nicOptions = new ArrayList<>();
        for (String spec : config.nics) {
            Map<String, String> p = QemuOptions.parse("-nic", spec, "type", "Parameter 'type' is missing");
            String type = p.remove("type");
            if (type.equals("none")) {
                continue;
            }
            String model = p.remove("model");
            String mac = p.remove("mac");
            checkModel(model);
            String id = p.containsKey("id") ? p.remove("id") : "#net" + anonymous++;
            if (netdevs.containsKey(id)) {
                throw new ConfigException("-nic " + spec + ": Duplicate ID '" + id + "' for netdev");
            }
            add(id, Netdevs.open("-nic " + spec, type, id, p));
            usedBy.put(id, spec);
            nicOptions.add(new String[] {spec, mac, id});
        }
        for (String spec : config.objects) { // before the NICs take their netdevs: a dump wraps one
            Map<String, String> p = QemuOptions.parse("-object", spec, "qom-type", "Parameter 'qom-type' is missing");
            if ("filter-dump".equals(p.get("qom-type"))) {
                dump(spec, p);
            }
        }
        for (String[] n : nicOptions) {
            shortNics.add(new Nic(nicName(), mac(n[1], "-nic " + n[0], "mac"), 0, true, netdevs.get(n[2])));
        }
        // -net: everything joins hub 0
        Hub hub = null;
        List<String[]> legacyNics = new ArrayList<>();
        for (String spec : config.nets) {
            Map<String, String> p = QemuOptions.parse("-net", spec, "type", "Parameter 'type' is missing");
            String type = p.remove("type");
            if (type.equals("none")) {
                continue;
            }
            if (type.equals("nic")) {
                String model = p.remove("model"), mac = p.remove("macaddr"), netdev = p.remove("netdev");
                p.remove("name");
                p.remove("id");
                if (!p.isEmpty()) {
                    throw new ConfigException("-net " + spec + ": Invalid parameter '" + p.keySet().iterator().next() + "'");
                }
                checkModel(model);
                legacyNics.add(new String[] {spec, mac, netdev});
                continue;
            }
            String name = p.remove("name");
            p.remove("id");
            String id = name != null ? name : "#net" + anonymous++;
            if (hub == null) {
                hub = new Hub();
            }
            NetBackend b = Netdevs.open("-net " + spec, type, id, p);
            owned.add(b);
            hub.addBackend(b);
        }
        for (String[] n : legacyNics) {
            NetBackend b;
            if (n[2] != null) {
                b = claim(n[2], "-net " + n[0], "netdev");
            } else {
                if (hub == null) {
                    hub = new Hub();
                }
                b = hub.nicPort(nicName());
            }
            shortNics.add(new Nic(nicName(), mac(n[1], "-net " + n[0], "macaddr"), 0, true, b));
        }
        if (hub != null && hub.nicCount() == 0 && !hub.backends().isEmpty()) {
            System.err.println("jemu: warning: hub 0 with no nics");
        } else if (hub != null && hub.backends().isEmpty()) {
            System.err.println("jemu: warning: hub 0 is not connected to host network");
        }
    }

    private void checkModel(String model) throws ConfigException {
        if (model != null && !model.equals(MODEL)) {
            throw new ConfigException(model.equals("help") ? "Supported NIC models:\n" + MODEL
                    : "Unsupported NIC model: " + model);
        }
    }

    private String nicName() {
        return MODEL + "." + nicNames++;
    }

    private MacAddress mac(String value, String opt, String prop) throws ConfigException {
        if (value == null) {
            return MacAddress.qemuDefault(defaultMacs++);
        }
        return MacAddress.parse(value, opt + ": Property '" + MODEL + "." + prop + "' doesn't take value '" + value + "'");
    }

    private NetBackend add(String id, NetBackend b) {
        owned.add(b);
        netdevs.put(id, b);
        return b;
    }

    /** The netdev a NIC names, which must exist and not be taken by another NIC. */
    private NetBackend claim(String id, String opt, String prop) throws ConfigException {
        NetBackend b = netdevs.get(id);
        if (b == null) {
            throw new ConfigException(opt + ": Property '" + MODEL + "." + prop + "' can't find value '" + id + "'");
        }
        if (usedBy.putIfAbsent(id, opt) != null) {
            throw new ConfigException(opt + ": Property '" + MODEL + "." + prop + "' can't take value '" + id
                    + "', it's in use");
        }
        return b;
    }

    /** {@code -device virtio-net-device,...}: properties are checked against {@link #VIRTIO_NET_DEVICE}. */
    public Nic device(String spec, String id, Map<String, String> given, List<String> globals) throws ConfigException {
        Map<String, String> p = DeviceProperties.apply(VIRTIO_NET_DEVICE, globals, given, spec);
        String opt = "-device " + spec;
        String netdev = p.remove("netdev");
        NetBackend b = netdev == null ? new Unplugged() : claim(netdev, opt, "netdev");
        int mtu = 0;
        String v = p.remove("host_mtu");
        if (v != null) {
            try {
                mtu = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                mtu = -1;
            }
            if (mtu < 68 || mtu > 65535) { // QEMU: ETH_MIN_MTU..VIRTIO_NET_MAX_MTU
                throw new ConfigException(opt + ": Invalid host_mtu " + v);
            }
        }
        String mrg = p.remove("mrg_rxbuf");
        boolean mergeable = mrg == null || mrg.equals("on") || mrg.equals("true") || mrg.equals("yes");
        return new Nic(id != null ? id : nicName(), mac(p.remove("mac"), opt, "mac"), mtu, mergeable, b);
    }

    /** The NICs of {@code -nic} and {@code -net nic}, in command-line order (after the {@code -device} ones). */
    public List<Nic> shortNics() {
        return shortNics;
    }

    /** After the NICs are planned: a netdev no NIC uses is closed, with QEMU's warning. */
    public void finish() {
        for (Map.Entry<String, NetBackend> e : netdevs.entrySet()) {
            if (!usedBy.containsKey(e.getKey())) {
                System.err.println("jemu: warning: netdev " + e.getKey() + " has no peer");
                e.getValue().close();
                owned.remove(e.getValue());
            }
        }
    }

    private void dump(String spec, Map<String, String> p) throws ConfigException {
        String opt = "-object " + spec;
        p.remove("qom-type");
        String id = p.remove("id"), netdev = p.remove("netdev"), file = p.remove("file");
        String maxlen = p.remove("maxlen"), queue = p.remove("queue");
        p.remove("status");
        p.remove("position");
        p.remove("insert");
        if (!p.isEmpty()) {
            throw new ConfigException(opt + ": Property '" + p.keySet().iterator().next() + "' not found");
        }
        if (id == null) {
            throw new ConfigException(opt + ": Parameter 'id' is missing");
        }
        if (netdev == null) {
            throw new ConfigException(opt + ": Parameter 'netdev' expects a network backend id");
        }
        if (file == null) {
            throw new ConfigException(opt + ": dump filter needs 'file' property set!");
        }
        NetBackend inner = netdevs.get(netdev);
        if (inner == null) {
            throw new ConfigException(opt + ": Property 'netdev' can't find value '" + netdev + "'");
        }
        int max = PcapDump.DEFAULT_MAXLEN;
        if (maxlen != null) {
            try {
                max = Integer.parseInt(maxlen);
            } catch (NumberFormatException e) {
                max = 0;
            }
            if (max <= 0) {
                throw new ConfigException(opt + ": Parameter 'maxlen' expects uint32");
            }
        }
        boolean toNetdev = true, fromNetdev = true;
        if (queue != null) {
            switch (queue) {
                case "all" -> { }
                case "rx" -> fromNetdev = false; // what is sent to the netdev (the guest's frames)
                case "tx" -> toNetdev = false;   // what the netdev sends (frames for the guest)
                default -> throw new ConfigException(opt + ": Parameter 'queue' does not accept value '" + queue + "'");
            }
        }
        PcapDump d = new PcapDump(id, inner, Path.of(file), max, toNetdev, fromNetdev, opt);
        owned.remove(inner);
        owned.add(d);
        netdevs.put(netdev, d);
    }

    @Override
    public void close() {
        for (NetBackend b : owned) {
            try {
                b.close();
            } catch (RuntimeException e) {
                // already failing
            }
        }
        owned.clear();
    }

    /** A NIC without a netdev ({@code -device virtio-net-device} alone): its frames go nowhere, as in QEMU. */
    static final class Unplugged implements NetBackend {
        @Override
        public String id() {
            return "";
        }

        @Override
        public String describe() {
            return null;
        }

        @Override
        public void start(FrameSink toGuest) {
        }

        @Override
        public void send(java.nio.ByteBuffer frame) {
        }

        @Override
        public void close() {
        }
    }
}
