#!/usr/bin/env python3
"""Networking throughput and latency, jemu against QEMU 7.2, on the kit's Debian riscv64 guest.

Each round runs every chosen part under jemu, then under QEMU (alternating), with the kit's kernel, initramfs
(jemu.shell) and root.ext4 (read-only, iperf3 on it), virtio-net as `-netdev ... -device virtio-net-device`.
QEMU boots through OpenSBI fw_jump.bin; jemu through its built-in SBI (`--jemu-bios fw_jump` gives it the
same fw_jump.bin). Parts (`--parts`, comma-separated, all by default):
  user  `-netdev user`: udhcpc, `ping -c N 10.0.2.2` (RTT to the gateway), then iperf3 against an `iperf3 -s`
        this script runs on the host (reached as 10.0.2.2): guest to host, then host to guest (-R).
  http  `-netdev user,hostfwd=tcp:127.0.0.1:PORT-:8080`: busybox `httpd -p 8080` in the guest serves a
        small file; the host makes N sequential GETs (a new connection each) through the forward: requests/s.
  link  two VMs of the same emulator joined by `-netdev socket,listen=`/`connect=` (static 10.0.5.1/.2,
        each NIC found by its MAC); iperf3 -s in the listening VM, iperf3 -c in the other: Mbit/s.
Prints every run, then each figure's median [min - max] per emulator and the host's load average.

usage: net-bench.py [--parts user,http,link] [--runs 3] [--seconds 10] [--pings 20] [--requests 200]
                    [--file-bytes 1024] [--kit DIR] [--jemu CMD] [--qemu CMD] [--jemu-bios none|fw_jump]
"""
import argparse
import http.client
import os
import re
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Guest:
    """A VM with its serial console on stdin/stdout; run() types a command and waits for its end marker."""

    def __init__(self, cmd, timeout):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out = b""
        self.lock = threading.Lock()
        self.timeout = timeout
        self.n = 0
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for chunk in iter(lambda: self.p.stdout.read1(4096), b""):
            with self.lock:
                self.out += chunk

    def wait(self, text, timeout=None):
        end = time.time() + (timeout or self.timeout)
        while time.time() < end:
            with self.lock:
                i = self.out.find(text.encode())
                if i >= 0:
                    return self.out.decode(errors="replace")
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"no '{text}' from the guest; last output:\n{self.out[-2000:].decode(errors='replace')}")

    def run(self, command, timeout=None):
        self.n += 1
        mark = f"END{self.n}"
        start = len(self.out)
        self.p.stdin.write(f"{command}; echo {mark}-$((6*7))\n".encode())
        self.p.stdin.flush()
        self.wait(f"{mark}-42", timeout)
        with self.lock:
            return self.out[start:].decode(errors="replace")

    def close(self):
        try:
            self.p.stdin.write(b"poweroff -f\n")
            self.p.stdin.flush()
            self.p.wait(20)
        except Exception:
            pass
        self.p.kill()
        self.p.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mbits(text, role):
    """The summary line's rate of iperf3's `sender`/`receiver` line, in Mbit/s."""
    m = None
    for m in re.finditer(r"([0-9.]+) ([KMG]?)bits/sec.*?\b" + role + r"\b", text):
        pass
    if not m:
        return None
    return float(m.group(1)) * {"K": 1e-3, "M": 1.0, "G": 1e3, "": 1e-6}[m.group(2)]


# root.ext4 on /mnt (read-only) with what iperf3 needs under chroot.
MOUNT = ("mount -t ext4 -o ro /dev/vda /mnt && mount -t proc proc /mnt/proc && mount -t devtmpfs dev /mnt/dev "
         "&& mount -t tmpfs tmp /mnt/tmp")
DHCP = "ip link set eth0 up; udhcpc -i eth0 -t 10 -T 2 -n -q >/dev/null 2>&1; ip -4 addr show eth0 | grep inet"


def up(mac, ip):
    """Configures the NIC with MAC `mac` as ip/24, found by its address (as RiscvNetBootTest does)."""
    return (f"for d in /sys/class/net/eth*; do [ $(cat $d/address) = {mac} ] && N=${{d##*/}}; done; "
            f"ip addr add {ip}/24 dev $N; ip link set $N up; echo IF=$N")


def one(cmd, port, a):
    """Part `user`: ping RTT to the gateway and iperf3 both ways against the host."""
    g = Guest(cmd, a.timeout)
    try:
        g.wait("Enter 'help'")
        t0 = time.time()
        r = {}
        g.run(MOUNT + "; " + DHCP)
        out = g.run(f"ping -c {a.pings} -i 0.2 10.0.2.2 | tail -1")
        m = re.search(r"= [0-9.]+/([0-9.]+)/[0-9.]+ ms", out)
        r["ping ms"] = float(m.group(1)) if m else None
        for name, flag in (("guest->host Mbit/s", ""), ("host->guest Mbit/s", " -R")):
            out = g.run(f"chroot /mnt iperf3 -c 10.0.2.2 -p {port} -t {a.seconds}{flag} 2>&1 | tail -4",
                        timeout=a.seconds + 120)
            r[name] = mbits(out, "receiver")
            if r[name] is None:
                print(out, file=sys.stderr)
        r["s"] = time.time() - t0
        return r
    finally:
        g.close()


def http_rate(cmd, port, a):
    """Part `http`: N sequential GETs, a new connection each, from the host through hostfwd to busybox httpd."""
    g = Guest(cmd, a.timeout)
    try:
        g.wait("Enter 'help'")
        t0 = time.time()
        g.run(DHCP)
        g.run(f"mkdir -p /www && head -c {a.file_bytes} /dev/urandom > /www/f && httpd -p 8080 -h /www; echo HTTPD=$?")

        def get():
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                c.request("GET", "/f")
                resp = c.getresponse()
                body = resp.read()
                if resp.status != 200 or len(body) != a.file_bytes:
                    raise RuntimeError(f"GET /f: {resp.status}, {len(body)} bytes")
            finally:
                c.close()

        for _ in range(5):  # warm-up: the JIT on jemu's side, the guest's page cache on both
            get()
        t1 = time.perf_counter()
        for _ in range(a.requests):
            get()
        dt = time.perf_counter() - t1
        return {"HTTP req/s": a.requests / dt, "ms/req": 1000 * dt / a.requests, "s": time.time() - t0}
    finally:
        g.close()


def listening(port):
    """True when something listens on 127.0.0.1:port (ss, so that the probe is no peer of the listener)."""
    out = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True).stdout
    return bool(out.strip())


def link(cmd_for, a):
    """Part `link`: two VMs on a socket link, iperf3 from the connecting VM to the listening one."""
    port = free_port()
    mac_s, mac_c = "52:54:00:00:05:01", "52:54:00:00:05:02"
    srv = Guest(cmd_for(f"socket,id=n0,listen=127.0.0.1:{port}", mac_s), a.timeout)
    cli = None
    try:
        end = time.time() + 60
        while not listening(port):
            if time.time() > end or srv.p.poll() is not None:
                raise RuntimeError(f"nothing listens on {port}: " + srv.out[-2000:].decode(errors="replace"))
            time.sleep(0.1)
        cli = Guest(cmd_for(f"socket,id=n0,connect=127.0.0.1:{port}", mac_c), a.timeout)
        srv.wait("Enter 'help'")
        cli.wait("Enter 'help'")
        t0 = time.time()
        srv.run(MOUNT + "; " + up(mac_s, "10.0.5.1") + "; chroot /mnt iperf3 -s -D; echo IPERF=$?")
        cli.run(MOUNT + "; " + up(mac_c, "10.0.5.2")
                + "; for i in $(seq 60); do ping -c 1 -W 1 10.0.5.1 >/dev/null 2>&1 && break; done")
        out = cli.run(f"chroot /mnt iperf3 -c 10.0.5.1 -t {a.seconds} 2>&1 | tail -4", timeout=a.seconds + 120)
        r = {"link Mbit/s": mbits(out, "receiver")}
        if r["link Mbit/s"] is None:
            print(out, file=sys.stderr)
        r["s"] = time.time() - t0
        return r
    finally:
        if cli:
            cli.close()
        srv.close()


def summary(xs):
    xs = [x for x in xs if x is not None]
    return f"{statistics.median(xs):8.2f} [{min(xs):.2f} - {max(xs):.2f}]" if xs else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", default="user,http,link", help="comma-separated: user, http, link")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10, help="iperf3 -t")
    ap.add_argument("--pings", type=int, default=20)
    ap.add_argument("--requests", type=int, default=200, help="HTTP GETs per run (after 5 warm-up ones)")
    ap.add_argument("--file-bytes", type=int, default=1024, help="size of the file httpd serves")
    ap.add_argument("--kit", default=os.path.join(os.environ.get("JEMU_KIT_DIR",
                    os.path.expanduser("~/.cache/jemu/kit")), "riscv64"))
    ap.add_argument("--jemu", default=os.path.join(os.path.dirname(HERE), "jemu"))
    ap.add_argument("--jemu-bios", choices=("none", "fw_jump"), default="none",
                    help="jemu's firmware: its built-in SBI (none) or the kit's fw_jump.bin as QEMU")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args()
    parts = [p for p in a.parts.split(",") if p]
    if not parts or set(parts) - {"user", "http", "link"}:
        sys.exit(f"net-bench: --parts takes user, http, link; not {a.parts}")
    k = a.kit
    for f in ("Image", "initrd.cpio.gz", "fw_jump.bin", "root.ext4"):
        if not os.path.exists(os.path.join(k, f)):
            sys.exit(f"net-bench: {k}/{f} missing: run scripts/jemu-kit riscv64")
    if subprocess.run(["sh", "-c", "command -v iperf3"], capture_output=True).returncode:
        sys.exit("net-bench: iperf3 missing on the host (apt-get install iperf3)")
    fw = ["-bios", f"{k}/fw_jump.bin"]
    base = {"jemu": shlex.split(a.jemu) + (fw if a.jemu_bios == "fw_jump" else []),
            "qemu": shlex.split(a.qemu) + fw}
    common = ["-M", "virt", "-smp", "1", "-m", "512M", "-nographic", "-no-reboot",
              "-kernel", f"{k}/Image", "-initrd", f"{k}/initrd.cpio.gz", "-append", "console=ttyS0 jemu.shell quiet",
              "-drive", f"file={k}/root.ext4,format=raw,if=none,id=d0,snapshot=on",
              "-device", "virtio-blk-device,drive=d0"]
    nic = ["-device", "virtio-net-device,netdev=n0"]

    def cmd(name, netdev, mac=None, mem=None):
        c = base[name] + common + ["-netdev", netdev] + nic
        if mac:
            c[-1] += ",mac=" + mac
        if mem:
            c[c.index("-m") + 1] = mem
        return c

    port = free_port()
    http_port = free_port()
    server = None
    if "user" in parts:
        server = subprocess.Popen(["iperf3", "-s", "-B", "127.0.0.1", "-p", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"host iperf3 -s on 127.0.0.1:{port}")
    for name in base:
        print(f"{name}: {' '.join(cmd(name, 'user,id=n0'))}")
    print(f"parts: {', '.join(parts)}", flush=True)
    res = {n: [] for n in base}
    loads = []
    try:
        for rnd in range(1, a.runs + 1):
            for name in base:
                r = {}
                if "user" in parts:
                    r.update(one(cmd(name, "user,id=n0"), port, a))
                    r["user s"] = r.pop("s")
                if "http" in parts:
                    r.update(http_rate(cmd(name, f"user,id=n0,hostfwd=tcp:127.0.0.1:{http_port}-:8080"), http_port, a))
                    r["http s"] = r.pop("s")
                if "link" in parts:
                    r.update(link(lambda netdev, mac: cmd(name, netdev, mac, "256M"), a))
                    r["link s"] = r.pop("s")
                loads.append(os.getloadavg()[0])
                res[name].append(r)
                print(f"round {rnd} {name}: " + ", ".join(f"{k2} {v:.2f}" if v is not None else f"{k2} -"
                                                        for k2, v in r.items()) + f", load {loads[-1]:.2f}", flush=True)
    finally:
        if server:
            server.kill()
            server.wait()
    print()
    keys = {"user": ["guest->host Mbit/s", "host->guest Mbit/s", "ping ms"], "http": ["HTTP req/s", "ms/req"],
            "link": ["link Mbit/s"]}
    print(f"{'':20s}" + "".join(f"{n:>28s}" for n in base))
    for key in [x for p in parts for x in keys[p]]:
        print(f"{key:20s}" + "".join(f"{summary([r.get(key) for r in res[n]]):>28s}" for n in base))
    print(f"host load average (1 min) after each round: {min(loads):.2f} - {max(loads):.2f}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
