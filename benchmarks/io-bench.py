#!/usr/bin/env python3
"""Disk I/O inside the guest, jemu against QEMU, on the project's riscv64 guest kit (scripts/jemu-kit riscv64).

Boots the kit's kernel and initramfs with `jemu.shell` and a fresh 256 MiB scratch disk (virtio-blk, raw or
qcow2), waits for the busybox prompt, types the tests on the serial console and reads back one marker line
per test. Each test is timed inside the guest from /proc/uptime (read by the shell builtin `read`, no fork),
so boot time is excluded; guest time follows the host clock in both emulators.

Tests (in this order, on /dev/vda):
  seqwrite   dd if=/dev/zero of=/dev/vda bs=1M count=128 conv=fsync
  seqread    (drop_caches first) dd if=/dev/vda of=/dev/null bs=1M count=128
  dirwrite   dd if=/dev/zero of=/dev/vda bs=1M count=128 oflag=direct (no guest page cache: mostly the
             device path, virtio-blk and the image driver)
  dirread    dd if=/dev/vda of=/dev/null bs=1M count=128 iflag=direct
  randwrite  --ops x dd bs=4k count=1 oflag=direct at pseudo-random 4 KiB blocks of the first 128 MiB
  randread   --ops x dd bs=4k count=1 iflag=direct at other pseudo-random blocks
  spawn      --ops x dd count=0 (opens /dev/vda, moves no data): the loop's process cost alone
The 4 KiB offsets come from the same LCG in both emulators. Each 4 KiB op is one dd process, so under an
emulator its fork/exec cost is part of the figure: `spawn` shows how much.

Runs alternate jemu and QEMU (per round: jemu raw, QEMU raw, jemu qcow2, QEMU qcow2). Prints every run, the
median [min - max] MiB/s (and ops/s for the 4 KiB tests) of each test, emulator and format, and the
per-round ratio jemu/QEMU (of the rates: above 1 means jemu is faster). SIGINT (Ctrl-C) stops early and still
prints the summary of the runs done.

Firmware: jemu's built-in SBI, QEMU with OpenSBI fw_jump.bin (QEMU has no built-in SBI).

usage: io-bench.py [--runs 5] [--formats raw,qcow2] [--ops 100] [--kit DIR] [--jemu CMD] [--qemu CMD]
                   [--timeout 900] [--log DIR]
"""
import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DISK_MIB = 256
SEQ_MIB = 128
BLOCKS = SEQ_MIB * 256          # 4 KiB blocks in the sequential area: the random tests stay inside it
TESTS = ("seqwrite", "seqread", "dirwrite", "dirread", "randwrite", "randread", "spawn")


def bulk(test):
    """The 1 MiB x 128 tests (MiB/s); the others are counted in operations."""
    return test.startswith("seq") or test.startswith("dir")


def loop(ops, seed, dd):
    """A shell loop of `ops` dd calls at pseudo-random 4 KiB blocks ($k), from an LCG seeded with `seed`."""
    return (f"o={seed}; i=0; while [ $i -lt {ops} ]; do o=$(( (o * 1103515245 + 12345) % 2147483648 )); "
            f"k=$(( o % {BLOCKS} )); {dd} 2>/dev/null || break; i=$((i + 1)); done; [ $i -eq {ops} ]")


def commands(ops):
    """(test, preparation, timed command) for each test."""
    return [
        ("seqwrite", "", f"dd if=/dev/zero of=/dev/vda bs=1M count={SEQ_MIB} conv=fsync"),
        ("seqread", "sync; echo 3 > /proc/sys/vm/drop_caches", f"dd if=/dev/vda of=/dev/null bs=1M count={SEQ_MIB}"),
        ("dirwrite", "", f"dd if=/dev/zero of=/dev/vda bs=1M count={SEQ_MIB} oflag=direct"),
        ("dirread", "", f"dd if=/dev/vda of=/dev/null bs=1M count={SEQ_MIB} iflag=direct"),
        ("randwrite", "", loop(ops, 1, "dd if=/dev/zero of=/dev/vda bs=4k count=1 seek=$k oflag=direct conv=notrunc")),
        ("randread", "", loop(ops, 2, "dd if=/dev/vda of=/dev/null bs=4k count=1 skip=$k iflag=direct")),
        ("spawn", "", loop(ops, 3, "dd if=/dev/vda of=/dev/null bs=4k count=0 skip=$k")),
    ]


def megabytes(test, ops):
    return SEQ_MIB if bulk(test) else (0 if test == "spawn" else ops * 4096 / 2 ** 20)


class Guest:
    """An emulator process with its serial console on stdin/stdout; a thread collects the output."""

    def __init__(self, cmd, log):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.buf = bytearray()
        self.eof = False
        self.cv = threading.Condition()
        self.log = log
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            b = self.p.stdout.read1(65536)
            with self.cv:
                if not b:
                    self.eof = True
                    self.cv.notify_all()
                    return
                self.buf += b
                if self.log:
                    self.log.write(b)
                    self.log.flush()
                self.cv.notify_all()

    def wait_for(self, pattern, start, deadline):
        """First match of `pattern` in the output from `start` on, or None at the deadline or at exit."""
        with self.cv:
            while True:
                m = pattern.search(self.buf, start)
                left = deadline - time.monotonic()
                if m or self.eof or left <= 0:
                    return m
                self.cv.wait(min(left, 1.0))

    def send(self, line):
        with self.cv:
            mark = len(self.buf)
        self.p.stdin.write(line.encode() + b"\n")
        self.p.stdin.flush()
        return mark

    def stop(self, grace):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(grace)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def run(cmd, ops, timeout, log):
    """{test: seconds} of one boot, and an error string or None."""
    deadline = time.monotonic() + timeout
    g = Guest(cmd, log)
    res = {}
    grace = 0           # a run that went wrong is killed at once
    try:
        m = g.wait_for(re.compile(rb"busybox shell"), 0, deadline)
        if not m or not g.wait_for(re.compile(rb" # "), m.end(), deadline):
            return res, "no shell prompt"
        for test, prep, timed in commands(ops):
            line = (f"{prep + '; ' if prep else ''}read a x </proc/uptime; {timed}; s=$?; "
                    f"read b x </proc/uptime; echo IOB-T {test} $a $b $s")
            mark = g.send(line)
            r = g.wait_for(re.compile(rb"IOB-T " + test.encode() + rb" (\d+\.\d+) (\d+\.\d+) (\d+)"), mark, deadline)
            if not r:
                return res, f"{test}: no result"
            if r.group(3) != b"0":
                return res, f"{test}: exit status {r.group(3).decode()}"
            res[test] = float(r.group(2)) - float(r.group(1))
        g.send("poweroff -f")
        grace = 30
        return res, None
    finally:
        g.stop(grace)


def summary(xs, fmt="{:8.2f}"):
    if not xs:
        return "-"
    return f"{fmt.format(statistics.median(xs))} [{fmt.format(min(xs)).strip()} - {fmt.format(max(xs)).strip()}]"


def rate(test, secs, ops):
    """(MiB/s, ops/s) of one result; ops/s only for the 4 KiB tests."""
    secs = max(secs, 0.01)              # /proc/uptime ticks in hundredths
    per_op = None if bulk(test) else ops / secs
    return megabytes(test, ops) / secs, per_op


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--formats", default="raw,qcow2")
    ap.add_argument("--ops", type=int, default=100, help="dd calls per 4 KiB test")
    ap.add_argument("--kit", default=os.path.join(os.environ.get("JEMU_KIT_DIR",
                    os.path.expanduser("~/.cache/jemu/kit")), "riscv64"))
    ap.add_argument("--jemu", default=os.path.join(os.path.dirname(HERE), "jemu"))
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per boot, tests included")
    ap.add_argument("--log", default=None, help="directory for each run's serial output")
    a = ap.parse_args()
    k = a.kit
    for f in ("Image", "initrd.cpio.gz", "fw_jump.bin"):
        if not os.path.exists(os.path.join(k, f)):
            sys.exit(f"io-bench: {k}/{f} missing: run scripts/jemu-kit riscv64")
    formats = a.formats.split(",")
    for f in formats:
        if f not in ("raw", "qcow2"):
            sys.exit(f"io-bench: unknown format '{f}' (raw, qcow2)")
    if not shutil.which("qemu-img"):
        sys.exit("io-bench: qemu-img missing (apt-get install qemu-utils)")
    common = ["-M", "virt", "-m", "512M", "-nographic", "-no-reboot", "-kernel", f"{k}/Image",
              "-initrd", f"{k}/initrd.cpio.gz", "-append", "console=ttyS0 jemu.shell"]
    emus = {"jemu": shlex.split(a.jemu) + common,
            "qemu": shlex.split(a.qemu) + ["-cpu", "rv64", "-bios", f"{k}/fw_jump.bin"] + common}
    for name, cmd in emus.items():
        print(f"{name}: {' '.join(cmd)} -drive file=SCRATCH,if=none,id=d0,format=FMT "
              "-device virtio-blk-device,drive=d0", flush=True)
    print(f"tests: {', '.join(TESTS)}; {SEQ_MIB} MiB sequential (buffered and O_DIRECT), {a.ops} x 4 KiB random, "
          f"{DISK_MIB} MiB scratch disk", flush=True)
    if a.log:
        os.makedirs(a.log, exist_ok=True)
    secs = {}      # (emu, fmt, test) -> [seconds]
    ratios = {}    # (fmt, test) -> [jemu rate / qemu rate]
    tmp = tempfile.mkdtemp(prefix="io-bench-")
    done = 0
    try:
        for r in range(1, a.runs + 1):
            for fmt in formats:
                got = {}
                for name, cmd in emus.items():
                    disk = os.path.join(tmp, f"scratch.{fmt}")
                    if os.path.exists(disk):
                        os.remove(disk)
                    subprocess.run(["qemu-img", "create", "-q", "-f", fmt, disk, f"{DISK_MIB}M"], check=True)
                    full = cmd + ["-drive", f"file={disk},if=none,id=d0,format={fmt}",
                                  "-device", "virtio-blk-device,drive=d0"]
                    log = open(os.path.join(a.log, f"{r}-{fmt}-{name}.log"), "wb") if a.log else None
                    t0 = time.monotonic()
                    try:
                        res, err = run(full, a.ops, a.timeout, log)
                    finally:
                        if log:
                            log.close()
                    os.remove(disk)
                    got[name] = res
                    shown = []
                    for t in TESTS:
                        if t in res:
                            secs.setdefault((name, fmt, t), []).append(res[t])
                            mb, per = rate(t, res[t], a.ops)
                            shown.append(f"{t} {res[t]:.2f} s" + (f" {mb:.1f} MiB/s" if mb else "")
                                         + (f" {per:.0f} op/s" if per else ""))
                    print(f"round {r} {fmt:5} {name}: " + "; ".join(shown)
                          + (f"; FAILED: {err}" if err else "")
                          + f" (wall {time.monotonic() - t0:.0f} s)", flush=True)
                for t in TESTS:
                    if t in got["jemu"] and t in got["qemu"]:
                        ratios.setdefault((fmt, t), []).append(got["qemu"][t] / max(got["jemu"][t], 0.01))
            done = r
    except KeyboardInterrupt:
        print(f"interrupted in round {done + 1}: the summary covers the runs above", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(f"{'format':6} {'test':9} {'emulator':8} {'MiB/s median [min - max]':>28} {'ops/s median [min - max]':>28}")
    for fmt in formats:
        for t in TESTS:
            for name in emus:
                xs = secs.get((name, fmt, t), [])
                mbs = [rate(t, s, a.ops)[0] for s in xs] if megabytes(t, a.ops) else []
                ops = [rate(t, s, a.ops)[1] for s in xs] if not bulk(t) else []
                print(f"{fmt:6} {t:9} {name:8} {summary(mbs):>28} {summary(ops, '{:8.0f}'):>28}")
            print(f"{fmt:6} {t:9} {'jemu/QEMU':8} {summary(ratios.get((fmt, t), []), '{:8.3f}'):>28}")
    print(f"rounds completed: {done} of {a.runs}; machine: {os.cpu_count()} CPUs, load average at end "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
