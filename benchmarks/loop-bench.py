#!/usr/bin/env python3
"""Interpreter speed, jemu against QEMU, on bare-metal loop images (scripts/loopgen.py; --arch aarch64:
scripts/loopgen_a64.py, the same loops in A64 under -M virt -cpu cortex-a57 and qemu-system-aarch64; --arch
x86_64: scripts/loopgen_x86.py, the same loops in x86-64 as PVH ELFs under -M microvm and qemu-system-x86_64).

Runs jemu and QEMU alternately (jemu small, jemu large, qemu small, qemu large, per round) on two
images differing only in the iteration count, so start-up and power-off cancel:
    MIPS = (instructions(large) - instructions(small)) / (time(large) - time(small)) / 1e6
Prints every run, then per emulator the median MIPS with min and max over the rounds, and the
per-round ratio jemu/QEMU as median [min - max].

Before the rounds, the long run is lengthened until it takes at least --min-delta seconds more than
the short one on both emulators (the difference must stand above the noise of a shared machine);
the short run is then a fifth of it, long enough that a JIT's warm-up falls in both. Both emulators
run the same two images, and every run's checksum line (printed by the image) must match the other
emulator's, so a fast but wrong result cannot pass. A round where the long run still is not slower
is reported and left out of the figures.

usage: loop-bench.py [--arch riscv64|aarch64|x86_64] [--kind alu|mem|branch|call] [--body 16] [--large 1e7] [--small N]
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
import loopgen_a64  # noqa: E402
import loopgen_x86  # noqa: E402

# per architecture: the image generator, QEMU's binary, the machine flags before the image, the image's extension
ARCHS = {
    "riscv64": (loopgen, "qemu-system-riscv64", ["-M", "virt", "-bios", "none", "-nographic", "-m", "128M", "-kernel"], "bin"),
    "aarch64": (loopgen_a64, "qemu-system-aarch64",
                ["-M", "virt", "-cpu", "cortex-a57", "-nographic", "-m", "128M", "-kernel"], "elf"),
    "x86_64": (loopgen_x86, "qemu-system-x86_64", ["-M", "microvm", "-nographic", "-m", "128M", "-kernel"], "elf"),
}


def timed_run(cmd, guest, image, timeout):
    """Returns (seconds, checksum line printed by the image)."""
    t0 = time.perf_counter()
    r = subprocess.run(cmd + guest + [image], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"{cmd[0]} failed on {image} (status {r.returncode}): {r.stderr.decode(errors='replace')[:400]}")
    return dt, r.stdout.decode(errors="replace").strip()


def summary(xs):
    return f"{statistics.median(xs):9.1f} [{min(xs):.1f} - {max(xs):.1f}]"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="riscv64", choices=list(ARCHS))
    ap.add_argument("--kind", default="alu", choices=["alu", "mem", "branch", "call"])
    ap.add_argument("--body", type=int, default=16, help="instructions per loop iteration (default 16)")
    ap.add_argument("--large", type=float, default=1e7, help="initial iterations of the long run (default 1e7)")
    ap.add_argument("--small", type=float, default=None,
                    help="iterations of the short run (default: a fifth of the calibrated long run)")
    ap.add_argument("--min-delta", type=float, default=2.0,
                    help="seconds the long run must exceed the short one (default 2)")
    ap.add_argument("--runs", type=int, default=5, help="rounds, at least 5 for a quotable figure")
    ap.add_argument("--jemu", default=os.path.join(os.path.dirname(HERE), "jemu"), help="jemu command")
    ap.add_argument("--qemu", default=None, help="QEMU command (default: qemu-system-ARCH)")
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args()
    if a.runs < 5:
        print("note: fewer than 5 rounds; the figures are indicative only", file=sys.stderr)
    large = int(a.large)

    gen, qemu, guest, ext = ARCHS[a.arch]
    qemu = a.qemu or qemu
    emus = {"jemu": shlex.split(a.jemu), "qemu": shlex.split(qemu)}
    with tempfile.TemporaryDirectory(prefix="loop-bench-") as tmp:
        def image(label, iters):
            img, retired = gen.build(a.kind, a.body, iters)
            path = os.path.join(tmp, f"{a.kind}-{label}.{ext}")
            with open(path, "wb") as f:
                f.write(img)
            return path, retired

        iters = large
        for _ in range(5):      # calibrate: both emulators must show the long run min-delta slower
            small = int(a.small) if a.small else max(1, iters // 5)
            if small >= iters:
                sys.exit("--small must be below --large")
            images = {"small": image("small", small), "large": image("large", iters)}
            deltas = {}
            for name, cmd in emus.items():
                ts, _ = timed_run(cmd, guest, images["small"][0], a.timeout)
                tl, _ = timed_run(cmd, guest, images["large"][0], a.timeout)
                deltas[name] = tl - ts
            worst = min(deltas.values())
            print(f"calibration: {small} / {iters} iterations: delta " +
                  ", ".join(f"{n} {d:.2f} s" for n, d in deltas.items()), flush=True)
            if worst >= a.min_delta:
                break
            iters = int(iters * min(100.0, max(2.0, 1.5 * a.min_delta / max(worst, 0.02))))
        dinstr = images["large"][1] - images["small"][1]
        print(f"kind={a.kind} body={a.body}: iterations {small} and {iters}, delta {dinstr:,} instructions")
        mips = {name: [] for name in emus}
        ratios = []
        for rnd in range(1, a.runs + 1):
            got, sums = {}, {}
            for name, cmd in emus.items():
                ts, sum_s = timed_run(cmd, guest, images["small"][0], a.timeout)
                tl, sum_l = timed_run(cmd, guest, images["large"][0], a.timeout)
                sums[name] = (sum_s, sum_l)
                if tl > ts:
                    got[name] = dinstr / (tl - ts) / 1e6
                    mips[name].append(got[name])
                    note = f"{got[name]:9.1f} MIPS"
                else:
                    note = "  (long run not slower: left out)"
                print(f"round {rnd} {name:5s} small {ts:7.3f} s  large {tl:7.3f} s  -> {note}", flush=True)
            if sums["jemu"] != sums["qemu"]:
                sys.exit(f"checksums differ: jemu {sums['jemu']}, qemu {sums['qemu']}: jemu computed a wrong result")
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
