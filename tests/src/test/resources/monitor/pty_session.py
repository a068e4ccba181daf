#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal (as a user's terminal: raw mode, escape keys) and types into it.

usage: pty_session.py STEPS_JSON COMMAND [ARGS...]
STEPS_JSON is a list of [wait_for, send, pause_seconds]: once the output (after the previous match) contains
wait_for, pause, then type send. Then it waits for the command to end. Prints everything the command wrote
and exits with its status (99 when a wait_for never came, after 60 s).
"""
import json
import os
import pty
import select
import sys
import time

steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
buf = b""


def pump(seconds):
    global buf
    r, _, _ = select.select([fd], [], [], seconds)
    if r:
        try:
            buf += os.read(fd, 65536)
        except OSError:
            return False
    return True


pos = 0
for wait, send, pause in steps:
    deadline = time.time() + 60
    while buf.find(wait.encode(), pos) < 0:
        if time.time() > deadline or not pump(0.05):
            sys.stdout.buffer.write(buf + ("\n[pty_session: no %r]\n" % wait).encode())
            os.kill(pid, 9)
            sys.exit(99)
    pos = buf.find(wait.encode(), pos) + len(wait)
    end = time.time() + pause
    while time.time() < end:
        pump(0.05)
    os.write(fd, send.encode())
deadline = time.time() + 30
status = None
while time.time() < deadline:
    pump(0.05)
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(st)
        break
while pump(0.05) and select.select([fd], [], [], 0)[0]:
    pass
sys.stdout.buffer.write(buf)
if status is None:
    os.kill(pid, 9)
    sys.exit(98)
sys.exit(status)
