package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * virtio-net with the kit's Debian kernel, two VMs at a time (booted in parallel): a socket link between two
 * jemu VMs (one leases the other its address with busybox udhcpd, udhcpc and the kit's default script configure
 * it; ping both ways, a file through nc with matching checksums, the link captured by filter-dump and read back
 * by tcpdump, with the guest's wget from busybox httpd in the other VM seen as its GET); a jemu VM and a
 * QEMU 7.2 VM on one link (ping both ways, then a file through nc each way with matching checksums); a multicast
 * link between two jemu VMs spelled both ways (socket,mcast= and 7.2's dgram), one of which also has a tap NIC
 * that the host pings.
 * Markers are computed by the guest shell ({@code $((6*7))}) so the echo of the typed text never matches them.
 */
@Tag("boot")
class RiscvNetBootTest {
    private static final String ARCH = "riscv64";
    private static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("jemu.net.timeout", 240));
    /** One thread per VM: the common pool may have a single thread on a 2-core host, which would run them in turn. */
    private static final java.util.concurrent.Executor VMS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vm");
        t.setDaemon(true);
        return t;
    });

    @TempDir
    Path tmp;

    @BeforeEach
    void needBoard() {
        Kit.requireBoard(ARCH, "virt");
    }

    /**
     * The kit booted to its shell, through OpenSBI (the kit's fw_jump.bin) as under QEMU. (The built-in SBI sets
     * scounteren as OpenSBI does, so busybox ping works there too: RiscvUserNetBootTest boots without -bios.)
     */
    private static List<String> vm(String... extra) {
        List<String> a = new ArrayList<>(List.of("-M", "virt", "-m", "256M", "-nographic", "-no-reboot",
                "-bios", Kit.file(ARCH, "fw_jump.bin").toString(),
                "-kernel", Kit.file(ARCH, "Image").toString(), "-initrd", Kit.file(ARCH, "initrd.cpio.gz").toString(),
                "-append", "console=ttyS0 jemu.shell quiet"));
        a.addAll(List.of(extra));
        return a;
    }

    private static CompletableFuture<JemuProcess.Result> jemu(List<String> args, List<JemuProcess.Step> steps) {
        return start(JemuProcess.command(args.toArray(String[]::new)), steps);
    }

    private static CompletableFuture<JemuProcess.Result> qemu(List<String> args, List<JemuProcess.Step> steps) {
        List<String> cmd = new ArrayList<>(List.of("qemu-system-riscv64"));
        cmd.addAll(args);
        return start(cmd, steps);
    }

    /** Runs {@code cmd} on its own thread, typing {@code steps}. */
    private static CompletableFuture<JemuProcess.Result> start(List<String> cmd, List<JemuProcess.Step> steps) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return JemuProcess.runCommand(cmd, TIMEOUT, steps);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, VMS);
    }

    /** Configures the NIC with MAC {@code mac} as {@code ip}/24 (the interface found by its address). */
    private static String up(String mac, String ip) {
        return "for d in /sys/class/net/eth*; do [ $(cat $d/address) = " + mac + " ] && N=${d##*/}; done; "
                + "ip addr add " + ip + "/24 dev $N; ip link set $N up; echo IF=$N";
    }

    /** busybox udhcpd on 10.0.9.1 leasing its one address, 10.0.9.2, with a router and a DNS server. */
    private static final String DHCP_SERVER = "mkdir -p /var/lib/misc; touch /var/lib/misc/udhcpd.leases; "
            + "printf 'start 10.0.9.2\\nend 10.0.9.2\\ninterface '$N'\\nopt router 10.0.9.1\\nopt subnet 255.255.255.0\\n"
            + "opt dns 10.0.9.1\\n' > /tmp/u.conf; udhcpd /tmp/u.conf";

    /** The NIC with MAC {@code mac} configured by udhcpc and the kit's default script (it retries until the
     *  server's VM is up). */
    private static String dhcp(String mac) {
        return "for d in /sys/class/net/eth*; do [ $(cat $d/address) = " + mac + " ] && N=${d##*/}; done; "
                + "udhcpc -i $N -t 60 -T 2 -n -q; echo DHCP=$(ip -4 addr show $N | grep -o '10[.0-9]*/24') "
                + "ROUTE=$(ip route | grep -c '^default via 10.0.9.1') DNS=$(cat /etc/resolv.conf)";
    }

    /** Pings {@code ip} until it answers (the peer may still be booting), then three more that must all come back. */
    private static String ping(String ip, String marker) {
        return "for i in $(seq 120); do ping -c 1 -W 1 " + ip + " >/dev/null 2>&1 && break; done; "
                + "ping -c 3 " + ip + " | grep -q ' 0% packet loss' && echo " + marker + "-$((6*7))";
    }

    /** busybox httpd on port 8080 serving /tmp/www/w, 100000 random bytes whose checksum it prints as SERVED=. */
    private static final String HTTPD = "mkdir -p /tmp/www; head -c 100000 /dev/urandom > /tmp/www/w; "
            + "echo SERVED=$(sha256sum /tmp/www/w | cut -c1-64); httpd -p 8080 -h /tmp/www";

    /** Sends /tmp/f, {@code bytes} random bytes, to {@code ip}:{@code port} with nc (retried until the peer listens),
     *  printing its checksum as {@code key}=. */
    private static String send(int bytes, String key, String ip, int port) {
        return "head -c " + bytes + " /dev/urandom > /tmp/f; echo " + key + "=$(sha256sum /tmp/f | cut -c1-64); "
                + "for i in $(seq 60); do nc -w 3 " + ip + " " + port + " < /tmp/f && break; sleep 1; done";
    }

    /** Receives a file on {@code port} with nc into /tmp/r, printing its checksum as {@code key}= and its size. */
    private static String receive(String key, int port) {
        return "nc -l -p " + port + " > /tmp/r; echo " + key + "=$(sha256sum /tmp/r | cut -c1-64) "
                + key + "SIZE=$(wc -c < /tmp/r)";
    }


    private static void assertBooted(JemuProcess.Result r) {
        assertFalse(r.timedOut(), r::describe);
        assertFalse(r.out().contains("jemu: insmod"), r::describe);
        assertFalse(r.out().contains("NETDEV WATCHDOG"), "a transmit queue stalled: " + r.describe());
    }

    private static String value(String out, String key) {
        Matcher m = Pattern.compile(key + "=([0-9a-f]{64})").matcher(out);
        return m.find() ? m.group(1) : "(no " + key + ")";
    }

    @Test
    void socketLinkBetweenTwoJemuVms() throws Exception {
        int port = MonitorVm.freePort();
        Path pcap = tmp.resolve("a.pcap");
        String macA = "52:54:00:00:01:01", macB = "52:54:00:00:01:02";
        List<JemuProcess.Step> a = List.of(
                new JemuProcess.Step("Enter 'help'", up(macA, "10.0.9.1") + "; " + DHCP_SERVER + "; " + HTTPD
                        + "; echo SRV-$((6*7))\n"),
                new JemuProcess.Step("SRV-42", ping("10.0.9.2", "PING-A-OK") + "\n"),
                new JemuProcess.Step("PING-A-OK-42", "nc -l -p 5000 > /tmp/r; echo RECV=$(sha256sum /tmp/r | cut -c1-64) "
                        + "SIZE=$(wc -c < /tmp/r); poweroff -f\n"));
        List<JemuProcess.Step> b = List.of(
                new JemuProcess.Step("Enter 'help'", dhcp(macB) + "; echo DHCP-END-$((6*7))\n"),
                new JemuProcess.Step("DHCP-END-42", ping("10.0.9.1", "PING-B-OK") + "\n"),
                new JemuProcess.Step("PING-B-OK-42", "for i in 1 2 3 4 5; do wget -q -O /tmp/g "
                        + "http://10.0.9.1:8080/w && break; sleep 1; done; echo GOT=$(sha256sum /tmp/g | cut -c1-64); "
                        + "head -c 300000 /dev/urandom > /tmp/f; echo SENT=$(sha256sum /tmp/f | cut -c1-64); "
                        + "for i in $(seq 30); do nc -w 3 10.0.9.1 5000 < /tmp/f && break; sleep 1; done; echo NC-DONE-$((6*7)); poweroff -f\n"));
        var va = jemu(vm("-netdev", "socket,id=n0,listen=127.0.0.1:" + port, "-device", "virtio-net-device,netdev=n0,mac=" + macA,
                "-object", "filter-dump,id=f0,netdev=n0,file=" + pcap), a);
        waitForPort(port);
        var vb = jemu(vm("-nic", "socket,connect=127.0.0.1:" + port + ",model=virtio-net-device,mac=" + macB), b);
        JemuProcess.Result ra = va.get(), rb = vb.get();
        assertBooted(ra);
        assertBooted(rb);
        assertTrue(ra.out().contains("PING-A-OK-42"), ra::describe);
        assertTrue(rb.out().contains("DHCP=10.0.9.2/24 ROUTE=1 DNS=nameserver 10.0.9.1"),
                "udhcpc and the kit's default script configured the NIC: " + rb.describe());
        assertTrue(rb.out().contains("PING-B-OK-42"), rb::describe);
        assertTrue(rb.out().contains("NC-DONE-42"), rb::describe);
        String sent = value(rb.out(), "SENT");
        assertFalse(sent.startsWith("(no"), rb::describe);
        assertEquals(sent, value(ra.out(), "RECV"), "the file crossed the link intact: " + ra.describe());
        assertTrue(ra.out().contains("SIZE=300000"), ra::describe);
        String served = value(ra.out(), "SERVED");
        assertFalse(served.startsWith("(no"), ra::describe);
        assertEquals(served, value(rb.out(), "GOT"), "wget fetched the file from httpd intact: " + rb.describe());
        assertEquals(0, ra.status(), ra::describe);
        assertEquals(0, rb.status(), rb::describe);
        System.out.printf("socket link, two jemu VMs: %d ms / %d ms%n", ra.elapsed().toMillis(), rb.elapsed().toMillis());

        // the capture: tcpdump reads it and sees the echo both ways
        assumeTrue(hasCommand("tcpdump"), "tcpdump not installed: the pcap is not read back");
        Process p = new ProcessBuilder("tcpdump", "-n", "-r", pcap.toString(), "icmp").redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, dump);
        assertTrue(dump.contains("10.0.9.1 > 10.0.9.2: ICMP echo request"), dump);
        assertTrue(dump.contains("10.0.9.2 > 10.0.9.1: ICMP echo reply"), dump);
        assertTrue(dump.contains("10.0.9.2 > 10.0.9.1: ICMP echo request"), dump);
        // and the wget: its GET to httpd and httpd's answer, in ASCII
        Process h = new ProcessBuilder("tcpdump", "-n", "-A", "-r", pcap.toString(), "tcp port 8080")
                .redirectErrorStream(true).start();
        String http = new String(h.getInputStream().readAllBytes());
        assertTrue(h.waitFor(30, TimeUnit.SECONDS) && h.exitValue() == 0, http);
        assertTrue(http.contains("10.0.9.2.") && http.contains("> 10.0.9.1.8080: Flags [S]"), "the SYN to httpd: " + http);
        assertTrue(http.contains("GET /w HTTP/1."), "the wget's request: " + http);
        assertTrue(http.contains(" 200 OK"), "httpd's answer: " + http);
    }

    @Test
    void jemuAndQemuShareOneLink() throws Exception {
        assumeTrue(hasCommand("qemu-system-riscv64"), "qemu-system-riscv64 not installed");
        int port = MonitorVm.freePort();
        String macQ = "52:54:00:00:02:01", macJ = "52:54:00:00:02:02";
        List<JemuProcess.Step> q = List.of(
                new JemuProcess.Step("Enter 'help'", up(macQ, "10.0.8.1") + "; " + ping("10.0.8.2", "PING-Q-OK") + "\n"),
                // jemu -> QEMU first, then QEMU -> jemu
                new JemuProcess.Step("PING-Q-OK-42", receive("QRECV", 5001) + "; " + send(200000, "QSENT", "10.0.8.2", 5002)
                        + "; echo Q-NC-DONE-$((6*7)); sleep 5; poweroff -f\n"));
        List<JemuProcess.Step> j = List.of(
                new JemuProcess.Step("Enter 'help'", up(macJ, "10.0.8.2") + "; " + ping("10.0.8.1", "PING-J-OK") + "\n"),
                new JemuProcess.Step("PING-J-OK-42", send(200000, "JSENT", "10.0.8.1", 5001) + "; " + receive("JRECV", 5002)
                        + "; echo J-NC-DONE-$((6*7)); poweroff -f\n"));
        // QEMU listens with 7.2's stream spelling, jemu connects with the socket one: the same wire
        var vq = qemu(vm("-netdev", "stream,id=n0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=" + port,
                "-device", "virtio-net-device,netdev=n0,mac=" + macQ), q);
        waitForPort(port);
        var vj = jemu(vm("-netdev", "socket,id=n0,connect=127.0.0.1:" + port,
                "-device", "virtio-net-device,netdev=n0,mac=" + macJ), j);
        JemuProcess.Result rq = vq.get(), rj = vj.get();
        assertBooted(rj);
        assertFalse(rq.timedOut(), rq::describe);
        assertTrue(rq.out().contains("PING-Q-OK-42"), "QEMU pings jemu: " + rq.describe());
        assertTrue(rj.out().contains("PING-J-OK-42"), "jemu pings QEMU: " + rj.describe());
        String jSent = value(rj.out(), "JSENT"), qSent = value(rq.out(), "QSENT");
        assertFalse(jSent.startsWith("(no"), rj::describe);
        assertFalse(qSent.startsWith("(no"), rq::describe);
        assertEquals(jSent, value(rq.out(), "QRECV"), "a file from jemu to QEMU with nc: " + rq.describe());
        assertTrue(rq.out().contains("QRECVSIZE=200000"), rq::describe);
        assertEquals(qSent, value(rj.out(), "JRECV"), "a file from QEMU to jemu with nc: " + rj.describe());
        assertTrue(rj.out().contains("JRECVSIZE=200000"), rj::describe);
        assertTrue(rq.out().contains("Q-NC-DONE-42"), rq::describe);
        assertTrue(rj.out().contains("J-NC-DONE-42"), rj::describe);
        assertEquals(0, rj.status(), rj::describe);
        System.out.printf("jemu + QEMU link: %d ms / %d ms%n", rj.elapsed().toMillis(), rq.elapsed().toMillis());
    }

    @Test
    void multicastLinkAndTap() throws Exception {
        // C's tap comes up while D starts: D once joined the group on that tap (it listed first) and C's pings went
        // unanswered on loaded machines; both now join where the kernel routes the group (NetBackendsTest has the race)
        String group = "230.0.9.1";
        int port = MonitorVm.freePort();
        String macC = "52:54:00:00:03:01", macD = "52:54:00:00:03:02", macT = "52:54:00:00:03:05";
        boolean tap = Files.exists(Path.of("/dev/net/tun")) && "root".equals(System.getProperty("user.name"));
        String ifname = "jemutap" + (ProcessHandle.current().pid() % 10000);
        Path ifup = tmp.resolve("ifup");
        Files.writeString(ifup, "#!/bin/sh\nip addr add 10.0.77.1/24 dev \"$1\" && ip link set \"$1\" up\n");
        Files.setPosixFilePermissions(ifup, PosixFilePermissions.fromString("rwx------"));
        String tapPart = tap ? "; " + up(macT, "10.0.77.2") + "; " + ping("10.0.77.1", "TAP-OK") + "; sleep 6" : "";
        List<JemuProcess.Step> c = List.of(new JemuProcess.Step("Enter 'help'", up(macC, "10.0.7.1") + "; "
                + ping("10.0.7.2", "MCAST-C-OK") + tapPart + "; poweroff -f\n"));
        List<JemuProcess.Step> d = List.of(new JemuProcess.Step("Enter 'help'", up(macD, "10.0.7.2") + "; "
                + ping("10.0.7.1", "MCAST-D-OK") + "; sleep 15; poweroff -f\n")); // C may start its pings late: stay up
        List<String> argsC = new ArrayList<>(List.of("-netdev", "socket,id=m0,mcast=" + group + ":" + port,
                "-device", "virtio-net-device,netdev=m0,mac=" + macC));
        if (tap) {
            argsC.addAll(List.of("-netdev", "tap,id=t0,ifname=" + ifname + ",script=" + ifup + ",downscript=no",
                    "-device", "virtio-net-device,netdev=t0,mac=" + macT));
        }
        var vc = jemu(vm(argsC.toArray(String[]::new)), c);
        if (tap) { // D starts after C's tap is up: the order that once split the group between the tap and eth0
            long end = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(Path.of("/sys/class/net", ifname)) && System.nanoTime() < end && !vc.isDone()) {
                Thread.sleep(50);
            }
        }
        var vd = jemu(vm("-netdev", "dgram,id=m0,remote.type=inet,remote.host=" + group + ",remote.port=" + port,
                "-device", "virtio-net-device,netdev=m0,mac=" + macD), d);
        // the host pings the guest through the tap once the guest has its address
        CompletableFuture<String> hostPing = !tap ? CompletableFuture.completedFuture("") : CompletableFuture.supplyAsync(() -> {
            try {
                long end = System.nanoTime() + TIMEOUT.toNanos();
                while (System.nanoTime() < end && !vc.isDone()) {
                    Process p = new ProcessBuilder("ping", "-c", "1", "-W", "1", "10.0.77.2").redirectErrorStream(true).start();
                    p.getInputStream().readAllBytes();
                    if (p.waitFor() == 0) {
                        Process three = new ProcessBuilder("ping", "-c", "3", "-i", "0.3", "10.0.77.2")
                                .redirectErrorStream(true).start();
                        String out = new String(three.getInputStream().readAllBytes());
                        three.waitFor();
                        return out;
                    }
                    Thread.sleep(500);
                }
                return "(the guest never answered)";
            } catch (Exception e) {
                return e.toString();
            }
        }, VMS);
        JemuProcess.Result rc = vc.get(), rd = vd.get();
        assertBooted(rc);
        assertBooted(rd);
        assertTrue(rc.out().contains("MCAST-C-OK-42"), rc::describe);
        assertTrue(rd.out().contains("MCAST-D-OK-42"), rd::describe);
        System.out.printf("multicast link (+tap): %d ms / %d ms%n", rc.elapsed().toMillis(), rd.elapsed().toMillis());
        assumeTrue(tap, "no /dev/net/tun or not root: the tap part was not run");
        assertTrue(rc.out().contains("TAP-OK-42"), "the guest pings the host through the tap: " + rc.describe());
        String hp = hostPing.get();
        assertTrue(hp.contains("3 packets transmitted, 3 received"), "the host pings the guest: " + hp);
        assertFalse(Files.exists(Path.of("/sys/class/net", ifname)), "the tap interface went away with jemu");
    }

    private static void waitForPort(int port) throws Exception {
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                return; // listening (this probe is the listener's first peer; it closes at once)
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing listens on port " + port + " after 60 s");
    }

    private static boolean hasCommand(String c) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, c))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", c));
    }
}
