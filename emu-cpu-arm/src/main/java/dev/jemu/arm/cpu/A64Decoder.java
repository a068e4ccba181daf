package dev.jemu.arm.cpu;

import dev.jemu.core.log.DebugLog;

/**
 * The A64 top-level decode (Arm ARM C4.1): bits 28:25 pick the encoding group, whose decoder builds the op.
 * A group decoder returns null for an unallocated encoding, which becomes {@link #UNDEFINED}.
 */
public final class A64Decoder {
    /** Raises the Undefined Instruction exception (EC 0). */
    public static final ArmOp UNDEFINED = c -> {
        throw c.undefined();
    };

    private A64Decoder() {
    }

    public static ArmOp decode(int insn) {
        ArmOp op = group(insn);
        if (op != null) {
            return op;
        }
        if (DebugLog.on(DebugLog.Category.UNIMP)) {
            // -d unimp: name the word when it runs (an unallocated encoding, or one jemu does not implement)
            return c -> {
                DebugLog.log(DebugLog.Category.UNIMP, "aarch64: undefined instruction 0x%08x at pc 0x%016x (EL%d)",
                        insn, c.pc, c.el);
                throw c.undefined();
            };
        }
        return UNDEFINED;
    }

    private static ArmOp group(int insn) {
        int op0 = (insn >>> 25) & 0xf;
        switch (op0) {
            case 0b1000, 0b1001:
                return DataProcImm.decode(insn);
            case 0b1010, 0b1011:
                return isSystemOrException(insn) ? SystemInsns.decode(insn) : Branches.decode(insn);
            case 0b0100, 0b0110, 0b1100, 0b1110:
                return (insn & (1 << 26)) != 0 ? SimdLoadStore.decode(insn) : LoadStore.decode(insn);
            case 0b0101, 0b1101:
                return DataProcReg.decode(insn);
            case 0b0111, 0b1111:
                return SimdFp.decode(insn);
            default:
                return null; // reserved, SVE, unallocated
        }
    }

    /** Exception generation (SVC/HVC/SMC/BRK/HLT/DCPS), system (hints, barriers, MSR/MRS, SYS) and ERET/DRPS. */
    static boolean isSystemOrException(int insn) {
        return (insn >>> 24) == 0xd4 || (insn >>> 22) == 0x354 || (insn & 0xfffffbff) == 0xd69f03e0
                || insn == 0xd6bf03e0;
    }
}
