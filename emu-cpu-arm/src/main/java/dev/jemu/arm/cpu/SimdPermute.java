package dev.jemu.arm.cpu;

/** AdvSIMD permute (UZP1/2, TRN1/2, ZIP1/2), EXT and table lookup (TBL, TBX with 1-4 table registers). */
final class SimdPermute {
    private SimdPermute() {
    }

    /** 0 Q 001110 size 0 Rm 0 opcode 10 Rn Rd. */
    static ArmOp permute(int insn) {
        boolean q = (insn & (1 << 30)) != 0;
        int size = (insn >>> 22) & 3, opcode = (insn >>> 12) & 7;
        if (size == 3 && !q) return null;
        int esize = 1 << size, elements = (q ? 16 : 8) / esize, half = elements / 2;
        int rm = (insn >>> 16) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        int part = opcode >>> 2; // 0 for the "1" forms, 1 for the "2" forms
        int kind = opcode & 3; // 1 UZP, 2 TRN, 3 ZIP
        if (kind == 0) return null;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long n0 = v[2 * rn], n1 = v[2 * rn + 1], m0 = v[2 * rm], m1 = v[2 * rm + 1];
            long r0 = 0, r1 = 0;
            for (int e = 0; e < elements; e++) {
                long x;
                switch (kind) {
                    case 1 -> { // UZP: even (or odd) elements of n:m
                        int idx = 2 * e + part;
                        x = idx < elements ? SimdLanes.lane(n0, n1, idx, esize) : SimdLanes.lane(m0, m1, idx - elements, esize);
                    }
                    case 2 -> { // TRN
                        int pair = e & ~1;
                        x = (e & 1) == 0 ? SimdLanes.lane(n0, n1, pair + part, esize) : SimdLanes.lane(m0, m1, pair + part, esize);
                    }
                    default -> { // ZIP
                        int base = part * half + (e >>> 1);
                        x = (e & 1) == 0 ? SimdLanes.lane(n0, n1, base, esize) : SimdLanes.lane(m0, m1, base, esize);
                    }
                }
                int bit = e * esize * 8;
                if (bit < 64) r0 |= x << bit;
                else r1 |= x << (bit - 64);
            }
            v[2 * rd] = r0;
            v[2 * rd + 1] = q ? r1 : 0;
        };
    }

    /** EXT: 0 Q 101110 00 0 Rm 0 imm4 0 Rn Rd. */
    static ArmOp ext(int insn) {
        boolean q = (insn & (1 << 30)) != 0;
        int pos = (insn >>> 11) & 15;
        if (!q && pos > 7) return null;
        int rm = (insn >>> 16) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        int bytes = q ? 16 : 8;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long n0 = v[2 * rn], n1 = v[2 * rn + 1], m0 = v[2 * rm], m1 = v[2 * rm + 1];
            long r0 = 0, r1 = 0;
            for (int i = 0; i < bytes; i++) {
                int k = i + pos;
                long b = k < bytes ? byteOf(n0, n1, k) : byteOf(m0, m1, k - bytes);
                if (i < 8) r0 |= b << (8 * i);
                else r1 |= b << (8 * (i - 8));
            }
            v[2 * rd] = r0;
            v[2 * rd + 1] = q ? r1 : 0;
        };
    }

    private static long byteOf(long lo, long hi, int k) {
        return ((k < 8 ? lo : hi) >>> (8 * (k & 7))) & 0xff;
    }

    /** TBL/TBX: 0 Q 001110 000 Rm 0 len op 00 Rn Rd. */
    static ArmOp table(int insn) {
        if (((insn >>> 22) & 3) != 0) return null;
        boolean q = (insn & (1 << 30)) != 0, tbx = (insn & (1 << 12)) != 0;
        int regs = ((insn >>> 13) & 3) + 1;
        int rm = (insn >>> 16) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        int bytes = q ? 16 : 8;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long i0 = v[2 * rm], i1 = v[2 * rm + 1], d0 = v[2 * rd], d1 = v[2 * rd + 1];
            long r0 = 0, r1 = 0;
            for (int i = 0; i < bytes; i++) {
                int index = (int) byteOf(i0, i1, i);
                long b;
                if (index < 16 * regs) {
                    int t = (rn + (index >>> 4)) & 31;
                    b = byteOf(v[2 * t], v[2 * t + 1], index & 15);
                } else {
                    b = tbx ? byteOf(d0, d1, i) : 0;
                }
                if (i < 8) r0 |= b << (8 * i);
                else r1 |= b << (8 * (i - 8));
            }
            v[2 * rd] = r0;
            v[2 * rd + 1] = q ? r1 : 0;
        };
    }
}
