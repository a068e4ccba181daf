#!/usr/bin/env python3
"""Bare-metal RV64 loop images for interpreter benchmarks (jemu's own generator).

The image is raw code loaded at 0x80000000 (`-bios none -kernel IMAGE`, QEMU virt or jemu). It loads
the iteration count stored in the image, runs a hot loop ITERATIONS times, prints a checksum of the
loop's registers on the UART (16 hex digits and a newline: two emulators must agree on it) and powers
off through the SiFive test device at 0x100000 (exit status 0). Kinds of loop body:
  alu     integer ALU mix (add/sub/xor/or/and/shifts/addi) on independent registers
  mem     8-byte loads and stores on a data page, with dependent adds
  branch  compare-and-branch pairs, half taken
  call    a call to a leaf function and its return
Every body ends with the loop's decrement and backward branch; BODY counts them.

usage: loopgen.py KIND BODY ITERATIONS OUT.bin   (prints the exact retired-instruction count)
"""
import struct
import sys

BASE = 0x80000000
COUNT_AT = 0x7F8        # the 8-byte iteration count, read pc-relative
DATA_AT = 0x1000        # data page for the mem kind
IMAGE_SIZE = 0x2000
TEST_DEVICE = 0x100000
UART = 0x10000000


# --- RV64I encoders (only what the generator needs) -------------------------------------------
def _r(funct7, rs2, rs1, funct3, rd, opcode):
    return funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode


def _i(imm, rs1, funct3, rd, opcode):
    assert -2048 <= imm < 2048
    return (imm & 0xFFF) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode


def _s(imm, rs2, rs1, funct3):
    assert -2048 <= imm < 2048
    imm &= 0xFFF
    return (imm >> 5) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (imm & 0x1F) << 7 | 0x23


def _b(offset, rs2, rs1, funct3):
    assert offset % 2 == 0 and -4096 <= offset < 4096
    o = offset & 0x1FFF
    return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3F) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 \
        | ((o >> 1) & 0xF) << 8 | ((o >> 11) & 1) << 7 | 0x63


def _j(offset, rd):
    assert offset % 2 == 0 and -(1 << 20) <= offset < (1 << 20)
    o = offset & 0x1FFFFF
    return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3FF) << 21 | ((o >> 11) & 1) << 20 \
        | ((o >> 12) & 0xFF) << 12 | rd << 7 | 0x6F


def addi(rd, rs1, imm): return _i(imm, rs1, 0, rd, 0x13)
def slli(rd, rs1, sh): return _i(sh, rs1, 1, rd, 0x13)
def srli(rd, rs1, sh): return _i(sh, rs1, 5, rd, 0x13)
def add(rd, rs1, rs2): return _r(0, rs2, rs1, 0, rd, 0x33)
def sub(rd, rs1, rs2): return _r(0x20, rs2, rs1, 0, rd, 0x33)
def xor(rd, rs1, rs2): return _r(0, rs2, rs1, 4, rd, 0x33)
def or_(rd, rs1, rs2): return _r(0, rs2, rs1, 6, rd, 0x33)
def and_(rd, rs1, rs2): return _r(0, rs2, rs1, 7, rd, 0x33)
def ld(rd, rs1, imm): return _i(imm, rs1, 3, rd, 0x03)
def sd(rs2, rs1, imm): return _s(imm, rs2, rs1, 3)
def sw(rs2, rs1, imm): return _s(imm, rs2, rs1, 2)
def beq(rs1, rs2, off): return _b(off, rs2, rs1, 0)
def bne(rs1, rs2, off): return _b(off, rs2, rs1, 1)
def blt(rs1, rs2, off): return _b(off, rs2, rs1, 4)
def jal(rd, off): return _j(off, rd)
def jalr(rd, rs1, imm): return _i(imm, rs1, 0, rd, 0x67)
def lui(rd, imm20): return (imm20 & 0xFFFFF) << 12 | rd << 7 | 0x37
def sb(rs2, rs1, imm): return _s(imm, rs2, rs1, 0)
def sltiu(rd, rs1, imm): return _i(imm, rs1, 3, rd, 0x13)
def andi(rd, rs1, imm): return _i(imm, rs1, 7, rd, 0x13)
def auipc(rd, imm20): return (imm20 & 0xFFFFF) << 12 | rd << 7 | 0x17


ZERO, RA, SP, T0, T1, T2, S0, S1, A0, A1, A2, A3, A4, A5 = 0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
COUNTER, DATA = 28, 29      # t3 counts down, t4 points at the data page


CALL = "call"   # placeholder for `jal ra, leaf`, patched once the leaf's address is known


def body_filler(kind, n):
    """The body proper (without the loop's decrement and branch) as (word, retired) pairs, where
    `retired` is how many instructions that word stands for on every iteration: exactly n in all."""
    out = []                    # (word, retired)
    retired = lambda: sum(r for _, r in out)
    if kind == "alu":
        pattern = [lambda k: addi(A0 + k % 6, A0 + k % 6, 1 + k % 7),
                   lambda k: add(A0 + (k + 1) % 6, A0 + (k + 1) % 6, A0 + (k + 3) % 6),
                   lambda k: xor(A0 + (k + 2) % 6, A0 + (k + 2) % 6, A0 + k % 6),
                   lambda k: slli(T0, A0 + k % 6, 1 + k % 13),
                   lambda k: sub(A0 + (k + 4) % 6, A0 + (k + 4) % 6, T0),
                   lambda k: srli(T1, A0 + (k + 5) % 6, 3),
                   lambda k: or_(A0 + (k + 5) % 6, A0 + (k + 5) % 6, T1),
                   lambda k: and_(T2, A0 + k % 6, A0 + (k + 1) % 6)]
        while retired() < n:
            out.append((pattern[len(out) % len(pattern)](len(out)), 1))
    elif kind == "mem":
        k = 0
        while retired() < n:
            slot = (k % 32) * 8
            group = [ld(A0, DATA, slot), add(A1, A1, A0), sd(A1, DATA, slot + 256)]
            out += [(w, 1) for w in group[: n - retired()]]
            k += 1
    elif kind == "branch":
        # A5 flips every group, so the beq is taken every other time; both paths retire 3
        while retired() < n:
            if n - retired() >= 3:
                out += [(xor(A5, A5, S1), 1), (beq(A5, ZERO, 8), 1), (jal(ZERO, 8), 0), (addi(A0, A0, 1), 1)]
            else:
                out.append((addi(A1, A1, 1), 1))
    elif kind == "call":
        # jal to a two-instruction leaf (addi, ret) placed after the loop: 3 retired per call
        while retired() < n:
            if n - retired() >= 3:
                out.append((CALL, 3))
            else:
                out.append((addi(A1, A1, 1), 1))
    else:
        raise SystemExit(f"unknown kind {kind}: alu, mem, branch or call")
    assert retired() == n
    return out


def build(kind, body, iterations):
    """Returns (image bytes, exact number of retired instructions up to the power-off store)."""
    if body < 4:
        raise SystemExit("BODY must be at least 4")
    # prologue (at the image base): t4 = data page, t3 = count, s1 = 1 (the branch kind's toggle)
    pro = [auipc(DATA, DATA_AT >> 12), auipc(COUNTER, 0), ld(COUNTER, COUNTER, COUNT_AT - 4), addi(S1, ZERO, 1)]
    # registers the loops and the checksum use start at zero (firmware hand-off values such as the
    # device-tree address in a1 differ between emulators)
    pro += [addi(r, ZERO, 0) for r in [A0 + k for k in range(6)] + [T0, T1, T2, RA]]
    words = list(pro)
    calls = []
    for word, _ in body_filler(kind, body - 2):
        if word == CALL:
            calls.append(len(words))
            word = 0
        words.append(word)
    words.append(addi(COUNTER, COUNTER, -1))
    words.append(bne(COUNTER, ZERO, (len(pro) - len(words)) * 4))
    words += checksum_epilogue()
    epi = [lui(T0, TEST_DEVICE >> 12), lui(T1, 0x5), addi(T1, T1, 0x555), sw(T1, T0, 0), jal(ZERO, 0)]
    words += epi
    leaf = len(words)
    words += [addi(A2, A2, 1), jalr(ZERO, RA, 0)]
    for at in calls:
        words[at] = jal(RA, (leaf - at) * 4)
    if len(words) * 4 > COUNT_AT:
        raise SystemExit("BODY too long for the image layout")
    img = bytearray(IMAGE_SIZE)
    for k, w in enumerate(words):
        struct.pack_into("<I", img, 4 * k, w)
    struct.pack_into("<Q", img, COUNT_AT, iterations)
    return bytes(img), len(pro) + iterations * body + CHECKSUM_RETIRED + 4


# checksum: S0 = a0 ^ a1 ^ ... ^ a5 ^ t0 ^ t1 ^ t2 ^ (data page word 32), printed as 16 hex digits
# with a fixed instruction count (no LSR polling: the emulators' UARTs take bytes at once)
def checksum_epilogue():
    regs = [A0 + k for k in range(6)] + [T0, T1, T2]
    out = [addi(S0, ZERO, 0)]
    out += [xor(S0, S0, r) for r in regs]
    out += [ld(T0, DATA, 256), xor(S0, S0, T0)]
    out += [lui(T1, UART >> 12), addi(T2, ZERO, 60)]          # t2 = shift, counts 60..0 by 4
    loop = len(out)
    out += [_r(0, T2, S0, 5, A0, 0x33),                        # srl a0, s0, t2
            andi(A0, A0, 15),
            sltiu(A1, A0, 10),                                 # a1 = digit < 10
            addi(A0, A0, ord("a") - 10),
            beq(A1, ZERO, 8),
            addi(A0, A0, ord("0") - ord("a") + 10),
            sb(A0, T1, 0),
            addi(T2, T2, -4)]
    out.append(bge_zero(T2, (loop - len(out)) * 4))
    out += [addi(A0, ZERO, 10), sb(A0, T1, 0)]
    return out


def bge_zero(rs1, off): return _b(off, ZERO, rs1, 5)


# retired by checksum_epilogue: 14 set-up, 9 per digit (8 for a letter a-f: its addi is skipped),
# 2 for the newline. Counted as if every digit were 0-9: the count is exact up to 16 instructions,
# nothing against the billions a benchmark delta spans.
CHECKSUM_RETIRED = 14 + 16 * 9 + 2


def main(argv):
    if len(argv) != 5:
        raise SystemExit(__doc__)
    kind, body, iterations, out = argv[1], int(argv[2]), int(float(argv[3])), argv[4]
    img, retired = build(kind, body, iterations)
    with open(out, "wb") as f:
        f.write(img)
    print(retired)


if __name__ == "__main__":
    main(sys.argv)
