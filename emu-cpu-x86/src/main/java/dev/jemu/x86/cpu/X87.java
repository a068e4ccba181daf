package dev.jemu.x86.cpu;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * The x87 FPU's state: control word, status word (TOP kept apart in {@link #top}), which physical registers
 * are in use, the eight 80-bit registers (sign/exponent and explicit-integer-bit significand; the MMX registers
 * alias the significands), and the last instruction/operand pointers FNSTENV, FNSAVE and FXSAVE report.
 */
public final class X87 {
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, SF = 64, ES = 128, C0 = 0x100,
            C1 = 0x200, C2 = 0x400, C3 = 0x4000, B = 0x8000;

    /** Control word. */
    public int fcw = 0x37f;
    /** Status word without TOP (bits 11-13 always 0 here; see {@link #status()}). */
    public int fsw;
    /** Top-of-stack register number (0-7). */
    public int top;
    /** Bit i set: physical register i holds a value (the abridged tag word of FXSAVE). */
    public int used;
    /** Physical registers: significand (bit 63 the explicit integer bit) and sign<<15 | biased exponent. */
    public final long[] mant = new long[8];
    public final int[] se = new int[8];
    /** Last non-control instruction: opcode (11 bits), CS:IP; last memory operand DS:DP. */
    public int fop, fcs, fds;
    public long fip, fdp;
    /** The arithmetic unit (scratch; not architectural state). */
    final F80 math = new F80();

    // ---------------------------------------------------------------- the register stack

    /** Physical register of ST(i). */
    public int phys(int i) {
        return (top + i) & 7;
    }

    public boolean empty(int i) {
        return (used & 1 << phys(i)) == 0;
    }

    public int se(int i) {
        return se[phys(i)];
    }

    public long mant(int i) {
        return mant[phys(i)];
    }

    public void set(int i, int sexp, long m) {
        int p = phys(i);
        se[p] = sexp & 0xffff;
        mant[p] = m;
        used |= 1 << p;
    }

    /** Pushes a value (the caller has checked for stack overflow). */
    public void push(int sexp, long m) {
        top = (top - 1) & 7;
        set(0, sexp, m);
    }

    public void pop() {
        used &= ~(1 << top);
        top = (top + 1) & 7;
    }

    void reset() {
        fcw = 0x37f;
        fsw = 0;
        top = 0;
        used = 0;
        fop = fcs = fds = 0;
        fip = fdp = 0;
        java.util.Arrays.fill(mant, 0);
        java.util.Arrays.fill(se, 0);
    }

    /** The status word as FNSTSW reads it (TOP in bits 11-13, B mirroring ES). */
    public int status() {
        int s = fsw & ~(7 << 11 | B);
        if ((s & ES) != 0) {
            s |= B;
        }
        return s | top << 11;
    }

    public void setStatus(int v) {
        fsw = v & ~(7 << 11);
        top = v >>> 11 & 7;
    }

    /** The full tag word (2 bits per physical register: valid, zero, special, empty) from the contents. */
    public int tagWord() {
        int t = 0;
        for (int i = 0; i < 8; i++) {
            int tag;
            if ((used & 1 << i) == 0) {
                tag = 3;
            } else {
                int e = se[i] & 0x7fff;
                long m = mant[i];
                if (e == 0x7fff) {
                    tag = 2;
                } else if (e == 0) {
                    tag = m == 0 ? 1 : 2;
                } else {
                    tag = m < 0 ? 0 : 2; // no integer bit: unnormal, special
                }
            }
            t |= tag << (2 * i);
        }
        return t;
    }

    /** Loads a full tag word: only "empty" (11) matters, the rest follows from the contents. */
    public void setTagWord(int t) {
        used = 0;
        for (int i = 0; i < 8; i++) {
            if ((t >>> (2 * i) & 3) != 3) {
                used |= 1 << i;
            }
        }
    }

    void saveState(StateWriter out) {
        out.putInt("x87.fcw", fcw);
        out.putInt("x87.fsw", status());
        out.putInt("x87.ftw", used);
        for (int i = 0; i < 8; i++) {
            out.putLong("x87.mant" + i, mant[i]);
            out.putInt("x87.se" + i, se[i]);
        }
        out.putInt("x87.fop", fop);
        out.putInt("x87.fcs", fcs);
        out.putInt("x87.fds", fds);
        out.putLong("x87.fip", fip);
        out.putLong("x87.fdp", fdp);
    }

    void loadState(StateReader in) {
        fcw = in.getInt("x87.fcw");
        setStatus(in.getInt("x87.fsw"));
        used = in.getInt("x87.ftw") & 0xff;
        for (int i = 0; i < 8; i++) {
            mant[i] = in.getLong("x87.mant" + i);
            se[i] = in.getInt("x87.se" + i) & 0xffff;
        }
        fop = in.getInt("x87.fop");
        fcs = in.getInt("x87.fcs");
        fds = in.getInt("x87.fds");
        fip = in.getLong("x87.fip");
        fdp = in.getLong("x87.fdp");
    }
}
