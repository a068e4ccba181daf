#!/usr/bin/env python3
"""savevm / loadvm of a booted 512 MiB guest, jemu beside QEMU 7.2, on the Debian riscv64 guest kit.

Each emulator boots the kit's kernel and initramfs with a shell on the console and the kit's root disk (a qcow2
copy in a temporary directory), starts a counter loop on a tmpfs and the disk, and saves snapshot s1:
  QEMU: `savevm s1` on its HMP (-monitor unix:SOCKET,server=on,wait=off), timed round trip; then `loadvm s1` on
        the running VM, timed the same way.
  jemu: the test-only trigger -Djemu.test.savevm=s1@SAVE-NOW (no monitor yet); jemu prints its savevm time.
Then, for both, `--runs` cold starts with -loadvm s1: the time from spawn to the shell answering a typed command,
and for jemu the loadvm time it prints (-Djemu.stats=true: state read to running). QEMU 7.2's riscv64 guest may
sit idle after -loadvm (the typed line is echoed, the command never runs): such runs are counted, not timed.

usage: snapshot-bench.py [--runs 3] [--kit DIR] [--jemu CMD] [--timeout 900]
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

from console_guest import COUNTER, Guest, kill_all

HERE = os.path.dirname(os.path.abspath(__file__))


def hmp(path, command):
    """Seconds for one HMP command on QEMU's monitor socket."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    buf = b""
    while not buf.endswith(b"(qemu) "):
        buf += s.recv(4096)
    t0 = time.perf_counter()
    s.sendall(command.encode() + b"\n")
    buf = b""
    while not buf.endswith(b"(qemu) "):
        r = s.recv(4096)
        if not r:
            break
        buf += r
    s.close()
    return time.perf_counter() - t0


def answer_time(cmd, env, timeout):
    """Spawn to the shell's answer to a typed command (started from a snapshot)."""
    g = Guest(cmd, env)
    g.type(b"echo TYPED-$((6*7))\n")
    try:
        t = g.wait_for(b"TYPED-42", timeout)
    except RuntimeError:
        # QEMU 7.2's riscv64 guest may sit idle after -loadvm (its timer is not re-armed): no answer
        g.p.kill()
        g.end()
        return None, None
    g.type(b"poweroff -f\n")
    g.end()
    m = re.search(rb"loadvm s1: \d+ bytes of VM state in ([0-9.]+) ms", g.err)
    return t, (float(m.group(1)) if m else None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kit", default=os.path.expanduser("~/.cache/jemu/kit/riscv64"))
    ap.add_argument("--jemu", default=os.path.join(HERE, "..", "jemu"))
    ap.add_argument("--timeout", type=float, default=900)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="snapshot-bench-")
    k = lambda f: os.path.join(a.kit, f)
    guest = ["-M", "virt", "-m", "512M", "-nographic", "-kernel", k("Image"), "-initrd", k("initrd.cpio.gz"),
             "-append", "console=ttyS0 jemu.shell"]
    try:
        # QEMU
        qdisk, mon = os.path.join(work, "q.qcow2"), os.path.join(work, "mon.sock")
        shutil.copy(k("root.qcow2"), qdisk)
        qemu = ["qemu-system-riscv64"] + guest + ["-bios", k("fw_dynamic.bin"), "-drive", "file=%s,if=virtio" % qdisk,
                                                  "-monitor", "unix:%s,server=on,wait=off" % mon]
        g = Guest(qemu)
        g.wait_for(b" # ", a.timeout)
        g.type(COUNTER)
        time.sleep(3)
        q_save = hmp(mon, "savevm s1")
        q_load = hmp(mon, "loadvm s1")
        hmp(mon, "quit")
        g.end()
        q_cold = [answer_time(qemu + ["-loadvm", "s1"], None, 30)[0] for _ in range(a.runs)]

        # jemu
        jdisk = os.path.join(work, "j.qcow2")
        shutil.copy(k("root.qcow2"), jdisk)
        jemu = [a.jemu] + guest + ["-drive", "file=%s,if=virtio" % jdisk]
        env = dict(os.environ, JEMU_JAVA_OPTS="-Djemu.test.savevm=s1@SAVE-NOW")
        g = Guest(jemu, env)
        g.wait_for(b" # ", a.timeout)
        g.type(COUNTER)
        time.sleep(3)
        g.type(b'echo SAVE""-NOW\n')
        g.end()
        m = re.search(rb"savevm s1: (\d+) bytes of VM state in ([0-9.]+) ms", g.err)
        if not m:
            raise RuntimeError("jemu did not save: %r" % bytes(g.err))
        j_save = float(m.group(2)) / 1000
        env = dict(os.environ, JEMU_JAVA_OPTS="-Djemu.stats=true")
        j_runs = [answer_time(jemu + ["-loadvm", "s1"], env, 120) for _ in range(a.runs)]
        print(subprocess.run(["qemu-img", "snapshot", "-l", qdisk], capture_output=True, text=True).stdout.strip())
        print(subprocess.run(["qemu-img", "snapshot", "-l", jdisk], capture_output=True, text=True).stdout.strip())
        med = lambda xs: statistics.median(xs) * 1000
        print("savevm:                       jemu %6.0f ms   QEMU %6.0f ms" % (j_save * 1000, q_save * 1000))
        print("loadvm (state read to run):   jemu %6.0f ms   QEMU %6.0f ms (HMP loadvm of the running VM)"
              % (statistics.median([r[1] for r in j_runs]), q_load * 1000))
        q_ok = [t for t in q_cold if t is not None]
        print("-loadvm spawn to shell answer: jemu %6.0f ms   QEMU %s (medians of %d)"
              % (med([r[0] for r in j_runs]), "%6.0f ms" % med(q_ok) if q_ok else "-", a.runs))
        print("  QEMU runs without an answer within 30 s (guest idle after -loadvm): %d of %d"
              % (len(q_cold) - len(q_ok), len(q_cold)))
    finally:
        kill_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
