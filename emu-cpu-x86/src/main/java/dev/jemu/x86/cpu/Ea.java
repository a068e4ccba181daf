package dev.jemu.x86.cpu;

/**
 * A decoded memory operand: segment, base, index, scale, displacement and address size, captured from
 * ModRM/SIB. {@link #offset} is the effective address (wrapped to the address size), {@link #linear} adds the
 * segment base. A RIP-relative operand has base {@link #RIP} and computes from {@code c.nrip}, so it stays
 * position-independent.
 */
public final class Ea {
    public static final int NONE = -1, RIP = 16;

    public final int seg, base, index, scale;
    public final long disp;
    /** 16, 32 or 64. */
    public final int addrsize;

    public Ea(int seg, int base, int index, int scale, long disp, int addrsize) {
        this.seg = seg;
        this.base = base;
        this.index = index;
        this.scale = scale;
        this.disp = disp;
        this.addrsize = addrsize;
    }

    public long offset(X86Cpu c) {
        long a = disp;
        if (base == RIP) {
            a += c.nrip;
        } else if (base >= 0) {
            a += c.r[base];
        }
        if (index >= 0) {
            a += c.r[index] << scale;
        }
        return switch (addrsize) {
            case 64 -> a;
            case 32 -> a & 0xffffffffL;
            default -> a & 0xffff;
        };
    }

    public long linear(X86Cpu c) {
        return c.linear(seg, offset(c));
    }

    @Override
    public String toString() {
        return "ea[seg=" + seg + " base=" + base + " index=" + index + "<<" + scale + " disp=" + disp + " a" + addrsize + "]";
    }
}
