package dev.jemu.x86.cpu;

import dev.jemu.core.log.DebugLog;

import dev.jemu.core.machine.ExitRequest;

/**
 * Exception and interrupt delivery: the real-mode IVT, protected-mode IDT gates (16/32-bit interrupt and trap
 * gates, stack switch through the TSS's SS0:ESP0..), long-mode IDT gates (stack switch to RSP0-2 or IST1-7, 16-byte
 * alignment, SS:RSP always pushed), error codes, IF clearing, #DF when delivery itself faults, and a triple fault
 * as a reset request to the machine loop.
 *
 * <p>Delivery computes and writes the whole new stack frame before it changes a register, so a fault during
 * delivery (a bad gate, a not-present stack, a #PF on the new stack) leaves the CPU as it was, and the second
 * fault is delivered (or escalated to #DF) from the same state.
 */
public final class Interrupts {
    /** What raised the event: what the gate DPL check, EXT bit and the pushed return address depend on. */
    enum Kind {
        /** A fault or trap the CPU raised (EXT=1 in error codes of faults during delivery). */
        EXCEPTION,
        /** An external interrupt or NMI (EXT=1). */
        EXTERNAL,
        /** INT n, INT3, INTO: checked against the gate's DPL. */
        SOFTWARE,
        /** INT1 (ICEBP): no gate DPL check, EXT=1. */
        ICEBP
    }

    private final X86Cpu c;
    /** How many triple faults were requested (tests look at it). */
    int tripleFaults;

    Interrupts(X86Cpu c) {
        this.c = c;
    }

    /** Delivers the fault recorded in c.excVector/excError/excHasError; c.rip is the faulting instruction. */
    public void exception() {
        if (c.excVector == Vectors.UD && DebugLog.on(DebugLog.Category.UNIMP)) {
            DebugLog.log(DebugLog.Category.UNIMP, "x86: #UD at %04x:%x (%d-bit): %s", c.seg[X86Cpu.CS].selector,
                    c.rip, c.codeBits, instructionBytes());
        }
        raise(c.excVector, c.excHasError, c.excError, Kind.EXCEPTION, c.rip);
    }

    /** Up to 15 bytes at CS:RIP in hex, as far as they can be read (for the log). */
    private String instructionBytes() {
        StringBuilder b = new StringBuilder();
        try {
            for (int i = 0; i < Insn.MAX_LENGTH; i++) {
                b.append(String.format("%02x ", c.mmu.fetch8(c.linear(X86Cpu.CS, c.rip + i))));
            }
        } catch (X86Exception e) {
            b.append("(fetch fault)");
        }
        return b.toString().strip();
    }

    /** Delivers external interrupt {@code vector} before the instruction at c.rip. */
    public void external(int vector) {
        c.halted = false;
        raise(vector, false, 0, Kind.EXTERNAL, c.rip);
    }

    /** An NMI is being handled: further NMIs wait for the next IRET (SDM 6.7.1). */
    boolean nmiBlocked;

    /**
     * Delivers an NMI (vector 2, whatever IF says) before the instruction at c.rip, unless one is being handled;
     * returns whether it was taken (the caller keeps a refused one pending).
     */
    public boolean nmi() {
        if (nmiBlocked) {
            return false;
        }
        nmiBlocked = true;
        external(Vectors.NMI);
        return true;
    }

    /**
     * Delivers a software interrupt from inside an op (INT n, INT3, INTO, INT1): the return address is c.nrip,
     * and the handler's address becomes both c.rip and c.nrip (the run loop moves to c.nrip after the op).
     */
    void software(int vector, Kind kind) {
        softwareRaised = true;
        raise(vector, false, 0, kind, c.nrip);
        c.nrip = c.rip;
    }

    /** Set when an op delivers a software interrupt (X86Cpu's single-step: no #DB trap after INT n). */
    boolean softwareRaised;

    /** Delivers a trap-class exception after the instruction that just completed: c.rip is the return address. */
    void trap(int vector) {
        raise(vector, false, 0, Kind.EXCEPTION, c.rip);
    }

    private void raise(int vector, boolean hasError, int error, Kind kind, long returnRip) {
        if (DebugLog.on(DebugLog.Category.INT)) {
            DebugLog.log(DebugLog.Category.INT, "x86: %s %d%s at %04x:%x (cpl %d, %d-bit) cr2=%x rsp=%x",
                    kind, vector, hasError ? String.format(" error %x", error) : "", c.seg[X86Cpu.CS].selector,
                    c.rip, c.cpl, c.codeBits, c.cr2, c.r[X86Cpu.RSP]);
        }
        while (true) {
            try {
                deliver(vector, hasError, error, kind, returnRip);
                c.endBlock();
                return;
            } catch (X86Exception e) {
                int second = c.excVector;
                if (vector == Vectors.DF) {
                    tripleFault();
                    return;
                }
                if (doubleFault(vector, second)) {
                    vector = Vectors.DF;
                    hasError = true;
                    error = 0;
                } else {
                    vector = second;
                    hasError = c.excHasError;
                    error = c.excError;
                }
                kind = Kind.EXCEPTION;
                returnRip = c.rip;
            }
        }
    }

    /** SDM table 6-5: a contributory fault during a contributory one, or a #PF/contributory during a #PF. */
    private static boolean doubleFault(int first, int second) {
        boolean secondContributory = contributory(second);
        if (contributory(first)) {
            return secondContributory;
        }
        return first == Vectors.PF && (secondContributory || second == Vectors.PF);
    }

    private static boolean contributory(int v) {
        return v == Vectors.DE || (v >= Vectors.TS && v <= Vectors.GP);
    }

    /** A fault while delivering #DF: the processor shuts down; the board resets, as on a PC. */
    private void tripleFault() {
        tripleFaults++;
        DebugLog.log(DebugLog.Category.GUEST_ERRORS, "x86: triple fault at %04x:%x: the board resets",
                c.seg[X86Cpu.CS].selector, c.rip);
        c.halted = true;
        c.iflag = false;
        c.endBlock();
        if (c.loop != null) {
            c.loop.requestExit(ExitRequest.reset());
        }
    }

    private void deliver(int vector, boolean hasError, int error, Kind kind, long returnRip) {
        boolean ext = kind == Kind.EXCEPTION || kind == Kind.EXTERNAL || kind == Kind.ICEBP;
        if ((c.cr0 & X86Cpu.CR0_PE) == 0) {
            deliverReal(vector, returnRip);
        } else if ((c.efer & X86Cpu.EFER_LMA) != 0) {
            deliverLong(vector, hasError, error, kind, ext, returnRip);
        } else {
            deliverProtected(vector, hasError, error, kind, ext, returnRip);
        }
    }

    /** Real mode: CS:IP from the IVT, FLAGS, CS and IP pushed, IF, TF and AC cleared. */
    private void deliverReal(int vector, long returnRip) {
        if (vector * 4L + 3 > c.idtLimit) {
            throw c.fault(Vectors.GP, 0);
        }
        long entry = c.read32(c.idtBase + vector * 4L);
        long sp = c.r[X86Cpu.RSP];
        long ssBase = c.seg[X86Cpu.SS].base;
        long m = X86Cpu.mask(c.stackBits);
        long flags = c.rflags();
        c.write16((ssBase + (sp - 2 & m)) & 0xffffffffL, flags);
        c.write16((ssBase + (sp - 4 & m)) & 0xffffffffL, c.seg[X86Cpu.CS].selector);
        c.write16((ssBase + (sp - 6 & m)) & 0xffffffffL, returnRip);
        c.setReg(X86Cpu.RSP, c.stackBits, sp - 6);
        c.setRflags(flags & ~(X86Cpu.IF | X86Cpu.TF | X86Cpu.AC | X86Cpu.RF));
        int sel = (int) (entry >>> 16);
        Segment cs = c.seg[X86Cpu.CS];
        cs.selector = sel;
        cs.base = (long) sel << 4;
        c.rip = entry & 0xffff;
        c.nrip = c.rip;
        c.updateMode();
    }

    private int gateError(int vector, boolean ext) {
        return vector << 3 | 2 | (ext ? 1 : 0);
    }

    /** The target code segment of a gate: present, code, DPL not above the CPL (SDM 6.12.1.1). */
    private long gateTarget(int sel, boolean ext, boolean longMode) {
        if ((sel & 0xfffc) == 0) {
            throw c.fault(Vectors.GP, ext ? 1 : 0);
        }
        long raw = Descriptors.fetch(c, sel, ext);
        if (!Descriptors.isCode(raw) || Descriptors.dpl(raw) > c.cpl
                || longMode && ((raw & 1L << 53) == 0 || (raw & 1L << 54) != 0)) {
            throw c.fault(Vectors.GP, Descriptors.err(sel, ext));
        }
        if (!Descriptors.present(raw)) {
            throw c.fault(Vectors.NP, Descriptors.err(sel, ext));
        }
        return raw;
    }

    private void deliverLong(int vector, boolean hasError, int error, Kind kind, boolean ext, long returnRip) {
        if (vector * 16L + 15 > c.idtLimit) {
            throw c.fault(Vectors.GP, gateError(vector, ext));
        }
        long lo = Descriptors.supervisorRead(c, c.idtBase + vector * 16L, 64);
        long hi = Descriptors.supervisorRead(c, c.idtBase + vector * 16L + 8, 64);
        int type = Descriptors.type(lo);
        if ((type != Descriptors.INT_GATE && type != Descriptors.TRAP_GATE) || Descriptors.codeOrData(lo)) {
            throw c.fault(Vectors.GP, gateError(vector, ext));
        }
        if (kind == Kind.SOFTWARE && Descriptors.dpl(lo) < c.cpl) {
            throw c.fault(Vectors.GP, gateError(vector, false));
        }
        if (!Descriptors.present(lo)) {
            throw c.fault(Vectors.NP, gateError(vector, ext));
        }
        int sel = (int) (lo >>> 16) & 0xffff;
        long target = (lo & 0xffff) | (lo >>> 32 & 0xffff0000L) | hi << 32;
        int ist = (int) (lo >>> 32) & 7;
        long cs = gateTarget(sel, ext, true);
        int newCpl = (Descriptors.type(cs) & Descriptors.CONFORMING) != 0 ? c.cpl : Descriptors.dpl(cs);
        long rsp = c.r[X86Cpu.RSP];
        boolean stackSwitch = newCpl < c.cpl;
        if (ist != 0) {
            rsp = tssRead64(0x24 + (ist - 1) * 8, ext);
        } else if (stackSwitch) {
            rsp = tssRead64(4 + newCpl * 8, ext);
        }
        if (!canonical(target)) {
            throw c.fault(Vectors.GP, ext ? 1 : 0);
        }
        rsp &= ~15L;
        long flags = c.rflags();
        long[] frame = {c.seg[X86Cpu.SS].selector, c.r[X86Cpu.RSP], flags, c.seg[X86Cpu.CS].selector, returnRip, error};
        int n = hasError ? 6 : 5;
        for (int i = 0; i < n; i++) {
            rsp -= 8;
            frameWrite(newCpl, rsp, 64, frame[i]);
        }
        // committed: nothing below faults
        Descriptors.markAccessed(c, sel, cs);
        if (stackSwitch) {
            Descriptors.loadNull(c.seg[X86Cpu.SS], newCpl);
            c.seg[X86Cpu.SS].attr = newCpl << Segment.DPL_SHIFT;
        }
        Descriptors.load(c.seg[X86Cpu.CS], sel & 0xfffc | newCpl, cs | 1L << 40);
        c.cpl = newCpl;
        c.r[X86Cpu.RSP] = rsp;
        long clear = X86Cpu.TF | X86Cpu.NT | X86Cpu.RF | X86Cpu.VM | (type == Descriptors.INT_GATE ? X86Cpu.IF : 0);
        c.setRflags(flags & ~clear);
        c.rip = target;
        c.nrip = target;
        c.updateMode();
    }

    private void deliverProtected(int vector, boolean hasError, int error, Kind kind, boolean ext, long returnRip) {
        if (vector * 8L + 7 > c.idtLimit) {
            throw c.fault(Vectors.GP, gateError(vector, ext));
        }
        long lo = Descriptors.supervisorRead(c, c.idtBase + vector * 8L, 64);
        int type = Descriptors.type(lo);
        if (Descriptors.codeOrData(lo) || (type != Descriptors.INT_GATE && type != Descriptors.TRAP_GATE
                && type != Descriptors.INT_GATE16 && type != Descriptors.TRAP_GATE16)) {
            throw c.fault(Vectors.GP, gateError(vector, ext)); // task gates: no hardware task switching
        }
        if (kind == Kind.SOFTWARE && Descriptors.dpl(lo) < c.cpl) {
            throw c.fault(Vectors.GP, gateError(vector, false));
        }
        if (!Descriptors.present(lo)) {
            throw c.fault(Vectors.NP, gateError(vector, ext));
        }
        boolean gate32 = (type & 8) != 0;
        int size = gate32 ? 32 : 16;
        int sel = (int) (lo >>> 16) & 0xffff;
        long target = (lo & 0xffff) | (gate32 ? lo >>> 32 & 0xffff0000L : 0);
        long cs = gateTarget(sel, ext, false);
        if (target > Descriptors.limit(cs)) {
            throw c.fault(Vectors.GP, ext ? 1 : 0);
        }
        int newCpl = (Descriptors.type(cs) & Descriptors.CONFORMING) != 0 ? c.cpl : Descriptors.dpl(cs);
        boolean stackSwitch = newCpl < c.cpl;
        long flags = c.rflags();
        long ssBase;
        long sp;
        int ssBits;
        long ssRaw = 0;
        int ssSel = 0;
        if (stackSwitch) {
            boolean tss32 = (c.tr.type() & 8) != 0;
            long espOff = tss32 ? 4 + newCpl * 8 : 2 + newCpl * 4;
            long ssOff = tss32 ? 8 + newCpl * 8 : 4 + newCpl * 4;
            if (ssOff + 1 > c.tr.limit) {
                throw c.fault(Vectors.TS, Descriptors.err(c.tr.selector, ext));
            }
            sp = Descriptors.supervisorRead(c, c.tr.base + espOff, tss32 ? 32 : 16);
            ssSel = (int) Descriptors.supervisorRead(c, c.tr.base + ssOff, 16);
            ssRaw = Descriptors.checkStack(c, ssSel, newCpl, Vectors.TS, ext);
            ssBase = Descriptors.base(ssRaw);
            ssBits = (ssRaw & 1L << 54) != 0 ? 32 : 16;
        } else {
            ssBase = c.seg[X86Cpu.SS].base;
            sp = c.r[X86Cpu.RSP];
            ssBits = c.stackBits;
        }
        long m = X86Cpu.mask(ssBits);
        long[] frame = stackSwitch
                ? new long[] {c.seg[X86Cpu.SS].selector, c.r[X86Cpu.RSP], flags, c.seg[X86Cpu.CS].selector, returnRip,
                    error}
                : new long[] {flags, c.seg[X86Cpu.CS].selector, returnRip, error};
        int n = frame.length - (hasError ? 0 : 1);
        long p = sp;
        for (int i = 0; i < n; i++) {
            p -= size / 8;
            frameWrite(newCpl, (ssBase + (p & m)) & 0xffffffffL, size, frame[i]);
        }
        // committed
        if (stackSwitch) {
            ssRaw = Descriptors.markAccessed(c, ssSel, ssRaw);
            Descriptors.load(c.seg[X86Cpu.SS], ssSel, ssRaw);
        }
        Descriptors.markAccessed(c, sel, cs);
        Descriptors.load(c.seg[X86Cpu.CS], sel & 0xfffc | newCpl, cs | 1L << 40);
        c.cpl = newCpl;
        c.setReg(X86Cpu.RSP, ssBits == 32 ? 32 : 16, p);
        long clear = X86Cpu.TF | X86Cpu.NT | X86Cpu.RF | X86Cpu.VM | ((type & 1) == 0 ? X86Cpu.IF : 0);
        c.setRflags(flags & ~clear);
        c.rip = target;
        c.nrip = target;
        c.updateMode();
    }

    /** A push of the interrupt frame: a supervisor access onto a CPL 0-2 stack, a user one at CPL 3. */
    private void frameWrite(int newCpl, long linear, int bits, long v) {
        if (newCpl < 3) {
            Descriptors.supervisorWrite(c, linear, bits, v);
        } else {
            c.write(linear, bits, v);
        }
    }

    /** A 64-bit field of the 64-bit TSS (RSPn, ISTn): #TS(TR) when the TSS is too short for it. */
    private long tssRead64(int offset, boolean ext) {
        if (offset + 7 > c.tr.limit) {
            throw c.fault(Vectors.TS, Descriptors.err(c.tr.selector, ext));
        }
        return Descriptors.supervisorRead(c, c.tr.base + offset, 64);
    }

    static boolean canonical(long a) {
        return a >> 47 == 0 || a >> 47 == -1;
    }
}
