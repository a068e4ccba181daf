#!/usr/bin/env python3
"""img-bench: `jemu-img convert` against `qemu-img convert` on one image, alternately.

Makes a sparse raw image (default 1 GiB holding 512 MiB of data: random regions, text-like regions and
zero regions between them) once in a temporary directory under /tmp, plus a qcow2 copy of it made by
qemu-img (untimed). Then, for --runs rounds, times raw->qcow2 and qcow2->raw conversions with both tools,
swapping which tool goes first every round. The first round's outputs of both tools are checked with
`qemu-img compare` against the raw source. Prints every run, each tool's median [min-max] seconds and
the jemu/qemu ratio (median of the per-round ratios [min-max]).

Usage: python3 benchmarks/img-bench.py [--runs 5] [--size 1G] [--data 512M] [--jemu ./jemu-img] The temporary directory is removed at the end.
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MIB = 1 << 20


def parse_size(s):
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    s = s.strip().lower()
    return int(float(s[:-1]) * units[s[-1]]) if s[-1] in units else int(s)


def make_raw(path, size, data, seed):
    """Sparse file of `size` bytes with `data` bytes written, in 1-4 MiB regions spread over it."""
    rng = random.Random(seed)
    text = bytes((ord("a") + (i * 7) % 26) for i in range(MIB))
    written = 0
    with open(path, "wb") as f:
        f.truncate(size)
        slot_size = 4 * MIB
        slots = size // slot_size
        # fill a random subset of 4 MiB slots, each partly, until `data` bytes are in
        order = list(range(slots))
        rng.shuffle(order)
        for slot in order:
            if written >= data:
                break
            n = min(rng.choice([1, 2, 3, 4]) * MIB, data - written)
            f.seek(slot * slot_size + rng.randrange(0, slot_size - n + 1, 512))
            for _ in range(n // MIB):
                # two thirds incompressible, one third text-like
                f.write(os.urandom(MIB) if rng.random() < 0.67 else text)
            written += n
    return written


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("img-bench: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.decode().strip()))
    return dt


def compare(qemu, a, b):
    p = subprocess.run([qemu, "compare", a, b], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        sys.exit("img-bench: qemu-img compare %s %s: %s" % (a, b, p.stdout.decode().strip()))


def fmt(xs):
    return "%.2f [%.2f-%.2f]" % (statistics.median(xs), min(xs), max(xs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--size", default="1G", help="virtual size of the image (default 1G)")
    ap.add_argument("--data", default="512M", help="bytes of data in it (default 512M)")
    ap.add_argument("--jemu", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jemu-img"))
    ap.add_argument("--qemu", default="qemu-img")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if shutil.which(a.qemu) is None:
        sys.exit("img-bench: %s not found (apt-get install qemu-utils)" % a.qemu)
    jemu = os.path.normpath(a.jemu)
    size, data = parse_size(a.size), parse_size(a.data)

    # build jemu-img (first use) outside the timings
    p = subprocess.run([jemu, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        sys.exit("img-bench: %s --version failed: %s" % (jemu, p.stdout.decode().strip()))

    tmp = tempfile.mkdtemp(prefix="img-bench-", dir="/tmp")
    try:
        src = os.path.join(tmp, "src.raw")
        src_q = os.path.join(tmp, "src.qcow2")
        n = make_raw(src, size, data, a.seed)
        run([a.qemu, "convert", "-f", "raw", "-O", "qcow2", src, src_q])
        print("image: %d MiB virtual, %d MiB data; qcow2 copy %d MiB; load average %.2f %.2f %.2f"
              % (size // MIB, n // MIB, os.path.getsize(src_q) // MIB, *os.getloadavg()))
        directions = [
            ("raw->qcow2", ["-f", "raw", "-O", "qcow2", src], "out.qcow2"),
            ("qcow2->raw", ["-f", "qcow2", "-O", "raw", src_q], "out.raw"),
        ]
        times = {(d, t): [] for d, _, _ in directions for t in ("jemu", "qemu")}
        tools = {"jemu": jemu, "qemu": a.qemu}
        for r in range(a.runs):
            for name, args, outname in directions:
                order = ("jemu", "qemu") if r % 2 == 0 else ("qemu", "jemu")
                line = []
                for t in order:
                    out = os.path.join(tmp, t + "-" + outname)
                    if os.path.exists(out):
                        os.remove(out)
                    dt = run([tools[t], "convert"] + args + [out])
                    times[(name, t)].append(dt)
                    line.append("%s %.2f s" % (t, dt))
                    if r == 0:
                        compare(a.qemu, src, out)
                    os.remove(out)
                print("round %d %-10s %s" % (r + 1, name, ", ".join(line)), flush=True)
        print()
        print("%-10s  %-22s  %-22s  %s" % ("direction", "jemu s median [min-max]", "qemu s median [min-max]",
                                           "jemu/qemu median [min-max]"))
        for name, _, _ in directions:
            j, q = times[(name, "jemu")], times[(name, "qemu")]
            ratios = [x / y for x, y in zip(j, q)]
            print("%-10s  %-22s  %-22s  %s" % (name, fmt(j), fmt(q), fmt(ratios)))
        print("outputs checked with qemu-img compare (round 1, both tools, both directions)")
        print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
