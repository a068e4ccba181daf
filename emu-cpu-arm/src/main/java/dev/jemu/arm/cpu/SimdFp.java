package dev.jemu.arm.cpu;

/**
 * Data processing - scalar FP and Advanced SIMD (op0 x111): picks the encoding group (Arm ARM C4.1.6) and
 * hands the word to that group's decoder. The groups: {@link FpScalar} (scalar FP data processing, compare,
 * select, immediate, conversions), {@link SimdCopy}, {@link SimdModifiedImm}, {@link SimdPermute},
 * {@link SimdIntThreeSame}, {@link SimdWiden}, {@link SimdIntMisc}, {@link SimdAcross}, {@link SimdShiftImm},
 * {@link SimdFpThreeSame}, {@link SimdFpMisc}, {@link SimdByElement}, {@link SimdCrypto}.
 */
final class SimdFp {
    private SimdFp() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        if ((insn & (1 << 28)) != 0) {
            if ((insn & (1 << 30)) == 0) {
                return FpScalar.decode(insn); // bit 31 is sf in the conversions
            }
            if ((insn >>> 31) != 0) return null;
            return scalarSimd(insn);
        }
        if ((insn >>> 31) != 0) return null;
        return vector(insn);
    }

    /** 0 Q U 0111x ...: the vector groups. */
    private static ArmOp vector(int insn) {
        int bit21 = (insn >>> 21) & 1, bits1110 = (insn >>> 10) & 3, bit15 = (insn >>> 15) & 1;
        boolean u = (insn & (1 << 29)) != 0;
        if ((insn & (1 << 24)) != 0) { // 01111
            if ((insn & (1 << 10)) == 0) return SimdByElement.decode(insn, false);
            return ((insn >>> 19) & 15) == 0 ? SimdModifiedImm.decode(insn) : SimdShiftImm.decode(insn, false);
        }
        if (bit21 == 1) {
            if ((bits1110 & 1) != 0) return SimdIntThreeSame.decode(insn, false);
            if (bits1110 == 0) return SimdWiden.decode(insn);
            int op = (insn >>> 17) & 15;
            if (op == 0) return SimdIntMisc.decode(insn, false);
            if (op == 8) return SimdAcross.decode(insn);
            if ((insn & 0xff3e0c00) == 0x4e280800) return SimdCrypto.aes(insn);
            return null;
        }
        if (bit15 != 0) return null; // FP16 three-same, dot product ...
        if (((insn >>> 21) & 7) == 0 && (insn & (1 << 10)) != 0) return SimdCopy.decode(insn);
        if (!u && bits1110 == 2) return SimdPermute.permute(insn);
        if (!u && bits1110 == 0) return SimdPermute.table(insn);
        if (u && ((insn >>> 22) & 3) == 0 && (insn & (1 << 10)) == 0) return SimdPermute.ext(insn);
        return null;
    }

    /** 01 U 1111x ...: the scalar AdvSIMD groups. */
    private static ArmOp scalarSimd(int insn) {
        if ((insn & (1 << 24)) != 0) {
            if ((insn & (1 << 10)) == 0) return SimdByElement.decode(insn, true);
            return ((insn >>> 19) & 15) == 0 ? null : SimdShiftImm.decode(insn, true);
        }
        int bits1110 = (insn >>> 10) & 3;
        if ((insn & (1 << 21)) != 0) {
            if ((bits1110 & 1) != 0) return SimdIntThreeSame.decode(insn, true);
            if (bits1110 == 0) { // SQDMLAL, SQDMLSL, SQDMULL (scalar)
                if ((insn & (1 << 29)) != 0) return null;
                int kind = SimdSatDoubling.kindOfThreeDiff((insn >>> 12) & 15);
                return SimdSatDoubling.decode(false, true, (insn >>> 22) & 3, kind, insn & 31, (insn >>> 5) & 31,
                        (insn >>> 16) & 31, -1);
            }
            int op = (insn >>> 17) & 15;
            if (op == 0) return SimdIntMisc.decode(insn, true);
            if (op == 8) return SimdFpMisc.scalarPairwise(insn);
            if ((insn & 0xff3e0c00) == 0x5e280800) return SimdCrypto.sha2(insn);
            return null;
        }
        if ((insn & 0xff208c00) == 0x5e000000) return SimdCrypto.sha3(insn);
        if (((insn >>> 21) & 7) == 0 && (insn & (1 << 10)) != 0 && (insn & (1 << 15)) == 0) {
            return SimdCopy.decodeScalar(insn);
        }
        return null;
    }
}
