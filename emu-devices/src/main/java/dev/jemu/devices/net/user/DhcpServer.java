package dev.jemu.devices.net.user;

import dev.jemu.devices.net.user.wire.Bytes;
import dev.jemu.devices.net.user.wire.Dhcp;
import dev.jemu.devices.net.user.wire.Ipv4;
import dev.jemu.devices.net.user.wire.Udp;

/**
 * The DHCP server at the host address, as libslirp's: 16 leases from {@code dhcpstart} up, one per MAC, a lease
 * time of one day; OFFER and ACK carry the subnet mask, router and DNS proxy (not under {@code restrict=on}),
 * and the hostname, domain name and search list when configured.
 */
final class DhcpServer {
    static final int LEASES = 16;
    static final int LEASE_SECONDS = 24 * 3600;
    private final UserStack stack;
    private final long[] leaseMac = new long[LEASES];

    DhcpServer(UserStack stack) {
        this.stack = stack;
    }

    void input(byte[] f, Ipv4 ip, Udp udp, long sourceMac) {
        Dhcp m = Dhcp.parse(f, udp.dataOffset(), udp.dataLength());
        if (m == null) {
            stack.counters.add("dhcp.malformed");
            return;
        }
        switch (m.messageType()) {
            case Dhcp.DISCOVER -> {
                int lease = leaseFor(m.clientMac(), true);
                if (lease < 0) {
                    stack.counters.add("dhcp.noFreeLease");
                    return;
                }
                reply(m, Dhcp.OFFER, address(lease));
            }
            case Dhcp.REQUEST -> request(m);
            case Dhcp.RELEASE, Dhcp.DECLINE, Dhcp.INFORM -> {
                // libslirp keeps the lease; nothing to answer
            }
            default -> stack.counters.add("dhcp.unknownType");
        }
    }

    private void request(Dhcp m) {
        if (m.serverId() != 0 && m.serverId() != stack.config.host()) {
            return; // the client chose another server
        }
        int wanted = m.requestedIp() != 0 ? m.requestedIp() : m.clientIp();
        int lease;
        if (wanted != 0) {
            lease = wanted - stack.config.dhcpStart();
            if (lease < 0 || lease >= LEASES || (leaseMac[lease] != 0 && leaseMac[lease] != m.clientMac())) {
                reply(m, Dhcp.NAK, 0);
                return;
            }
            leaseMac[lease] = m.clientMac();
        } else {
            lease = leaseFor(m.clientMac(), true);
            if (lease < 0) {
                reply(m, Dhcp.NAK, 0);
                return;
            }
        }
        stack.learnFromDhcp(address(lease), m.clientMac());
        reply(m, Dhcp.ACK, address(lease));
    }

    private int address(int lease) {
        return stack.config.dhcpStart() + lease;
    }

    private int leaseFor(long mac, boolean allocate) {
        for (int i = 0; i < LEASES; i++) {
            if (leaseMac[i] == mac) {
                return i;
            }
        }
        if (allocate) {
            for (int i = 0; i < LEASES; i++) {
                if (leaseMac[i] == 0) {
                    leaseMac[i] = mac;
                    return i;
                }
            }
        }
        return -1;
    }

    private void reply(Dhcp m, int type, int yourIp) {
        UserNetConfig c = stack.config;
        Dhcp.Reply r = new Dhcp.Reply(m.xid(), m.flags(), yourIp, c.host(), m.clientMac())
                .byteOption(53, type)
                .intOption(54, c.host());
        if (type != Dhcp.NAK) {
            r.intOption(51, LEASE_SECONDS).intOption(1, c.mask());
            if (!c.restrict()) {
                r.intOption(3, c.host()).intOption(6, c.dns());
            }
            if (c.hostname() != null && !c.hostname().isEmpty()) {
                r.textOption(12, c.hostname());
            }
            if (c.domainname() != null) {
                r.textOption(15, c.domainname());
            }
            if (!c.dnsSearch().isEmpty()) {
                r.option(119, DnsSearch.encode(c.dnsSearch()));
            }
        }
        byte[] payload = r.bytes();
        boolean broadcast = type == Dhcp.NAK || (m.flags() & 0x8000) != 0 || yourIp == 0;
        int dst = broadcast ? Ipv4.BROADCAST : yourIp;
        byte[] frame = Udp.frame(0, stack.hostMac, c.host(), Dhcp.SERVER_PORT, dst, Dhcp.CLIENT_PORT,
                payload, 0, payload.length, stack.nextIpId());
        // The client has no address yet: address it by the MAC it sent, whatever the IP destination.
        Bytes.put48(frame, 0, m.clientMac());
        stack.sendFrame(frame);
    }
}
