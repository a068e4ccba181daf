#!/usr/bin/env python3
"""Drives a QMP server with QEMU's own client library (qemu.qmp, from QEMU's source tree) and prints what it
saw as JSON: every reply, every event, and their shapes (member names and JSON types). The monitor tests run
it against jemu and against qemu-system-riscv64 and compare.

usage: qmp_session.py SOCKET_PATH   (the VM runs a guest; it is stopped, resumed, reset and quit)
"""
import asyncio
import json
import sys

from qemu.qmp import QMPClient, ExecuteError


def shape(v):
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(v[0])] if v else []
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "str"
    return "null" if v is None else type(v).__name__


async def event(qmp, name, timeout=10):
    async def wait():
        while True:
            e = await qmp.events.get()
            if e["event"] == name:
                return dict(e)
    return await asyncio.wait_for(wait(), timeout)


async def main(path):
    out = {"replies": {}, "events": {}, "errors": {}}
    qmp = QMPClient("jemu-test")
    await qmp.connect(path)
    out["greeting"] = dict(qmp.greeting._raw) if qmp.greeting is not None else None

    async def run(key, cmd, args=None):
        r = await qmp.execute(cmd, args)
        out["replies"][key] = r
        return r

    await run("status-start", "query-status")
    await run("version", "query-version")
    await run("name", "query-name")
    await run("cpus", "query-cpus-fast")
    await run("kvm", "query-kvm")
    await run("hmp-status", "human-monitor-command", {"command-line": "info status"})
    await run("stop", "stop")
    out["events"]["STOP"] = await event(qmp, "STOP")
    await run("status-paused", "query-status")
    await run("cont", "cont")
    out["events"]["RESUME"] = await event(qmp, "RESUME")
    await run("status-running", "query-status")
    await run("system_reset", "system_reset")
    out["events"]["RESET"] = await event(qmp, "RESET")
    for key, cmd, args in [("unknown", "no-such-command", None),
                           ("wrong-type", "human-monitor-command", {"command-line": 42}),
                           ("extra-arg", "stop", {"now": True}),
                           ("missing-arg", "human-monitor-command", {})]:
        try:
            await qmp.execute(cmd, args)
            out["errors"][key] = None
        except ExecuteError as e:
            out["errors"][key] = {"class": e.error_class, "desc": str(e)}
    await run("quit", "quit")
    out["events"]["SHUTDOWN"] = await event(qmp, "SHUTDOWN")
    try:
        await qmp.disconnect()
    except Exception:
        pass  # the server went away after quit, as it should
    out["shapes"] = {
        "greeting": shape(out["greeting"]),
        "replies": {k: shape(v) for k, v in out["replies"].items()},
        "events": {k: shape(v) for k, v in out["events"].items()},
    }
    print(json.dumps(out, sort_keys=True))


asyncio.run(main(sys.argv[1]))
