#!/usr/bin/env python3
"""Interpreter speed, jemu against QEMU, on bare-metal loop images (scripts/loopgen.py).

Runs jemu and QEMU alternately (jemu small, jemu large, qemu small, qemu large, per round) on two
images differing only in the iteration count, so start-up and power-off cancel:
    MIPS = (instructions(large) - instructions(small)) / (time(large) - time(small)) / 1e6
Prints every run, then per emulator the median MIPS with min and max over the rounds, and the
per-round ratio jemu/QEMU as median [min - max].

QEMU's translator is about ten times faster than an interpreter, so its iteration counts are scaled
(--qemu-scale, default 10) to keep its timed difference well above the noise.

usage: loop-bench.py [--kind alu|mem|branch|call] [--body 16] [--small 2e6] [--large 2e7]
                     [--qemu-scale 10] [--runs 5] [--jemu CMD] [--qemu CMD] [--timeout 600]
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "scripts"))
import loopgen  # noqa: E402

GUEST = ["-M", "virt", "-bios", "none", "-nographic", "-m", "128M", "-kernel"]


def timed_run(cmd, image, timeout):
    t0 = time.perf_counter()
    r = subprocess.run(cmd + GUEST + [image], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"{cmd[0]} failed on {image} (status {r.returncode}): {r.stderr.decode(errors='replace')[:400]}")
    return dt


def summary(xs):
    return f"{statistics.median(xs):9.1f} [{min(xs):.1f} - {max(xs):.1f}]"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", default="alu", choices=["alu", "mem", "branch", "call"])
    ap.add_argument("--body", type=int, default=16, help="instructions per loop iteration (default 16)")
    ap.add_argument("--small", type=float, default=2e6, help="iterations of the short run (default 2e6)")
    ap.add_argument("--large", type=float, default=2e7, help="iterations of the long run (default 2e7)")
    ap.add_argument("--qemu-scale", type=float, default=10, help="QEMU iteration multiplier (default 10)")
    ap.add_argument("--runs", type=int, default=5, help="rounds, at least 5 for a quotable figure")
    ap.add_argument("--jemu", default=os.path.join(os.path.dirname(HERE), "jemu"), help="jemu command")
    ap.add_argument("--qemu", default="qemu-system-riscv64", help="QEMU command")
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args()
    if a.runs < 5:
        print("note: fewer than 5 rounds; the figures are indicative only", file=sys.stderr)
    small, large = int(a.small), int(a.large)
    if large <= small:
        sys.exit("--large must exceed --small")

    emus = {"jemu": (shlex.split(a.jemu), 1.0), "qemu": (shlex.split(a.qemu), a.qemu_scale)}
    with tempfile.TemporaryDirectory(prefix="loop-bench-") as tmp:
        images = {}             # (emulator, small|large) -> (path, retired instructions)
        for name, (_, scale) in emus.items():
            for label, iters in (("small", small), ("large", large)):
                img, retired = loopgen.build(a.kind, a.body, int(iters * scale))
                path = os.path.join(tmp, f"{name}-{a.kind}-{label}.bin")
                with open(path, "wb") as f:
                    f.write(img)
                images[name, label] = (path, retired)
            d = images[name, "large"][1] - images[name, "small"][1]
            print(f"{name}: kind={a.kind} body={a.body} iterations {int(small * scale)} and "
                  f"{int(large * scale)}: delta {d:,} instructions")
        mips = {name: [] for name in emus}
        for rnd in range(1, a.runs + 1):
            for name, (cmd, _) in emus.items():
                ts = timed_run(cmd, images[name, "small"][0], a.timeout)
                tl = timed_run(cmd, images[name, "large"][0], a.timeout)
                dinstr = images[name, "large"][1] - images[name, "small"][1]
                m = dinstr / (tl - ts) / 1e6 if tl > ts else float("nan")
                mips[name].append(m)
                print(f"round {rnd} {name:5s} small {ts:7.3f} s  large {tl:7.3f} s  -> {m:9.1f} MIPS", flush=True)
    print()
    for name in emus:
        print(f"{name:5s} MIPS median [min - max]: {summary(mips[name])}")
    ratios = [j / q for j, q in zip(mips["jemu"], mips["qemu"])]
    print(f"jemu/QEMU per round: median {statistics.median(ratios):.3f} [{min(ratios):.3f} - {max(ratios):.3f}]")


if __name__ == "__main__":
    main()
