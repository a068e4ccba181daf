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

    /**
     * The form, chosen once here so that the common 64-bit cases are one or two adds ({@link #offset}): an Ea
     * with a 64-bit address size only ever runs in 64-bit mode (decoded code is cached per mode).
     */
    private final int form;
    private static final int GENERIC = 0, BASE64 = 1, BASE_INDEX64 = 2, RIP64 = 3, INDEX64 = 4;
    /** 64-bit address size with FS or GS: the only segments with a base in 64-bit mode. */
    private final boolean flatSeg64;

    public Ea(int seg, int base, int index, int scale, long disp, int addrsize) {
        this.seg = seg;
        this.base = base;
        this.index = index;
        this.scale = scale;
        this.disp = disp;
        this.addrsize = addrsize;
        if (addrsize != 64) {
            form = GENERIC;
        } else if (base == RIP) {
            form = index < 0 ? RIP64 : GENERIC;
        } else if (base >= 0) {
            form = index < 0 ? BASE64 : BASE_INDEX64;
        } else {
            form = index < 0 ? GENERIC : INDEX64;
        }
        flatSeg64 = addrsize == 64 && seg < X86Cpu.FS;
    }

    public long offset(X86Cpu c) {
        return switch (form) {
            case BASE64 -> c.r[base] + disp;
            case BASE_INDEX64 -> c.r[base] + (c.r[index] << scale) + disp;
            case RIP64 -> c.nrip + disp;
            case INDEX64 -> (c.r[index] << scale) + disp;
            default -> generic(c);
        };
    }

    private long generic(X86Cpu c) {
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
        if (flatSeg64) {
            return offset(c);
        }
        if (addrsize == 64) {
            return c.seg[seg].base + offset(c);
        }
        return c.linear(seg, offset(c));
    }

    @Override
    public String toString() {
        return "ea[seg=" + seg + " base=" + base + " index=" + index + "<<" + scale + " disp=" + disp + " a" + addrsize + "]";
    }
}
