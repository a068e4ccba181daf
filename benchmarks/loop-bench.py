#!/usr/bin/env python3
"""Interpreter speed, jemu against QEMU, on bare-metal loop images (scripts/loopgen.py).

Runs jemu and QEMU alternately (jemu small, jemu large, qemu small, qemu large, per round) on two
images differing only in the iteration count, so start-up and power-off cancel:
    MIPS = (instructions(large) - instructions(small)) / (time(large) - time(small)) / 1e6
Prints every run, then per emulator the median MIPS with min and max over the rounds, and the
per-round ratio jemu/QEMU as median [min - max].

Before the rounds, each emulator's long run is lengthened until it takes at least --min-delta seconds
more than the short one (so the difference stands above the noise of a shared machine); a round
where the long run still is not slower is reported and left out of the figures.

usage: loop-bench.py [--kind alu|mem|branch|call] [--body 16] [--small 1e6] [--large 1e7]
                     [--min-delta 2] [--runs 5] [--jemu CMD] [--qemu CMD] [--timeout 600]
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
    ap.add_argument("--small", type=float, default=1e6, help="iterations of the short run (default 1e6)")
    ap.add_argument("--large", type=float, default=1e7, help="initial iterations of the long run (default 1e7)")
    ap.add_argument("--min-delta", type=float, default=2.0,
                    help="seconds the long run must exceed the short one (default 2)")
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

    emus = {"jemu": shlex.split(a.jemu), "qemu": shlex.split(a.qemu)}
    with tempfile.TemporaryDirectory(prefix="loop-bench-") as tmp:
        def image(name, label, iters):
            img, retired = loopgen.build(a.kind, a.body, iters)
            path = os.path.join(tmp, f"{name}-{a.kind}-{label}.bin")
            with open(path, "wb") as f:
                f.write(img)
            return path, retired

        images = {}             # (emulator, small|large) -> (path, retired instructions)
        for name, cmd in emus.items():
            images[name, "small"] = image(name, "small", small)
            iters = large
            for _ in range(4):  # calibrate the long run
                images[name, "large"] = image(name, "large", iters)
                ts = timed_run(cmd, images[name, "small"][0], a.timeout)
                tl = timed_run(cmd, images[name, "large"][0], a.timeout)
                if tl - ts >= a.min_delta:
                    break
                grow = min(100.0, 1.5 * a.min_delta / max(tl - ts, 0.02))
                iters = int(iters * max(grow, 2.0))
            d = images[name, "large"][1] - images[name, "small"][1]
            print(f"{name}: kind={a.kind} body={a.body} iterations {small} and {iters}: "
                  f"delta {d:,} instructions (calibration: {ts:.2f} s / {tl:.2f} s)", flush=True)
        mips = {name: [] for name in emus}
        ratios = []
        for rnd in range(1, a.runs + 1):
            got = {}
            for name, cmd in emus.items():
                ts = timed_run(cmd, images[name, "small"][0], a.timeout)
                tl = timed_run(cmd, images[name, "large"][0], a.timeout)
                dinstr = images[name, "large"][1] - images[name, "small"][1]
                if tl > ts:
                    got[name] = dinstr / (tl - ts) / 1e6
                    mips[name].append(got[name])
                    note = f"{got[name]:9.1f} MIPS"
                else:
                    note = "  (long run not slower: left out)"
                print(f"round {rnd} {name:5s} small {ts:7.3f} s  large {tl:7.3f} s  -> {note}", flush=True)
            if len(got) == 2:
                ratios.append(got["jemu"] / got["qemu"])
    print()
    for name in emus:
        if mips[name]:
            print(f"{name:5s} MIPS median [min - max] over {len(mips[name])} rounds: {summary(mips[name])}")
    if ratios:
        print(f"jemu/QEMU per round ({len(ratios)} rounds): median {statistics.median(ratios):.3f} "
              f"[{min(ratios):.3f} - {max(ratios):.3f}]")
    else:
        print("no round gave both figures: raise --min-delta or --large")


if __name__ == "__main__":
    main()
