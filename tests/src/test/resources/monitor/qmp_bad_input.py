#!/usr/bin/env python3
"""Sends every class of malformed QMP input over a raw socket and prints each reply, one per line, with event
timestamps blanked: the monitor tests run it against jemu and qemu-system-riscv64 and compare the transcripts.
It also disconnects in the middle of commands and reconnects; with --jemu (cases QEMU 7.2 cannot be compared
on) it sends a stray '}', a message over the 64 MiB limit, and has two clients connected at once.

usage: qmp_bad_input.py SOCKET_PATH [--jemu]
"""
import json
import re
import socket
import sys
import time

PATH = sys.argv[1]


def connect():
    s = socket.socket(socket.AF_UNIX)
    s.connect(PATH)
    s.settimeout(20)
    return s, s.makefile("rwb")


def line(f):
    raw = f.readline().decode()
    return re.sub(r'"seconds": \d+, "microseconds": \d+', '"seconds": S, "microseconds": U', raw.strip())


def send(f, text):
    f.write(text.encode() + b"\n")
    f.flush()


s, f = connect()
print(re.sub(r'"version": \{.*\}, "capabilities"', '"version": V, "capabilities"', line(f)))
send(f, '{"execute": "query-status"}')                        # before negotiation
print(line(f))
send(f, '{"execute": "qmp_capabilities", "arguments": {"enable": ["bogus"]}}')
print(line(f))
send(f, '{"execute": "qmp_capabilities", "id": "neg"}')
print(line(f))
cases = [
    'not json at all',                                          # not JSON
    '{"execute": "query-status",}',                             # broken object
    '{"execute" "query-status"}',
    '[1, 2, 3]',                                                # not an object
    '"a string"',
    '42',
    '{}',                                                       # no execute
    '{"arguments": {}}',
    '{"execute": 5}',                                           # execute not a string
    '{"execute": "query-status", "arguments": [1]}',            # arguments not an object
    '{"execute": "query-status", "bogus": 1}',                  # unknown member
    '{"execute": "no-such-command", "id": 7}',                  # unknown command, id echoed
    '{"execute": "qmp_capabilities", "id": {"a": [1, 2.5, null, true]}}',   # negotiation done
    '{"execute": "human-monitor-command", "arguments": {"command-line": 1}}',  # wrong argument type
    '{"execute": "human-monitor-command", "arguments": {"command-line": "info status", "cpu-index": "0"}}',
    '{"execute": "human-monitor-command", "arguments": {"command-line": "info status", "cpu-index": 3}}',
    '{"execute": "human-monitor-command", "arguments": {}}',    # missing argument
    '{"execute": "stop", "arguments": {"force": true}}',        # extra argument
    '{"execute": "human-monitor-command", "arguments": {"command-line": "foo"}}',   # HMP typo
    '{"execute": "human-monitor-command", "arguments": {"command-line": "info foo"}}',
    "{'execute': 'query-status', 'id': 'single-quoted'}",
    '{"execute": "query-status", "id": 1e3}',
    '{"execute": "query-status", "id": "\\u00e9t\\u00e9"}',
    '{"execute": "query-name"}',
]
for c in cases:
    send(f, c)
    for _ in range(4 if c == 'not json at all' else 1):   # four bad keywords: four errors, as in QEMU
        print(line(f))
send(f, '{"execute": "query-status",\n "id": "two-lines"}')     # one message over two lines
print(line(f))
send(f, '{"execute": "query-name"} {"execute": "query-kvm"}')   # two messages on one line
print(line(f))
print(line(f))

# the client sends commands and goes away before the answers; the VM goes on and takes a new client
f.write(b'{"execute": "stop"}\n{"execute": "cont"}\n{"execute": "query-status"}\n')
f.flush()
s.close()
s, f = connect()
print(re.sub(r'"version": \{.*\}, "capabilities"', '"version": V, "capabilities"', line(f)))
send(f, '{"execute": "qmp_capabilities"}')
print(line(f))
send(f, '{"execute": "cont", "id": "c"}')
got = line(f)
while '"id": "c"' not in got and got:
    got = line(f)   # a RESUME may come first, depending on how far the old client's commands got
print(got)
send(f, '{"execute": "query-status", "id": "after-disconnect"}')
print(line(f))

if "--jemu" in sys.argv:
    # not compared with QEMU: after a stray '}' QEMU 7.2's streamer answers nothing more on that connection
    send(f, '}')
    print(line(f))
    send(f, '{"execute": "query-status", "id": "after-stray-brace"}')
    print(line(f))
    # a message over QEMU's 64 MiB limit, then a normal one (QEMU 7.2 takes minutes to read it)
    f.write(b'{"execute": "query-status", "id": "' + b"x" * (65 << 20) + b'"}\n')
    f.flush()
    print(line(f))
    send(f, '{"execute": "query-status", "id": "after-huge"}')
    got = line(f)
    while '"after-huge"' not in got and got:
        print(got)
        got = line(f)
    print(got)

    # several clients at once (jemu; QEMU's socket chardev takes one client at a time)
    s2, f2 = connect()
    line(f2)
    send(f2, '{"execute": "qmp_capabilities"}')
    print(line(f2))
    send(f2, '{"execute": "stop", "id": "by-second"}')
    print(line(f2))
    print(line(f2))
    print(line(f))
    send(f, '{"execute": "cont", "id": "by-first"}')
    print(line(f))
    print(line(f))
    print(line(f2))
