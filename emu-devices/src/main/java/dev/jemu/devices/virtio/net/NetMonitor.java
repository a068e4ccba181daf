package dev.jemu.devices.virtio.net;

import java.util.List;

/** The monitor's view of a board's NICs: {@code info network} in QEMU's layout and {@code set_link}. */
public final class NetMonitor {
    private NetMonitor() {
    }

    /**
     * QEMU's {@code info network}: each NIC, then its netdev indented under it
     * ({@code virtio-net-device.0: index=0,type=nic,model=virtio-net-device,macaddr=52:54:00:12:34:56} /
     * {@code  \ n0: index=0,type=socket,...}).
     */
    public static String info(List<VirtioNet> nics) {
        StringBuilder s = new StringBuilder();
        for (VirtioNet n : nics) {
            s.append(n.name()).append(": index=0,type=nic,model=virtio-net-device,macaddr=").append(n.mac());
            s.append('\n');
            String peer = n.backend().describe();
            if (peer != null) {
                s.append(" \\ ").append(peer).append('\n');
            }
        }
        return s.toString();
    }

    /** {@code set_link NAME on|off} for a NIC or its netdev (either name reaches the NIC's status bit); false: no
     *  such name. Machine thread. */
    public static boolean setLink(List<VirtioNet> nics, String name, boolean up) {
        boolean found = false;
        for (VirtioNet n : nics) {
            if (n.name().equals(name) || n.backend().id().equals(name)) {
                n.setLink(up);
                found = true;
            }
        }
        return found;
    }
}
