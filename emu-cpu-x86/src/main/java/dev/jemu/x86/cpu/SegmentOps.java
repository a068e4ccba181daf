package dev.jemu.x86.cpu;

/**
 * Segment register instructions and far transfers: MOV Sreg (8C, 8E), PUSH/POP Sreg (06 07 0E 16 17 1E 1F,
 * 0F A0 A1 A8 A9), LES/LDS (C4/C5 outside 64-bit mode), LSS/LFS/LGS (0F B2 B4 B5), JMP/CALL far direct (EA, 9A),
 * RET far (CA, CB), IRET (CF). JMP/CALL far indirect (FF /5, FF /3) are decoded by the integer core's FF group,
 * which calls {@link #farIndirect}.
 */
final class SegmentOps {
    private SegmentOps() {
    }

    static void register(OpcodeTable t) {
        BranchOps.farIndirect = FAR_INDIRECT; // FF /3 and /5 inside the integer core's FF group
        t.put(OpcodeTable.ONE, 0x8c, SegmentOps::movFromSreg);
        t.put(OpcodeTable.ONE, 0x8e, SegmentOps::movToSreg);
        int[][] pushPop = {{0x06, 0x07, X86Cpu.ES}, {0x0e, -1, X86Cpu.CS}, {0x16, 0x17, X86Cpu.SS},
            {0x1e, 0x1f, X86Cpu.DS}};
        for (int[] p : pushPop) {
            int sreg = p[2];
            t.put(OpcodeTable.ONE, p[0], d -> d.mode == 64 ? null : pushSreg(d, sreg));
            if (p[1] >= 0) {
                t.put(OpcodeTable.ONE, p[1], d -> d.mode == 64 ? null : popSreg(d, sreg));
            }
        }
        t.put(OpcodeTable.TWO, 0xa0, d -> pushSreg(d, X86Cpu.FS));
        t.put(OpcodeTable.TWO, 0xa1, d -> popSreg(d, X86Cpu.FS));
        t.put(OpcodeTable.TWO, 0xa8, d -> pushSreg(d, X86Cpu.GS));
        t.put(OpcodeTable.TWO, 0xa9, d -> popSreg(d, X86Cpu.GS));
        t.put(OpcodeTable.ONE, 0xc4, d -> d.mode == 64 ? null : loadFarPointer(d, X86Cpu.ES));
        t.put(OpcodeTable.ONE, 0xc5, d -> d.mode == 64 ? null : loadFarPointer(d, X86Cpu.DS));
        t.put(OpcodeTable.TWO, 0xb2, d -> loadFarPointer(d, X86Cpu.SS));
        t.put(OpcodeTable.TWO, 0xb4, d -> loadFarPointer(d, X86Cpu.FS));
        t.put(OpcodeTable.TWO, 0xb5, d -> loadFarPointer(d, X86Cpu.GS));
        t.put(OpcodeTable.ONE, 0xea, d -> farDirect(d, false));
        t.put(OpcodeTable.ONE, 0x9a, d -> farDirect(d, true));
        t.put(OpcodeTable.ONE, 0xca, d -> {
            int size = d.rexW() ? 64 : d.opsize == 16 ? 16 : 32;
            int imm = d.imm16();
            return c -> FarTransfers.ret(c, size, imm);
        });
        t.put(OpcodeTable.ONE, 0xcb, d -> {
            int size = d.rexW() ? 64 : d.opsize == 16 ? 16 : 32;
            return c -> FarTransfers.ret(c, size, 0);
        });
        t.put(OpcodeTable.ONE, 0xcf, d -> {
            int size = d.rexW() ? 64 : d.opsize == 16 ? 16 : 32;
            return c -> FarTransfers.iret(c, size);
        });
    }

    private static X86Op movFromSreg(Insn d) {
        int sreg = d.modrmReg();
        if (sreg > 5) {
            return null;
        }
        if (d.isMem()) {
            Ea ea = d.ea();
            return c -> c.write16(ea.linear(c), c.seg[sreg].selector);
        }
        int rm = d.rm();
        int size = d.opsize;
        return c -> c.setReg(rm, size, c.seg[sreg].selector);
    }

    private static X86Op movToSreg(Insn d) {
        int sreg = d.modrmReg();
        if (sreg > 5 || sreg == X86Cpu.CS) {
            return null;
        }
        X86Op op;
        if (d.isMem()) {
            Ea ea = d.ea();
            op = c -> Descriptors.loadData(c, sreg, (int) c.read16(ea.linear(c)));
        } else {
            int rm = d.rm();
            op = c -> Descriptors.loadData(c, sreg, (int) c.r[rm]);
        }
        if (sreg != X86Cpu.SS) {
            return op;
        }
        return c -> {
            op.exec(c);
            c.interruptShadow = true;
            c.endBlock();
        };
    }

    private static X86Op pushSreg(Insn d, int sreg) {
        int size = d.opsize64();
        return c -> c.push(c.seg[sreg].selector, size);
    }

    private static X86Op popSreg(Insn d, int sreg) {
        int size = d.opsize64();
        return c -> {
            long sp = c.r[X86Cpu.RSP];
            int sel = (int) c.read(c.linear(X86Cpu.SS, sp & X86Cpu.mask(c.stackBits)), 16);
            Descriptors.loadData(c, sreg, sel); // faults before RSP moves
            c.setReg(X86Cpu.RSP, c.stackBits, sp + size / 8);
            if (sreg == X86Cpu.SS) {
                c.interruptShadow = true;
                c.endBlock();
            }
        };
    }

    /** LES/LDS/LSS/LFS/LGS r, m16:16/32/64: the offset then the selector. */
    private static X86Op loadFarPointer(Insn d, int sreg) {
        if (!d.isMem()) {
            return null;
        }
        Ea ea = d.ea();
        int reg = d.reg();
        int size = d.opsize;
        return c -> {
            long a = ea.linear(c);
            long off = c.read(a, size);
            int sel = (int) c.read(c.linear(ea.seg, ea.offset(c) + size / 8), 16);
            Descriptors.loadData(c, sreg, sel);
            c.setReg(reg, size, off);
            if (sreg == X86Cpu.SS) {
                c.interruptShadow = true;
                c.endBlock();
            }
        };
    }

    private static X86Op farDirect(Insn d, boolean call) {
        if (d.mode == 64) {
            return null;
        }
        int size = d.opsize;
        long off = size == 16 ? d.imm16() : d.imm32();
        int sel = d.imm16();
        return c -> FarTransfers.jump(c, sel, off, call, size);
    }

    /** FF /3 and FF /5 as one decoder, for the integer core's FF group (its BranchOps.farIndirect hook). */
    static final OpDecoder FAR_INDIRECT = d -> farIndirect(d, d.modrmReg() == 3);

    /**
     * JMP far m16:16/32/64 (FF /5) and CALL far (FF /3), for the integer core's FF group to return. The memory
     * operand holds the offset then the selector; REX.W makes the offset 64-bit. A register operand is #UD (null).
     */
    static X86Op farIndirect(Insn d, boolean call) {
        if (!d.isMem()) {
            return null;
        }
        Ea ea = d.ea();
        int size = d.opsize;
        return c -> {
            long off = c.read(ea.linear(c), size);
            int sel = (int) c.read(c.linear(ea.seg, ea.offset(c) + size / 8), 16);
            FarTransfers.jump(c, sel, off, call, size);
        };
    }
}
