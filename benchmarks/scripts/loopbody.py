"""What the assembly loop generators share (loopgen_a64.py, loopgen_x86.py): the body of each kind of loop, built
from an ISA's instruction templates so that it retires exactly the asked number of instructions."""
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable, List


@dataclass
class Templates:
    alu: List[Callable[[int], str]]         # the ALU mix, one instruction each, cycled (k: the instruction's index)
    mem: Callable[[int], List[str]]         # load, dependent add, store at a byte offset (three instructions)
    branch: Callable[[int], List[str]]      # a compare-and-branch group, half taken (k: the group's index for labels)
    branch_retired: int                     # what a branch group retires on either path
    call: List[str]                         # a call of `leaf` (which adds and returns)
    call_retired: int
    filler: str                             # one instruction where a group does not fit


def body_lines(kind, n, t):
    """The body proper (without the loop's decrement and branch): lines retiring exactly n instructions."""
    out, retired, k = [], 0, 0
    if kind == "alu":
        while retired < n:
            out.append(t.alu[retired % len(t.alu)](retired))
            retired += 1
    elif kind == "mem":
        while retired < n:
            take = t.mem((k % 32) * 8)[: n - retired]
            out += take
            retired += len(take)
            k += 1
    elif kind in ("branch", "call"):
        group, cost = (t.branch, t.branch_retired) if kind == "branch" else (lambda _: t.call, t.call_retired)
        while retired < n:
            if n - retired >= cost:
                out += group(k)
                retired += cost
                k += 1
            else:
                out.append(t.filler)
                retired += 1
    else:
        raise SystemExit(f"unknown kind {kind}: alu, mem, branch or call")
    return out


def link_elf(source, assembler, linker, files=None):
    """The ELF image of `source` assembled by the `assembler` command and linked by the `linker` command (argument
    lists; "{dir}" in them names the temporary directory, where the `files` (name: text) are written too)."""
    with tempfile.TemporaryDirectory(prefix="loopgen-") as tmp:
        for name, text in {"l.S": source, **(files or {})}.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        obj, elf = os.path.join(tmp, "l.o"), os.path.join(tmp, "l.elf")
        subprocess.run([a.replace("{dir}", tmp) for a in assembler] + ["-o", obj, os.path.join(tmp, "l.S")], check=True)
        subprocess.run([a.replace("{dir}", tmp) for a in linker] + ["-o", elf, obj], check=True)
        with open(elf, "rb") as f:
            return f.read()


def main(build, usage):
    """A generator's command line: KIND BODY ITERATIONS OUT; prints the retired-instruction count."""
    if len(sys.argv) != 5:
        sys.exit(usage)
    img, retired = build(sys.argv[1], int(sys.argv[2]), int(float(sys.argv[3])))
    with open(sys.argv[4], "wb") as f:
        f.write(img)
    print(retired)
