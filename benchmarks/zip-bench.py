#!/usr/bin/env python3
"""7-Zip's CPU rating in the guest, jemu against QEMU, on the project's Debian riscv64 kit (scripts/jemu-kit riscv64).

Boots the kit with its root disk (root.qcow2, snapshot=on) and `jemu.bench=DICT,THREADS` on the kernel command
line: the disk's /bench runs `7zr b 1 -mmtTHREADS -mdDICT`. jemu and qemu-system-riscv64 run alternately (jemu,
QEMU, jemu, ...); each run's `Tot:` rating (7-Zip's MIPS, the last column) is printed, then the median
[min - max] of each and the per-round ratio jemu/QEMU. `--smp N` gives both emulators `-smp N` and the guest
N threads (unless --threads says otherwise), so `--smp 2` against `--smp 1` shows how the rating scales.

Firmware: jemu's built-in SBI (no -bios) by default, QEMU with OpenSBI fw_jump.bin (QEMU has no built-in SBI);
--jemu-bios FILE gives jemu the same OpenSBI. --only jemu|qemu runs one of them.

usage: zip-bench.py [--smp 1] [--threads N] [--dict 22] [--runs 3] [--kit DIR] [--jemu CMD] [--qemu CMD]
                    [--jemu-bios fw_jump.bin] [--only jemu|qemu] [--timeout 1800]
"""
import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOT = re.compile(rb"^Tot:\s+\d+\s+\d+\s+(\d+)", re.M)
START = re.compile(rb"JEMU-BENCH-START.*?(threads=\d+ cpus=\d+)")


def rating(cmd, timeout):
    """7-Zip's total rating from one boot, or None (with the output's tail on stderr)."""
    try:
        out = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=timeout).stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout or b""
    out = out.replace(b"\r", b"")
    m = TOT.search(out)
    started = START.search(out)
    if started:   # what the guest saw: 7-Zip's threads and the CPUs Linux brought up
        print("  guest: " + started.group(1).decode(), flush=True)
    if not m:
        sys.stderr.write("zip-bench: no Tot: line from " + shlex.join(cmd[:3]) + " ...:\n"
                         + out[-1500:].decode(errors="replace") + "\n")
        return None
    return int(m.group(1))


def summary(xs):
    return f"{statistics.median(xs):7.0f} [{min(xs)} - {max(xs)}]" if xs else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smp", type=int, default=1, help="-smp N for both emulators (default 1)")
    ap.add_argument("--threads", type=int, default=None, help="7-Zip's threads in the guest (default: --smp)")
    ap.add_argument("--dict", type=int, default=22, help="dictionary size 2^DICT bytes (default 22)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kit", default=None, help="kit directory (default: $JEMU_KIT_DIR or ~/.cache/jemu/kit, /riscv64)")
    ap.add_argument("--jemu", default=os.path.join(os.path.dirname(HERE), "jemu"))
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--jemu-bios", default=None, help="firmware for jemu (default: the built-in SBI)")
    ap.add_argument("--only", choices=["jemu", "qemu"], default=None)
    ap.add_argument("--timeout", type=float, default=1800)
    a = ap.parse_args()
    k = a.kit or os.path.join(os.environ.get("JEMU_KIT_DIR", os.path.expanduser("~/.cache/jemu/kit")), "riscv64")
    for f in ("Image", "initrd.cpio.gz", "root.qcow2", "fw_jump.bin"):
        if not os.path.exists(os.path.join(k, f)):
            sys.exit(f"zip-bench: {k}/{f} missing: run scripts/jemu-kit riscv64")
    threads = a.threads or a.smp
    common = ["-M", "virt", "-smp", str(a.smp), "-m", "1G", "-nographic", "-no-reboot",
              "-kernel", f"{k}/Image", "-initrd", f"{k}/initrd.cpio.gz",
              "-append", f"console=ttyS0 jemu.bench={a.dict},{threads}",
              "-drive", f"file={k}/root.qcow2,if=none,id=d0,format=qcow2,snapshot=on",
              "-device", "virtio-blk-device,drive=d0"]
    jemu = shlex.split(a.jemu) + common + (["-bios", a.jemu_bios] if a.jemu_bios else [])
    qemu = shlex.split(a.qemu) + common + ["-bios", f"{k}/fw_jump.bin"]
    print(f"7-Zip b 1 -mmt{threads} -md{a.dict}, -smp {a.smp}, load average {os.getloadavg()[0]:.2f} at start")
    js, qs, ratios = [], [], []
    for i in range(a.runs):
        j = rating(jemu, a.timeout) if a.only != "qemu" else None
        q = rating(qemu, a.timeout) if a.only != "jemu" else None
        print(f"run {i + 1}: jemu {j if j is not None else '-':>6}   qemu {q if q is not None else '-':>6}   "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
        if j is not None:
            js.append(j)
        if q is not None:
            qs.append(q)
        if j is not None and q:
            ratios.append(j / q)
    print(f"jemu  {summary(js)}")
    print(f"qemu  {summary(qs)}")
    if ratios:
        print(f"jemu/qemu {statistics.median(ratios):.2f} [{min(ratios):.2f} - {max(ratios):.2f}]")
    return 0 if (js or a.only == "qemu") and (qs or a.only == "jemu") else 1


if __name__ == "__main__":
    sys.exit(main())
