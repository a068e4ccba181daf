#!/usr/bin/env python3
"""User-mode networking throughput and latency, jemu against QEMU 7.2, on the kit's Debian riscv64 guest.

Each round boots jemu, then QEMU (alternating), with the kit's kernel, initramfs (jemu.shell) and root.ext4
(read-only, iperf3 on it), `-netdev user,id=n0 -device virtio-net-device,netdev=n0`; both with OpenSBI
fw_jump.bin. In the guest: udhcpc, `ping -c N 10.0.2.2` (RTT to the gateway), then iperf3 against an
`iperf3 -s` this script runs on the host (reached as 10.0.2.2): guest to host, then host to guest (-R).
Prints every run, then each figure's median [min - max] per emulator and the host's load average.

usage: net-bench.py [--runs 3] [--seconds 10] [--kit DIR] [--jemu CMD] [--qemu CMD] [--pings 20]
"""
import argparse
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


def one(cmd, port, a):
    g = Guest(cmd, a.timeout)
    try:
        g.wait("Enter 'help'")
        t0 = time.time()
        r = {}
        g.run("mount -t ext4 -o ro /dev/vda /mnt && mount -t proc proc /mnt/proc && mount -t devtmpfs dev /mnt/dev && mount -t tmpfs tmp /mnt/tmp; "
              "ip link set eth0 up; udhcpc -i eth0 -t 10 -T 2 -n -q >/dev/null 2>&1; ip -4 addr show eth0 | grep inet")
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


def summary(xs):
    xs = [x for x in xs if x is not None]
    return f"{statistics.median(xs):8.2f} [{min(xs):.2f} - {max(xs):.2f}]" if xs else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10, help="iperf3 -t")
    ap.add_argument("--pings", type=int, default=20)
    ap.add_argument("--kit", default=os.path.join(os.environ.get("JEMU_KIT_DIR",
                    os.path.expanduser("~/.cache/jemu/kit")), "riscv64"))
    ap.add_argument("--jemu", default=os.path.join(os.path.dirname(HERE), "jemu"))
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args()
    k = a.kit
    for f in ("Image", "initrd.cpio.gz", "fw_jump.bin", "root.ext4"):
        if not os.path.exists(os.path.join(k, f)):
            sys.exit(f"net-bench: {k}/{f} missing: run scripts/jemu-kit riscv64")
    if subprocess.run(["sh", "-c", "command -v iperf3"], capture_output=True).returncode:
        sys.exit("net-bench: iperf3 missing on the host (apt-get install iperf3)")
    common = ["-M", "virt", "-smp", "1", "-m", "512M", "-nographic", "-no-reboot", "-bios", f"{k}/fw_jump.bin",
              "-kernel", f"{k}/Image", "-initrd", f"{k}/initrd.cpio.gz", "-append", "console=ttyS0 jemu.shell quiet",
              "-drive", f"file={k}/root.ext4,format=raw,if=none,id=d0,snapshot=on",
              "-device", "virtio-blk-device,drive=d0",
              "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]
    emus = {"jemu": shlex.split(a.jemu) + common, "qemu": shlex.split(a.qemu) + common}
    port = free_port()
    server = subprocess.Popen(["iperf3", "-s", "-B", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"jemu: {' '.join(emus['jemu'])}\nqemu: {' '.join(emus['qemu'])}\nhost iperf3 -s on 127.0.0.1:{port}", flush=True)
    res = {n: [] for n in emus}
    loads = []
    try:
        for rnd in range(1, a.runs + 1):
            for name, cmd in emus.items():
                r = one(cmd, port, a)
                loads.append(os.getloadavg()[0])
                res[name].append(r)
                print(f"round {rnd} {name}: " + ", ".join(f"{k2} {v:.2f}" if v is not None else f"{k2} -"
                                                        for k2, v in r.items()) + f", load {loads[-1]:.2f}", flush=True)
    finally:
        server.kill()
        server.wait()
    print()
    keys = ["guest->host Mbit/s", "host->guest Mbit/s", "ping ms"]
    print(f"{'':20s}" + "".join(f"{n:>28s}" for n in emus))
    for key in keys:
        print(f"{key:20s}" + "".join(f"{summary([r[key] for r in res[n]]):>28s}" for n in emus))
    print(f"host load average (1 min) after each run: {min(loads):.2f} - {max(loads):.2f}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
