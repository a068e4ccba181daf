#!/usr/bin/env python3
"""Boot time, jemu against QEMU, on the project's Debian guest kit (scripts/jemu-kit riscv64 | arm64 | amd64).

Boots the kit's kernel and initramfs under jemu and qemu-system-riscv64 alternately (jemu, QEMU, jemu, ...)
and measures wall seconds from spawn to the `JEMU-BOOT-OK` line the initramfs prints. Prints every run, the
median [min - max] of each, and the per-round ratio jemu/QEMU as median [min - max].

riscv64 firmware: jemu's built-in SBI (no -bios) by default, QEMU with OpenSBI fw_jump.bin (QEMU has no built-in
SBI); --jemu-bios FILE runs jemu with the same OpenSBI instead. arm64 (--arch arm64): both boot the kernel
directly (-M virt -cpu cortex-a57, PSCI from the board, console ttyAMA0), as QEMU does without firmware.
amd64 (--arch amd64): both boot the bzImage directly on -M microvm (-cpu qemu64, ACPI on, console ttyS0), with
tsc_early_khz=2000000 on both command lines: QEMU 7.2's microvm gives the guest no TSC frequency, and under load its
kernel may hang calibrating (jemu reports 2 GHz in CPUID leaf 0x15 and needs no hint).

usage: boot-bench.py [--arch riscv64|arm64|amd64] [--runs 5] [--kit DIR] [--jemu CMD] [--qemu CMD]
                     [--jemu-bios fw_jump.bin] [--timeout 900] [--smp N]
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = b"JEMU-BOOT-OK"


def boot(cmd, timeout):
    """Seconds from spawn to MARK, or None (the process is killed once the mark is seen)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    killer = threading.Timer(timeout, p.kill)
    killer.start()
    seen = None
    try:
        for line in p.stdout:
            if MARK in line:
                seen = time.perf_counter() - t0
                break
    finally:
        killer.cancel()
        p.kill()
        p.wait()
    return seen


def summary(xs):
    return f"{statistics.median(xs):7.2f} [{min(xs):.2f} - {max(xs):.2f}]" if xs else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="riscv64", choices=["riscv64", "arm64", "amd64"])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--kit", default=None, help="kit directory (default: $JEMU_KIT_DIR or ~/.cache/jemu/kit, /ARCH)")
    ap.add_argument("--jemu", default=os.path.join(os.path.dirname(HERE), "jemu"))
    ap.add_argument("--qemu", default=None, help="QEMU command (default: qemu-system-riscv64 / qemu-system-aarch64)")
    ap.add_argument("--jemu-bios", default=None, help="firmware for jemu (default: the built-in SBI)")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--smp", default="1", help="-smp for both (riscv64 virt: several harts)")
    a = ap.parse_args()
    arm = a.arch == "arm64"
    x86 = a.arch == "amd64"
    k = a.kit or os.path.join(os.environ.get("JEMU_KIT_DIR", os.path.expanduser("~/.cache/jemu/kit")), a.arch)
    need = ("bzImage", "initrd.cpio.gz") if x86 else ("Image", "initrd.cpio.gz") + (() if arm else ("fw_jump.bin",))
    for f in need:
        if not os.path.exists(os.path.join(k, f)):
            sys.exit(f"boot-bench: {k}/{f} missing: run scripts/jemu-kit {a.arch}")
    common = ["-M", "virt", "-smp", a.smp, "-m", "512M", "-nographic", "-no-reboot",
              "-kernel", f"{k}/Image", "-initrd", f"{k}/initrd.cpio.gz",
              "-append", "console=ttyAMA0" if arm else "console=ttyS0"]
    if x86:
        common = ["-M", "microvm", "-cpu", "qemu64", "-smp", a.smp, "-m", "512M", "-nographic", "-no-reboot",
                  "-kernel", f"{k}/bzImage", "-initrd", f"{k}/initrd.cpio.gz",
                  "-append", "console=ttyS0 tsc_early_khz=2000000"]
        jemu = shlex.split(a.jemu) + common
        qemu = shlex.split(a.qemu or "qemu-system-x86_64") + common
    elif arm:
        jemu = shlex.split(a.jemu) + ["-cpu", "cortex-a57"] + common
        qemu = shlex.split(a.qemu or "qemu-system-aarch64") + ["-cpu", "cortex-a57"] + common
    else:
        jemu = shlex.split(a.jemu) + common + (["-bios", a.jemu_bios] if a.jemu_bios else [])
        qemu = shlex.split(a.qemu or "qemu-system-riscv64") + ["-cpu", "rv64", "-bios", f"{k}/fw_jump.bin"] + common
    print(f"jemu: {' '.join(jemu)}\nqemu: {' '.join(qemu)}", flush=True)
    times = {"jemu": [], "qemu": []}
    ratios = []
    for r in range(1, a.runs + 1):
        got = {}
        for name, cmd in (("jemu", jemu), ("qemu", qemu)):
            got[name] = boot(cmd, a.timeout)
            shown = "timeout" if got[name] is None else f"{got[name]:.2f} s"
            print(f"round {r} {name} to JEMU-BOOT-OK: {shown}", flush=True)
            if got[name] is not None:
                times[name].append(got[name])
        if None not in got.values():
            ratios.append(got["jemu"] / got["qemu"])
    print()
    print(f"jemu seconds median [min - max]: {summary(times['jemu'])}")
    print(f"qemu seconds median [min - max]: {summary(times['qemu'])}")
    print(f"jemu/QEMU per round:             {summary(ratios)}")
    print(f"machine: {os.cpu_count()} CPUs, load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
