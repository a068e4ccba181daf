#!/usr/bin/env python3
"""Live migration of a booted 512 MiB guest, jemu beside QEMU 7.2, on the Debian riscv64 guest kit.

For each emulator (alternating, --runs rounds): the source boots the kit's kernel and initramfs with a shell on the
console and the kit's root disk (a qcow2 copy in a temporary directory), starts a counter loop on a tmpfs and the
disk, and is migrated over a unix socket (QMP `migrate`, default parameters: max-bandwidth 128 MiB/s, downtime-limit
300 ms, the `events` capability on) to a destination started with `-incoming unix:PATH` on the same disk. Reported
from the source's query-migrate: total time and downtime (guest stopped to handed over), and the pre-copy passes;
then the destination's shell must answer a typed command (QEMU 7.2's riscv64 guest may sit idle after an incoming
migration until a device interrupt: such runs are counted).

usage: migrate-bench.py [--runs 1] [--kit DIR] [--jemu CMD] [--timeout 900]
"""
import argparse
import json
import os
import shutil
import socket
import tempfile
import time

from console_guest import COUNTER, Guest, kill_all

HERE = os.path.dirname(os.path.abspath(__file__))


class Qmp:
    def __init__(self, path, timeout=60):
        end = time.time() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                if time.time() > end:
                    raise
                time.sleep(0.05)
        self.f = self.s.makefile("rw")
        self.f.readline()
        self.events = []
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "event" in r:
                self.events.append(r)
                continue
            if "error" in r:
                raise RuntimeError("%s: %s" % (name, r["error"]))
            return r["return"]


def migrate(emu, base, kit, work, timeout):
    k = lambda f: os.path.join(kit, f)
    disk = os.path.join(work, emu + ".qcow2")
    shutil.copy(k("root.qcow2"), disk)
    guest = base + ["-M", "virt", "-m", "512M", "-display", "none", "-serial", "stdio", "-kernel", k("Image"),
                    "-initrd", k("initrd.cpio.gz"), "-append", "console=ttyS0 jemu.shell",
                    "-drive", "file=%s,if=virtio,format=qcow2" % disk]
    if emu == "qemu":
        guest += ["-bios", k("fw_jump.bin")]
    sq, dq, mig = (os.path.join(work, emu + n) for n in ("-src.sock", "-dst.sock", "-mig.sock"))
    src = Guest(guest + ["-qmp", "unix:%s,server=on,wait=off" % sq])
    src.wait_for(b" # ", timeout)
    src.type(COUNTER)
    time.sleep(5)
    dst = Guest(guest + ["-qmp", "unix:%s,server=on,wait=off" % dq, "-incoming", "unix:" + mig])
    q = Qmp(sq)
    Qmp(dq)  # the destination is up (its socket listens)
    while not os.path.exists(mig):
        time.sleep(0.05)
    q.cmd("migrate-set-capabilities", capabilities=[{"capability": "events", "state": True}])
    q.cmd("migrate", uri="unix:" + mig)
    end = time.time() + timeout
    while True:
        info = q.cmd("query-migrate")
        if info.get("status") not in ("setup", "active", "cancelling", None):
            break
        if time.time() > end:
            raise RuntimeError("migration did not end")
        time.sleep(0.05)
    if info["status"] != "completed":
        raise RuntimeError("%s: migration %s: %s" % (emu, info["status"], info.get("error-desc")))
    dst.type(b"echo TYPED-$((6*7))\n")
    try:
        dst.wait_for(b"TYPED-42", 30)
        answered = True
    except RuntimeError:
        answered = False
    q.cmd("quit")
    src.kill()
    dst.kill()
    return info, answered


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--kit", default=os.path.expanduser("~/.cache/jemu/kit/riscv64"))
    ap.add_argument("--jemu", default=os.path.join(HERE, "..", "jemu"))
    ap.add_argument("--timeout", type=float, default=900)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="migrate-bench-")
    try:
        for run in range(a.runs):
            for emu, base in (("jemu", [a.jemu]), ("qemu", ["qemu-system-riscv64"])):
                info, answered = migrate(emu, base, a.kit, work, a.timeout)
                ram = info["ram"]
                print("run %d %-4s: total %5d ms, downtime %4d ms, setup %3d ms, %d passes, %.1f MiB sent "
                      "(%d pages, %d zero pages not sent), %.0f Mbit/s; destination shell answers: %s"
                      % (run + 1, emu, info["total-time"], info["downtime"], info.get("setup-time", 0),
                         ram["dirty-sync-count"], ram["transferred"] / 2**20, ram["normal"], ram["duplicate"],
                         ram["mbps"], "yes" if answered else "no (guest idle)"), flush=True)
    finally:
        kill_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
