#!/usr/bin/env python3
"""Start-up time, jemu against QEMU: process spawn to the first guest instruction's visible effect, and to exit.

A tiny bare-metal program (benchmarks/startup/ARCH.S, assembled here at run time) writes one byte to the board's
UART as its very first instructions, then a newline, and powers the machine off. Both emulators run it
alternately (jemu, QEMU, jemu, ...) and each run gives two wall times from spawn: to the first byte on stdout
(the first guest instructions have run: JVM start, command line, board built, CPU started) and to the process's
exit (power-off handled, everything closed), and the CPU time the process used (user + system: less disturbed by
other jobs on a loaded machine than wall time). Prints every run, the median [min - max] of each, and the per-round
ratio jemu/QEMU as median [min - max]. Every run must print exactly "J\\n" and exit with status 0.

  riscv64  -M virt -bios none -kernel probe.elf (entered at 0x80000000 in M-mode; 16550A at 0x10000000; power-off
           through sifive_test at 0x100000); qemu-system-riscv64
  aarch64  -M virt -cpu cortex-a57 -kernel probe.elf (EL1 at 0x40000000; PL011 at 0x09000000; PSCI SYSTEM_OFF by
           HVC); qemu-system-aarch64
  x86_64   -M microvm -kernel probe.elf (a PVH ELF, 32-bit entry; 16550A at port 0x3f8; power-off by the ACPI GED);
           qemu-system-x86_64, which starts it through its qboot firmware (part of QEMU's start-up here), jemu
           enters the PVH entry directly as QEMU's firmware leaves it
All runs use -m 128M -nographic. Assembling needs riscv64-unknown-elf-as/ld, aarch64-linux-gnu-as/ld and the
host's as/ld (binutils); an architecture whose tools are missing is skipped with a note.

--phases (jemu through its launcher only) also runs jemu once more with JVM logging and prints where its start-up
goes: the JVM's own creation (-Xlog:startuptime "Create VM"), the classes loaded (-Xlog:class+load: from the
JDK's/jemu's class-data or AOT cache, or parsed from jars and generated), and `jemu -version` (JVM + command line,
no board). --also LABEL=CMD runs another jemu command in every round as well (after jemu, before QEMU), e.g. the
launcher without its AOT cache: --also "noaot=env JEMU_NO_AOT=1 ./jemu" (the dynamic class-data archive instead)
or --also "nocds=env JEMU_NO_CDS=1 ./jemu" (neither).

usage: startup-bench.py [--arch riscv64|aarch64|x86_64|all] [--runs 5] [--jemu CMD] [--also LABEL=CMD]...
                        [--qemu CMD] [--phases] [--timeout 60]
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
SOURCES = os.path.join(HERE, "startup")
EXPECTED = b"J\n"

# arch -> (assembler command, linker command with its layout, emulator arguments before -kernel, QEMU)
ARCHES = {
    "riscv64": (["riscv64-unknown-elf-as", "-march=rv64gc"],
                ["riscv64-unknown-elf-ld", "-N", "--no-warn-rwx-segments", "-Ttext=0x80000000", "-e", "_start"],
                ["-M", "virt", "-bios", "none"], "qemu-system-riscv64"),
    "aarch64": (["aarch64-linux-gnu-as"],
                ["aarch64-linux-gnu-ld", "-N", "--no-warn-rwx-segments", "-Ttext=0x40000000", "-e", "_start"],
                ["-M", "virt", "-cpu", "cortex-a57"], "qemu-system-aarch64"),
    "x86_64": (["as", "--32"],
               ["ld", "-m", "elf_i386", "-N", "--no-warn-rwx-segments", "-Ttext=0x100000",
                "--section-start=.note.Xen=0x100800", "-e", "_start32"],
               ["-M", "microvm"], "qemu-system-x86_64"),
}


def assemble(arch, tmp, loops=0):
    """The probe ELF for arch (LOOPS passes of its loop), or None when the tools are missing."""
    asm, ld, _, _ = ARCHES[arch]
    if not shutil.which(asm[0]) or not shutil.which(ld[0]):
        return None
    obj, elf = os.path.join(tmp, f"{arch}.o"), os.path.join(tmp, f"{arch}.elf")
    subprocess.run(asm + [f"--defsym=LOOPS={loops}", "-o", obj, os.path.join(SOURCES, f"{arch}.S")], check=True)
    subprocess.run(ld + ["-o", elf, obj], check=True)
    return elf


def guest_args(arch, elf):
    return ARCHES[arch][2] + ["-m", "128M", "-nographic", "-kernel", elf]


def run(cmd, timeout, env=None):
    """(seconds to the first byte on stdout, seconds to exit, CPU seconds of the process and its children: user +
    system, which a loaded machine disturbs less than wall time); exits with a message on a wrong output or status."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    killer = threading.Timer(timeout, p.kill)
    killer.start()
    try:
        first = p.stdout.read(1)
        t_first = time.perf_counter() - t0
        rest = p.stdout.read()
        err = p.stderr.read()
        _, wstatus, usage = os.wait4(p.pid, 0)
        t_exit = time.perf_counter() - t0
    finally:
        killer.cancel()
    p.returncode = status = os.waitstatus_to_exitcode(wstatus)
    if first + rest != EXPECTED or status != 0 or err.strip():
        sys.exit(f"startup-bench: {' '.join(cmd)}: status {status}, output {first + rest!r}, "
                 f"stderr {err.decode(errors='replace')[:400]!r} (expected {EXPECTED!r}, status 0, no stderr)")
    return t_first, t_exit, usage.ru_utime + usage.ru_stime


def summary(xs):
    return f"{statistics.median(xs):6.3f} [{min(xs):.3f} - {max(xs):.3f}]" if xs else "-"


def phases(jemu, arch, elf, timeout, tmp):
    """jemu's start-up phases, from JVM logs of one more run (options through the launcher's JEMU_JAVA_OPTS)."""
    log = os.path.join(tmp, "jvm.log")
    env = dict(os.environ)
    env["JEMU_JAVA_OPTS"] = (env.get("JEMU_JAVA_OPTS", "") + f" -Xlog:startuptime,class+load=info:file={log}").strip()
    t_first, t_exit, _ = run(jemu + guest_args(arch, elf), timeout, env)
    text = open(log, errors="replace").read()
    create = re.search(r"Create VM, ([0-9.]+) secs", text)
    loads = [ln.split(" source: ", 1)[1] for ln in text.splitlines()
             if re.search(r"\[class,load *\]", ln) and " source: " in ln]
    shared = sum(1 for s in loads if s.startswith("shared objects file"))
    jars = sum(1 for s in loads if s.startswith(("file:", "jar:")))
    jdk = sum(1 for s in loads if s.startswith("jrt:"))
    t0 = time.perf_counter()
    subprocess.run(jemu + ["-version"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True,
                   timeout=timeout)
    t_version = time.perf_counter() - t0
    print(f"jemu phases ({arch}, one run with -Xlog:startuptime,class+load to a file):")
    print(f"  JVM created (Create VM):             {float(create.group(1)) if create else float('nan'):.3f} s")
    print(f"  jemu -version (JVM + command line):  {t_version:.3f} s")
    print(f"  first guest byte / exit:             {t_first:.3f} s / {t_exit:.3f} s")
    print(f"  classes loaded: {len(loads)}: {shared} mapped from a class-data/AOT cache, {jars} parsed from jemu's "
          f"jars, {jdk} from the JDK's modules, {len(loads) - shared - jars - jdk} generated (lambdas, hidden classes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="riscv64", choices=list(ARCHES) + ["all"])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jemu", default=os.path.join(os.path.dirname(HERE), "jemu"))
    ap.add_argument("--also", action="append", default=[], metavar="LABEL=CMD",
                    help="another jemu command run in every round too, e.g. noaot='env JEMU_NO_AOT=1 ./jemu'")
    ap.add_argument("--qemu", default=None, help="QEMU command (default: qemu-system-ARCH)")
    ap.add_argument("--phases", action="store_true", help="also print jemu's start-up phases (JVM logs)")
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    jemu_cmd = shlex.split(a.jemu)
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as tmp:
        for arch in (list(ARCHES) if a.arch == "all" else [a.arch]):
            elf = assemble(arch, tmp)
            if elf is None:
                print(f"{arch}: skipped (no {ARCHES[arch][0][0]} / {ARCHES[arch][1][0]}: install binutils)\n")
                continue
            runs = [("jemu", jemu_cmd + guest_args(arch, elf))]
            for spec in a.also:
                label, _, cmd = spec.partition("=")
                runs.append((label, shlex.split(cmd) + guest_args(arch, elf)))
            runs.append(("qemu", shlex.split(a.qemu or ARCHES[arch][3]) + guest_args(arch, elf)))
            print("\n".join(f"{name}: {' '.join(cmd)}" for name, cmd in runs), flush=True)
            for name, cmd in runs[:-1]:
                run(cmd, max(a.timeout, 900))   # not counted: builds jemu if its sources changed, and its caches
            first = {name: [] for name, _ in runs}
            done = {name: [] for name, _ in runs}
            cpu = {name: [] for name, _ in runs}
            ratio_first = {name: [] for name, _ in runs[:-1]}
            ratio_exit = {name: [] for name, _ in runs[:-1]}
            for r in range(1, a.runs + 1):
                got = {}
                for name, cmd in runs:
                    got[name] = run(cmd, a.timeout)
                    first[name].append(got[name][0])
                    done[name].append(got[name][1])
                    cpu[name].append(got[name][2])
                    print(f"round {r} {name}: first byte {got[name][0]:.3f} s, exit {got[name][1]:.3f} s, "
                          f"CPU {got[name][2]:.3f} s", flush=True)
                for name in ratio_first:
                    ratio_first[name].append(got[name][0] / got["qemu"][0])
                    ratio_exit[name].append(got[name][1] / got["qemu"][1])
            print()
            w = max(len(name) for name, _ in runs)
            for name, _ in runs:
                print(f"{arch} {name:{w}} first byte s median [min - max]: {summary(first[name])}")
            for name, _ in runs:
                print(f"{arch} {name:{w}} exit s       median [min - max]: {summary(done[name])}")
            for name, _ in runs:
                print(f"{arch} {name:{w}} CPU s        median [min - max]: {summary(cpu[name])}")
            for name in ratio_first:
                print(f"{arch} {name:{w}}/QEMU per round, first byte:    {summary(ratio_first[name])}")
                print(f"{arch} {name:{w}}/QEMU per round, exit:          {summary(ratio_exit[name])}")
            if a.phases:
                phases(jemu_cmd, arch, elf, a.timeout, tmp)
            print(f"machine: {os.cpu_count()} CPUs, load average at end {os.getloadavg()[0]:.2f}\n", flush=True)


if __name__ == "__main__":
    main()
