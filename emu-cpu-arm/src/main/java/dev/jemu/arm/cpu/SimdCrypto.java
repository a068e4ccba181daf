package dev.jemu.arm.cpu;

/**
 * The ARMv8.0 Cryptographic Extension: AESE, AESD, AESMC, AESIMC, SHA1C/P/M/H/SU0/SU1,
 * SHA256H/H2/SU0/SU1 (PMULL/PMULL2 1Q is in {@link SimdWiden}). The AES S-boxes are computed at class load
 * (multiplicative inverse in GF(2^8) and the affine map), not tabled by hand.
 */
final class SimdCrypto {
    private static final int[] SBOX = new int[256], INV_SBOX = new int[256];

    static {
        for (int x = 0; x < 256; x++) {
            int inv = 0;
            if (x != 0) {
                for (int y = 1; y < 256; y++) {
                    if (gmul(x, y) == 1) {
                        inv = y;
                        break;
                    }
                }
            }
            int s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
            SBOX[x] = s;
            INV_SBOX[s] = x;
        }
    }

    private SimdCrypto() {
    }

    private static int rotl8(int x, int n) {
        return ((x << n) | (x >>> (8 - n))) & 0xff;
    }

    /** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
    static int gmul(int a, int b) {
        int r = 0;
        while (b != 0) {
            if ((b & 1) != 0) r ^= a;
            a = (a << 1) ^ ((a & 0x80) != 0 ? 0x11b : 0);
            b >>>= 1;
        }
        return r & 0xff;
    }

    /** AES: 0100 1110 0010 1000 0 opcode 10 Rn Rd. */
    static ArmOp aes(int insn) {
        int opcode = (insn >>> 12) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        if (opcode < 0b00100 || opcode > 0b00111) return null;
        boolean round = opcode <= 0b00101, decrypt = (opcode & 1) != 0;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long lo = v[2 * rn], hi = v[2 * rn + 1];
            if (round) {
                lo ^= v[2 * rd];
                hi ^= v[2 * rd + 1];
            }
            long rl = 0, rh = 0;
            if (round) { // (Inv)ShiftRows then (Inv)SubBytes; byte row + 4 * col of the state
                int[] box = decrypt ? INV_SBOX : SBOX;
                for (int i = 15; i >= 0; i--) {
                    int row = i & 3, col = i >>> 2;
                    int from = row + 4 * (decrypt ? (col - row + 4) & 3 : (col + row) & 3);
                    long b = box[byteAt(lo, hi, from)];
                    if (i >= 8) rh = rh << 8 | b;
                    else rl = rl << 8 | b;
                }
            } else { // (Inv)MixColumns, one 32-bit column at a time
                rl = mixColumn((int) lo, decrypt) & 0xffffffffL | (mixColumn((int) (lo >>> 32), decrypt) & 0xffffffffL) << 32;
                rh = mixColumn((int) hi, decrypt) & 0xffffffffL | (mixColumn((int) (hi >>> 32), decrypt) & 0xffffffffL) << 32;
            }
            v[2 * rd] = rl;
            v[2 * rd + 1] = rh;
        };
    }

    private static int byteAt(long lo, long hi, int i) {
        return (int) ((i < 8 ? lo : hi) >>> (8 * (i & 7))) & 0xff;
    }

    /** MixColumns (or its inverse) of one column, row 0 in the low byte. */
    private static int mixColumn(int col, boolean inverse) {
        int a0 = col & 0xff, a1 = (col >>> 8) & 0xff, a2 = (col >>> 16) & 0xff, a3 = col >>> 24;
        int r0, r1, r2, r3;
        if (!inverse) {
            r0 = gmul(a0, 2) ^ gmul(a1, 3) ^ a2 ^ a3;
            r1 = a0 ^ gmul(a1, 2) ^ gmul(a2, 3) ^ a3;
            r2 = a0 ^ a1 ^ gmul(a2, 2) ^ gmul(a3, 3);
            r3 = gmul(a0, 3) ^ a1 ^ a2 ^ gmul(a3, 2);
        } else {
            r0 = gmul(a0, 14) ^ gmul(a1, 11) ^ gmul(a2, 13) ^ gmul(a3, 9);
            r1 = gmul(a0, 9) ^ gmul(a1, 14) ^ gmul(a2, 11) ^ gmul(a3, 13);
            r2 = gmul(a0, 13) ^ gmul(a1, 9) ^ gmul(a2, 14) ^ gmul(a3, 11);
            r3 = gmul(a0, 11) ^ gmul(a1, 13) ^ gmul(a2, 9) ^ gmul(a3, 14);
        }
        return r0 | r1 << 8 | r2 << 16 | r3 << 24;
    }

    // ---------------------------------------------------------------- SHA

    private static int lane(long[] v, int reg, int e) {
        return (int) (v[2 * reg + (e >>> 1)] >>> (32 * (e & 1)));
    }

    private static void put(long[] v, int reg, int[] x) {
        v[2 * reg] = (x[0] & 0xffffffffL) | (long) x[1] << 32;
        v[2 * reg + 1] = (x[2] & 0xffffffffL) | (long) x[3] << 32;
    }

    private static int[] lanes(long[] v, int reg) {
        return new int[] {lane(v, reg, 0), lane(v, reg, 1), lane(v, reg, 2), lane(v, reg, 3)};
    }

    private static int choose(int x, int y, int z) {
        return ((y ^ z) & x) ^ z;
    }

    private static int majority(int x, int y, int z) {
        return (x & y) | ((x | y) & z);
    }

    /** SHA three-register: 0101 1110 000 Rm 0 opcode 00 Rn Rd. */
    static ArmOp sha3(int insn) {
        int opcode = (insn >>> 12) & 7, rm = (insn >>> 16) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        switch (opcode) {
            case 0, 1, 2: // SHA1C, SHA1P, SHA1M
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    long[] v = c.v;
                    int[] x = lanes(v, rd);
                    int y = lane(v, rn, 0);
                    for (int e = 0; e < 4; e++) {
                        int t = opcode == 0 ? choose(x[1], x[2], x[3])
                                : opcode == 1 ? x[1] ^ x[2] ^ x[3] : majority(x[1], x[2], x[3]);
                        y = y + Integer.rotateLeft(x[0], 5) + t + lane(v, rm, e);
                        x[1] = Integer.rotateLeft(x[1], 30);
                        int top = x[3];
                        x[3] = x[2];
                        x[2] = x[1];
                        x[1] = x[0];
                        x[0] = y;
                        y = top;
                    }
                    put(v, rd, x);
                };
            case 3: // SHA1SU0
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    long[] v = c.v;
                    long lo = v[2 * rd + 1] ^ v[2 * rd] ^ v[2 * rm];
                    long hi = v[2 * rn] ^ v[2 * rd + 1] ^ v[2 * rm + 1];
                    v[2 * rd] = lo;
                    v[2 * rd + 1] = hi;
                };
            case 4, 5: // SHA256H, SHA256H2
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    long[] v = c.v;
                    boolean part1 = opcode == 4;
                    int[] x = lanes(v, part1 ? rd : rn), y = lanes(v, part1 ? rn : rd);
                    for (int e = 0; e < 4; e++) {
                        int chs = choose(y[0], y[1], y[2]);
                        int maj = majority(x[0], x[1], x[2]);
                        int t = y[3] + sigma1(y[0]) + chs + lane(v, rm, e);
                        x[3] = t + x[3];
                        y[3] = t + sigma0(x[0]) + maj;
                        int yTop = y[3], xTop = x[3];
                        y[3] = y[2];
                        y[2] = y[1];
                        y[1] = y[0];
                        y[0] = xTop;
                        x[3] = x[2];
                        x[2] = x[1];
                        x[1] = x[0];
                        x[0] = yTop;
                    }
                    put(v, rd, part1 ? x : y);
                };
            case 6: // SHA256SU1
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    long[] v = c.v;
                    int[] op1 = lanes(v, rd), op2 = lanes(v, rn), op3 = lanes(v, rm);
                    int[] t0 = {op2[1], op2[2], op2[3], op3[0]};
                    int[] r = new int[4];
                    for (int e = 0; e < 4; e++) {
                        int elt = e < 2 ? op3[2 + e] : r[e - 2];
                        elt = Integer.rotateRight(elt, 17) ^ Integer.rotateRight(elt, 19) ^ (elt >>> 10);
                        r[e] = elt + op1[e] + t0[e];
                    }
                    put(v, rd, r);
                };
            default:
                return null;
        }
    }

    private static int sigma0(int x) {
        return Integer.rotateRight(x, 2) ^ Integer.rotateRight(x, 13) ^ Integer.rotateRight(x, 22);
    }

    private static int sigma1(int x) {
        return Integer.rotateRight(x, 6) ^ Integer.rotateRight(x, 11) ^ Integer.rotateRight(x, 25);
    }

    /** SHA two-register: 0101 1110 0010 1000 0 opcode 10 Rn Rd. */
    static ArmOp sha2(int insn) {
        int opcode = (insn >>> 12) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        switch (opcode) {
            case 0: // SHA1H
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    Vreg.setScalar(c.v, rd, 4, Integer.rotateLeft(lane(c.v, rn, 0), 30) & 0xffffffffL);
                };
            case 1: // SHA1SU1
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    long[] v = c.v;
                    int[] d = lanes(v, rd), n = lanes(v, rn);
                    int[] t = {d[0] ^ n[1], d[1] ^ n[2], d[2] ^ n[3], d[3]};
                    int[] r = {Integer.rotateLeft(t[0], 1), Integer.rotateLeft(t[1], 1), Integer.rotateLeft(t[2], 1),
                        Integer.rotateLeft(t[3], 1) ^ Integer.rotateLeft(t[0], 2)};
                    put(v, rd, r);
                };
            case 2: // SHA256SU0
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    long[] v = c.v;
                    int[] d = lanes(v, rd);
                    int[] t = {d[1], d[2], d[3], lane(v, rn, 0)};
                    int[] r = new int[4];
                    for (int e = 0; e < 4; e++) {
                        int elt = t[e];
                        r[e] = (Integer.rotateRight(elt, 7) ^ Integer.rotateRight(elt, 18) ^ (elt >>> 3)) + d[e];
                    }
                    put(v, rd, r);
                };
            default:
                return null;
        }
    }
}
