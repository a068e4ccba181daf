package dev.jemu.devices.net.user;

import dev.jemu.devices.net.user.wire.Bytes;
import dev.jemu.devices.net.user.wire.Dhcp;
import dev.jemu.devices.net.user.wire.Ipv4;
import dev.jemu.devices.net.user.wire.Udp;

/**
 * The DHCP server at the host address, as libslirp's: 16 leases from {@code dhcpstart} up, one per MAC, a lease
 * time of one day; OFFER and ACK carry the server id, subnet mask, router and DNS proxy (not under
 * {@code restrict=on}), lease time, and the hostname, domain name and search list when configured; replies go to
 * the IP broadcast address and the client's MAC; a request for an address not in the pool or taken gets a NAK.
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
                int lease = m.requestedIp() != 0 ? claim(m.requestedIp(), m.clientMac()) : -1;
                if (lease < 0) {
                    lease = leaseFor(m.clientMac(), true);
                }
                if (lease < 0) {
                    stack.counters.add("dhcp.noFreeLease");
                    return;
                }
                reply(m, Dhcp.OFFER, address(lease));
            }
            case Dhcp.REQUEST, 0 -> request(m); // a plain BOOTP request is answered as a REQUEST, as libslirp does
            default -> stack.counters.add("dhcp.ignoredType"); // RELEASE, DECLINE, INFORM: libslirp keeps quiet
        }
    }

    /** The lease of a requested address when it is in the pool and free or this client's, else -1. */
    private int claim(int ip, long mac) {
        int lease = ip - stack.config.dhcpStart();
        if (lease < 0 || lease >= LEASES || (leaseMac[lease] != 0 && leaseMac[lease] != mac)) {
            return -1;
        }
        leaseMac[lease] = mac;
        return lease;
    }

    private void request(Dhcp m) {
        if (m.serverId() != 0 && m.serverId() != stack.config.host()) {
            return; // the client chose another server
        }
        int wanted = m.requestedIp() != 0 ? m.requestedIp() : m.clientIp();
        int lease = wanted != 0 ? claim(wanted, m.clientMac()) : leaseFor(m.clientMac(), true);
        if (lease < 0) {
            reply(m, Dhcp.NAK, 0);
            return;
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
        Dhcp.Reply r = new Dhcp.Reply(m.xid(), m.flags(), yourIp, c.host(), m.clientMac()).byteOption(53, type);
        if (type == Dhcp.NAK) {
            r.textOption(56, "requested address not available");
        } else {
            // libslirp's options, in its order
            r.intOption(54, c.host()).intOption(1, c.mask());
            if (!c.restrict()) {
                r.intOption(3, c.host()).intOption(6, c.dns());
            }
            r.intOption(51, LEASE_SECONDS);
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
        int dst = Ipv4.BROADCAST; // libslirp sends every reply to the broadcast address
        byte[] frame = Udp.frame(0, stack.hostMac, c.host(), Dhcp.SERVER_PORT, dst, Dhcp.CLIENT_PORT,
                payload, 0, payload.length, stack.nextIpId());
        // The client has no address yet: address it by the MAC it sent, whatever the IP destination.
        Bytes.put48(frame, 0, m.clientMac());
        stack.sendFrame(frame);
    }
}
