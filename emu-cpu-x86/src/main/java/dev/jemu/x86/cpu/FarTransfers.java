package dev.jemu.x86.cpu;

/**
 * Far control transfers: JMP/CALL far (direct, indirect, through call gates), RET far and IRET, in real mode and
 * protected/long mode with the descriptor and privilege checks of SDM vol. 2 (JMP, CALL, RET, IRET pages). Each
 * computes its checks and writes (pushes) before it changes a register, so a fault leaves the state unchanged.
 * Hardware task switches (TSS and task-gate targets, IRET with NT in legacy mode) and virtual-8086 mode are not
 * implemented: they raise #GP(selector) / #GP(0).
 */
final class FarTransfers {
    private FarTransfers() {
    }

    private static boolean longMode(X86Cpu c) {
        return (c.efer & X86Cpu.EFER_LMA) != 0;
    }

    /** The linear address of stack offset {@code sp} (wrapped to the stack size). */
    private static long stackAt(X86Cpu c, long sp) {
        return c.linear(X86Cpu.SS, sp & X86Cpu.mask(c.stackBits));
    }

    /** Pushes {@code values} at {@code size} bits below the current stack pointer; returns the new pointer. */
    private static long pushAll(X86Cpu c, int size, long... values) {
        long sp = c.r[X86Cpu.RSP];
        for (long v : values) {
            sp -= size / 8;
            c.write(stackAt(c, sp), size, v);
        }
        return sp;
    }

    private static void setSp(X86Cpu c, long sp) {
        c.setReg(X86Cpu.RSP, c.stackBits, sp);
    }

    /** Loads CS in real or virtual-8086 mode (selector << 4; the cached limit and attributes stay). */
    private static void loadRealCs(X86Cpu c, int sel) {
        Segment cs = c.seg[X86Cpu.CS];
        cs.selector = sel & 0xffff;
        cs.base = (long) (sel & 0xffff) << 4;
        c.updateMode();
    }

    /** Checks a code segment as a direct JMP/CALL target; returns its descriptor. */
    private static long checkDirectCode(X86Cpu c, int sel, long raw) {
        int dpl = Descriptors.dpl(raw);
        if ((Descriptors.type(raw) & Descriptors.CONFORMING) != 0) {
            if (dpl > c.cpl) {
                throw c.fault(Vectors.GP, Descriptors.err(sel, false));
            }
        } else if ((sel & 3) > c.cpl || dpl != c.cpl) {
            throw c.fault(Vectors.GP, Descriptors.err(sel, false));
        }
        checkLongModeCode(c, sel, raw);
        if (!Descriptors.present(raw)) {
            throw c.fault(Vectors.NP, Descriptors.err(sel, false));
        }
        return raw;
    }

    /** In long mode a code segment with both L and D set is reserved. */
    private static void checkLongModeCode(X86Cpu c, int sel, long raw) {
        if (longMode(c) && (raw & 1L << 53) != 0 && (raw & 1L << 54) != 0) {
            throw c.fault(Vectors.GP, Descriptors.err(sel, false));
        }
    }

    private static void commitCs(X86Cpu c, int sel, long raw, int cpl, long rip) {
        raw = Descriptors.markAccessed(c, sel, raw);
        Descriptors.load(c.seg[X86Cpu.CS], sel & 0xfffc | cpl, raw);
        c.cpl = cpl;
        c.updateMode();
        c.nrip = c.is64() ? rip : rip & 0xffffffffL;
        c.endBlock();
    }

    /** The offset of a transfer's target, which must be canonical in 64-bit code and within a 16/32-bit limit. */
    private static void checkTarget(X86Cpu c, long raw, long rip) {
        boolean to64 = longMode(c) && (raw & 1L << 53) != 0;
        if (to64 ? !Interrupts.canonical(rip) : rip > Descriptors.limit(raw)) {
            throw c.fault(Vectors.GP, 0);
        }
    }

    /** JMP far / CALL far to {@code sel:offset}; {@code size} is the operand size (16, 32, 64). */
    static void jump(X86Cpu c, int sel, long offset, boolean call, int size) {
        sel &= 0xffff;
        if (!Descriptors.protectedMode(c)) {
            long target = offset & X86Cpu.mask(size);
            if (call) {
                setSp(c, pushAll(c, size, c.seg[X86Cpu.CS].selector, c.nrip));
            }
            loadRealCs(c, sel);
            c.nrip = target;
            c.endBlock();
            return;
        }
        if ((sel & 0xfffc) == 0) {
            throw c.fault(Vectors.GP, 0);
        }
        long raw = Descriptors.fetch(c, sel, false);
        if (Descriptors.codeOrData(raw)) {
            if (!Descriptors.isCode(raw)) {
                throw c.fault(Vectors.GP, Descriptors.err(sel, false));
            }
            checkDirectCode(c, sel, raw);
            long target = size == 64 ? offset : offset & X86Cpu.mask(size);
            checkTarget(c, raw, target);
            if (call) {
                setSp(c, pushAll(c, size, c.seg[X86Cpu.CS].selector, c.nrip));
            }
            commitCs(c, sel, raw, c.cpl, target);
            return;
        }
        int type = Descriptors.type(raw);
        if (type == Descriptors.CALL_GATE || type == Descriptors.CALL_GATE16 && !longMode(c)) {
            throughCallGate(c, sel, raw, call);
            return;
        }
        throw c.fault(Vectors.GP, Descriptors.err(sel, false)); // TSS, task gate: no hardware task switching
    }

    private static void throughCallGate(X86Cpu c, int sel, long gate, boolean call) {
        int gdpl = Descriptors.dpl(gate);
        if (gdpl < c.cpl || (sel & 3) > gdpl) {
            throw c.fault(Vectors.GP, Descriptors.err(sel, false));
        }
        if (!Descriptors.present(gate)) {
            throw c.fault(Vectors.NP, Descriptors.err(sel, false));
        }
        boolean lm = longMode(c);
        boolean gate32 = (Descriptors.type(gate) & 8) != 0;
        int size = lm ? 64 : gate32 ? 32 : 16;
        long offset = (gate & 0xffff) | (gate32 ? gate >>> 32 & 0xffff0000L : 0);
        if (lm) {
            long hi = Descriptors.fetchHigh(c, sel, false);
            if ((hi >>> 40 & 0x1f) != 0) {
                throw c.fault(Vectors.GP, Descriptors.err(sel, false));
            }
            offset |= hi << 32;
        }
        int tsel = (int) (gate >>> 16) & 0xffff;
        if ((tsel & 0xfffc) == 0) {
            throw c.fault(Vectors.GP, 0);
        }
        long raw = Descriptors.fetch(c, tsel, false);
        int dpl = Descriptors.dpl(raw);
        if (!Descriptors.isCode(raw) || dpl > c.cpl
                || lm && ((raw & 1L << 53) == 0 || (raw & 1L << 54) != 0)) {
            throw c.fault(Vectors.GP, Descriptors.err(tsel, false));
        }
        boolean conforming = (Descriptors.type(raw) & Descriptors.CONFORMING) != 0;
        if (!call && !conforming && dpl != c.cpl) {
            throw c.fault(Vectors.GP, Descriptors.err(tsel, false));
        }
        if (!Descriptors.present(raw)) {
            throw c.fault(Vectors.NP, Descriptors.err(tsel, false));
        }
        checkTarget(c, raw, offset);
        if (!call) {
            commitCs(c, tsel, raw, c.cpl, offset);
            return;
        }
        if (conforming || dpl == c.cpl) {
            setSp(c, pushAll(c, size, c.seg[X86Cpu.CS].selector, c.nrip));
            commitCs(c, tsel, raw, c.cpl, offset);
            return;
        }
        // a call to a more privileged level: the new stack comes from the TSS (parameters are not copied)
        if (!lm && (gate >>> 32 & 0x1f) != 0) {
            throw c.fault(Vectors.GP, Descriptors.err(sel, false)); // parameter copying is not implemented
        }
        long oldSs = c.seg[X86Cpu.SS].selector;
        long oldSp = c.r[X86Cpu.RSP];
        long retCs = c.seg[X86Cpu.CS].selector;
        if (lm) {
            long rsp = Descriptors.supervisorRead(c, c.tr.base + 4 + dpl * 8L, 64);
            long[] frame = {oldSs, oldSp, retCs, c.nrip};
            for (long v : frame) {
                rsp -= 8;
                Descriptors.supervisorWrite(c, rsp, 64, v);
            }
            Descriptors.loadNull(c.seg[X86Cpu.SS], dpl);
            c.seg[X86Cpu.SS].attr = dpl << Segment.DPL_SHIFT;
            c.r[X86Cpu.RSP] = rsp;
        } else {
            boolean tss32 = (c.tr.type() & 8) != 0;
            long sp = Descriptors.supervisorRead(c, c.tr.base + (tss32 ? 4 + dpl * 8 : 2 + dpl * 4), tss32 ? 32 : 16);
            int ssSel = (int) Descriptors.supervisorRead(c, c.tr.base + (tss32 ? 8 + dpl * 8 : 4 + dpl * 4), 16);
            long ss = Descriptors.checkStack(c, ssSel, dpl, Vectors.TS, false);
            int bits = (ss & 1L << 54) != 0 ? 32 : 16;
            long base = Descriptors.base(ss);
            long[] frame = {oldSs, oldSp, retCs, c.nrip};
            for (long v : frame) {
                sp -= size / 8;
                Descriptors.supervisorWrite(c, (base + (sp & X86Cpu.mask(bits))) & 0xffffffffL, size, v);
            }
            ss = Descriptors.markAccessed(c, ssSel, ss);
            Descriptors.load(c.seg[X86Cpu.SS], ssSel, ss);
            c.setReg(X86Cpu.RSP, bits, sp);
        }
        commitCs(c, tsel, raw, dpl, offset);
    }

    /** Checks a code segment popped by RET far / IRET against the CPL and the selector's RPL. */
    private static long checkReturnCode(X86Cpu c, int sel) {
        if ((sel & 0xfffc) == 0) {
            throw c.fault(Vectors.GP, 0);
        }
        long raw = Descriptors.fetch(c, sel, false);
        int rpl = sel & 3;
        if (!Descriptors.isCode(raw) || rpl < c.cpl) {
            throw c.fault(Vectors.GP, Descriptors.err(sel, false));
        }
        int dpl = Descriptors.dpl(raw);
        boolean conforming = (Descriptors.type(raw) & Descriptors.CONFORMING) != 0;
        if (conforming ? dpl > rpl : dpl != rpl) {
            throw c.fault(Vectors.GP, Descriptors.err(sel, false));
        }
        checkLongModeCode(c, sel, raw);
        if (!Descriptors.present(raw)) {
            throw c.fault(Vectors.NP, Descriptors.err(sel, false));
        }
        return raw;
    }

    /**
     * Loads SS:RSP popped by a return to privilege level {@code rpl}; a null SS is allowed returning to 64-bit code
     * at a level other than 3.
     */
    private static Runnable checkReturnStack(X86Cpu c, int ssSel, long sp, int rpl, boolean to64) {
        if ((ssSel & 0xfffc) == 0 && to64 && rpl != 3 && (ssSel & 3) == rpl) {
            return () -> {
                Descriptors.loadNull(c.seg[X86Cpu.SS], ssSel);
                c.seg[X86Cpu.SS].attr = rpl << Segment.DPL_SHIFT;
                c.r[X86Cpu.RSP] = sp;
            };
        }
        long raw = Descriptors.checkStack(c, ssSel, rpl, Vectors.GP, false);
        return () -> {
            Descriptors.load(c.seg[X86Cpu.SS], ssSel, Descriptors.markAccessed(c, ssSel, raw));
            c.r[X86Cpu.RSP] = (raw & 1L << 54) != 0 || to64 ? sp : c.r[X86Cpu.RSP] & ~0xffffL | sp & 0xffff;
        };
    }

    /** RET far [imm16]. */
    static void ret(X86Cpu c, int size, int imm) {
        long sp = c.r[X86Cpu.RSP];
        long rip = c.read(stackAt(c, sp), size);
        int sel = (int) c.read(stackAt(c, sp + size / 8), 16);
        sp += 2 * (size / 8);
        if (!Descriptors.protectedMode(c)) {
            setSp(c, sp + imm);
            loadRealCs(c, sel);
            c.nrip = rip;
            c.endBlock();
            return;
        }
        long raw = checkReturnCode(c, sel);
        int rpl = sel & 3;
        boolean to64 = longMode(c) && (raw & 1L << 53) != 0;
        checkTarget(c, raw, rip);
        if (rpl == c.cpl) {
            setSp(c, sp + imm);
            commitCs(c, sel, raw, rpl, rip);
            return;
        }
        sp += imm;
        long newSp = c.read(stackAt(c, sp), size);
        int ssSel = (int) c.read(stackAt(c, sp + size / 8), 16);
        Runnable loadSs = checkReturnStack(c, ssSel, newSp + imm, rpl, to64);
        commitCs(c, sel, raw, rpl, rip);
        loadSs.run();
        c.updateMode();
        Descriptors.dropInaccessibleDataSegments(c);
    }

    /** IRET / IRETD / IRETQ ({@code size} 16, 32, 64). */
    static void iret(X86Cpu c, int size) {
        long sp = c.r[X86Cpu.RSP];
        int step = size / 8;
        long rip = c.read(stackAt(c, sp), size);
        int sel = (int) c.read(stackAt(c, sp + step), 16);
        long flags = c.read(stackAt(c, sp + 2L * step), size);
        sp += 3L * step;
        long old = c.rflags();
        c.interrupts.nmiBlocked = false;
        if (!Descriptors.protectedMode(c)) {
            if ((c.rflagsOther & X86Cpu.VM) != 0) {
                throw c.fault(Vectors.GP, 0); // virtual-8086 mode is not implemented
            }
            setSp(c, sp);
            loadRealCs(c, sel);
            c.setRflags(mergeFlags(old, flags, size, 0, 0));
            c.nrip = rip & X86Cpu.mask(size);
            c.endBlock();
            return;
        }
        if ((old & X86Cpu.NT) != 0) {
            throw c.fault(Vectors.GP, 0); // long mode: #GP; legacy: a task return, which is not implemented
        }
        if (!longMode(c) && (flags & X86Cpu.VM) != 0 && c.cpl == 0 && size == 32) {
            throw c.fault(Vectors.GP, 0); // return to virtual-8086 mode is not implemented
        }
        long raw = checkReturnCode(c, sel);
        int rpl = sel & 3;
        boolean to64 = longMode(c) && (raw & 1L << 53) != 0;
        checkTarget(c, raw, rip);
        int oldCpl = c.cpl;
        long newFlags = mergeFlags(old, flags, size, oldCpl, (int) (old >>> 12 & 3));
        if (rpl == c.cpl && !c.is64()) {
            setSp(c, sp);
            commitCs(c, sel, raw, rpl, rip);
        } else {
            long newSp = c.read(stackAt(c, sp), size);
            int ssSel = (int) c.read(stackAt(c, sp + step), 16);
            Runnable loadSs = checkReturnStack(c, ssSel, newSp, rpl, to64);
            commitCs(c, sel, raw, rpl, rip);
            loadSs.run();
            c.updateMode();
            if (rpl > oldCpl) {
                Descriptors.dropInaccessibleDataSegments(c);
            }
        }
        c.setRflags(newFlags);
    }

    /** The RFLAGS an IRET/POPF leaves: IOPL only at CPL 0, IF only at CPL <= IOPL, VM/VIF/VIP never here. */
    static long mergeFlags(long old, long popped, int size, int cpl, int iopl) {
        long mask = X86Cpu.CF | X86Cpu.PF | X86Cpu.AF | X86Cpu.ZF | X86Cpu.SF | X86Cpu.TF | X86Cpu.DF | X86Cpu.OF
                | X86Cpu.NT | X86Cpu.RF | X86Cpu.AC | X86Cpu.ID;
        if (cpl <= iopl) {
            mask |= X86Cpu.IF;
        }
        if (cpl == 0) {
            mask |= X86Cpu.IOPL;
        }
        if (size == 16) {
            mask &= 0xffff;
        }
        return old & ~mask | popped & mask | 2;
    }
}
