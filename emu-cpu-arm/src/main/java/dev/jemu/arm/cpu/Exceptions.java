package dev.jemu.arm.cpu;

import dev.jemu.core.log.DebugLog;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * Taking exceptions to EL1 (the only EL above EL0 here): synchronous ones raised by ops (the syndrome is in the
 * {@link ArmCpu} exc* fields), IRQ/FIQ from the interrupt controller masked by PSTATE.I/F, the vector table at
 * VBAR_EL1, SPSR/ELR/ESR/FAR, and the return (ERET) with its illegal-return checks.
 */
public final class Exceptions {
    static final int VECTOR_SYNC = 0x000, VECTOR_IRQ = 0x080, VECTOR_FIQ = 0x100;
    private static final int DAIF_I = 2, DAIF_F = 1;

    private final ArmCpu c;
    /** PSTATE.IL: set by an illegal exception return; the next instruction raises EC 0x0e. */
    boolean illegalState;

    Exceptions(ArmCpu c) {
        this.c = c;
    }

    void reset() {
        illegalState = false;
    }

    /** Whether an unmasked IRQ or FIQ is pending (checked by the run loop between blocks). */
    boolean interruptPending() {
        return c.irqLine && (c.daif & DAIF_I) == 0 || c.fiqLine && (c.daif & DAIF_F) == 0;
    }

    /** Whether WFI ends: an interrupt is pending, masked or not. */
    boolean wakeUp() {
        return c.irqLine || c.fiqLine;
    }

    /** Takes the pending unmasked interrupt (FIQ first); the return address is the next instruction, c.pc. */
    void takeInterrupt() {
        boolean fiq = c.fiqLine && (c.daif & DAIF_F) == 0;
        enter(fiq ? VECTOR_FIQ : VECTOR_IRQ, c.pc);
    }

    /** Takes the synchronous exception whose syndrome the exc* fields hold. */
    void takeSync() {
        SysRegs s = c.sysregs;
        s.esr = (long) c.excClass << 26 | 1L << 25 | (c.excIss & 0x1ffffff); // IL = 1: every A64 instruction is 32 bits
        if (DebugLog.on(DebugLog.Category.INT)) {
            DebugLog.log(DebugLog.Category.INT, "aarch64: exception EC 0x%02x ISS 0x%07x at pc 0x%016x EL%d%s", c.excClass,
                    c.excIss & 0x1ffffff, c.pc, c.el, c.excFarValid ? String.format(" FAR 0x%016x", c.excFar) : "");
        }
        if (c.excFarValid) {
            s.far = c.excFar; // otherwise FAR_EL1 keeps its value, as QEMU leaves it
        }
        enter(VECTOR_SYNC, c.excReturn);
    }

    /** PSTATE as SPSR_EL1 saves it: NZCV, IL, DAIF, M[3:0] (AArch64, EL and SP selection). */
    long pstate() {
        return c.nzcv() | (illegalState ? 1L << 20 : 0) | (long) c.daif << 6 | (long) c.el << 2
                | (c.el != 0 && c.spsel ? 1 : 0);
    }

    private void enter(int offset, long returnAddress) {
        SysRegs s = c.sysregs;
        s.spsr = pstate();
        s.elr = returnAddress;
        int fromEl = c.el;
        boolean fromSpsel = c.spsel;
        long base = s.vbar + (fromEl == 0 ? 0x400 : fromSpsel ? 0x200 : 0);
        c.el = 1;
        c.spsel = true;
        c.switchSp(fromEl, fromSpsel);
        c.daif = 0xf;
        illegalState = false;
        c.pc = base + offset;
        levelChanged();
    }

    /** ERET: PSTATE from SPSR_EL1, pc from ELR_EL1; an illegal return keeps EL and SP and sets PSTATE.IL. */
    void eret() {
        if (c.el == 0) {
            throw c.undefined();
        }
        long spsr = c.sysregs.spsr;
        long target = c.sysregs.elr;
        int m = (int) spsr & 0x1f;
        int newEl = m >>> 2 & 3;
        boolean illegal = (m & 0x10) != 0 // AArch32: not implemented
                || (m & 2) != 0 // reserved M[1]
                || newEl > c.el // EL2 and EL3 are not implemented (and above the current EL)
                || newEl == 0 && (m & 1) != 0; // EL0 with SP_ELx
        c.setNzcv(spsr);
        c.daif = (int) (spsr >>> 6) & 0xf;
        if (illegal) {
            illegalState = true;
        } else {
            int oldEl = c.el;
            boolean oldSpsel = c.spsel;
            c.el = newEl;
            c.spsel = (m & 1) != 0;
            c.switchSp(oldEl, oldSpsel);
            illegalState = (spsr & (1L << 20)) != 0;
        }
        c.exclusiveAddr = -1; // an exception return clears the local monitor
        c.npc = target;
        levelChanged();
    }

    /** MSR SPSel: switches between SP_EL0 and SP_ELx. */
    void setSpSel(boolean spx) {
        boolean old = c.spsel;
        c.spsel = spx;
        c.switchSp(c.el, old);
    }

    /** After EL may have changed: FP access, the TLB key, and a new block. */
    private void levelChanged() {
        c.sysregs.updateFpAccess();
        c.mmu.levelChanged();
        c.endBlock();
    }

    /** The illegal execution state exception (EC 0x0e) if PSTATE.IL is set: raised before the next instruction. */
    void checkIllegalState() {
        if (illegalState) {
            throw c.syncException(Syndrome.EC_ILLEGAL_STATE, 0);
        }
    }

    void saveState(StateWriter out) {
        out.putBoolean("pstate_il", illegalState);
    }

    void loadState(StateReader in) {
        illegalState = in.getBoolean("pstate_il", false);
    }
}
