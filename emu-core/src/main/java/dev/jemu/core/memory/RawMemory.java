package dev.jemu.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.nio.ByteOrder;

/**
 * Plain host-memory loads and stores for the hot guest RAM paths (compiled blocks and the interpreter's TLB
 * hits). A {@link MemorySegment} access carries bounds, liveness and alignment checks that HotSpot's compilers
 * expand into a lot of code per guest load or store (C1 made ~1.7 KB of machine code per guest instruction of a
 * compiled block, C2 ~0.6 KB, and compiling them took most of a boot's compile time); the software TLB already
 * guarantees that a hit lies inside one page of the RAM segment, so the hot paths need none of those checks.
 *
 * <p>Shared by the CPU modules (riscv64's interpreter and JIT, aarch64's Mmu). Uses {@code sun.misc.Unsafe}'s address-based accessors when the JDK allows them and the host is a
 * little-endian one that tolerates unaligned accesses (x86-64, AArch64); otherwise {@link #ENABLED} is false
 * and callers use the segment. jvm.options passes {@code --sun-misc-unsafe-memory-access=allow}.
 */
@SuppressWarnings({"removal", "deprecation"})
public final class RawMemory {
    public static final sun.misc.Unsafe U;
    public static final boolean ENABLED;

    static {
        sun.misc.Unsafe u = null;
        boolean ok = false;
        String arch = System.getProperty("os.arch", "");
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN && !"false".equals(System.getProperty("jemu.raw"))
                && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            try {
                Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                u = (sun.misc.Unsafe) f.get(null);
                try (Arena a = Arena.ofConfined()) { // the JDK may refuse memory access through Unsafe
                    MemorySegment probe = a.allocate(16);
                    u.putLong(probe.address() + 1, 0x1122334455667788L);
                    ok = probe.get(GuestRam.LONG, 1) == 0x1122334455667788L
                            && u.getLong(probe.address() + 1) == 0x1122334455667788L;
                }
            } catch (Throwable t) {
                ok = false;
            }
        }
        U = ok ? u : null;
        ENABLED = ok;
    }

    private RawMemory() {
    }

    // guest RAM at offset off of mem, whose host address is base (a TLB hit): plain host accesses when enabled,
    // the segment otherwise
    public static byte ld8(MemorySegment mem, long base, long off) {
        return ENABLED ? U.getByte(base + off) : mem.get(GuestRam.BYTE, off);
    }

    public static short ld16(MemorySegment mem, long base, long off) {
        return ENABLED ? U.getShort(base + off) : mem.get(GuestRam.SHORT, off);
    }

    public static int ld32(MemorySegment mem, long base, long off) {
        return ENABLED ? U.getInt(base + off) : mem.get(GuestRam.INT, off);
    }

    public static long ld64(MemorySegment mem, long base, long off) {
        return ENABLED ? U.getLong(base + off) : mem.get(GuestRam.LONG, off);
    }

    public static void st8(MemorySegment mem, long base, long off, byte v) {
        if (ENABLED) {
            U.putByte(base + off, v);
        } else {
            mem.set(GuestRam.BYTE, off, v);
        }
    }

    public static void st16(MemorySegment mem, long base, long off, short v) {
        if (ENABLED) {
            U.putShort(base + off, v);
        } else {
            mem.set(GuestRam.SHORT, off, v);
        }
    }

    public static void st32(MemorySegment mem, long base, long off, int v) {
        if (ENABLED) {
            U.putInt(base + off, v);
        } else {
            mem.set(GuestRam.INT, off, v);
        }
    }

    public static void st64(MemorySegment mem, long base, long off, long v) {
        if (ENABLED) {
            U.putLong(base + off, v);
        } else {
            mem.set(GuestRam.LONG, off, v);
        }
    }

    /** A TLB hit of {@code size} (1, 2, 4, 8) bytes at offset {@code off} of mem (host address base), zero-extended. */
    public static long load(MemorySegment mem, long base, long off, int size) {
        return switch (size) {
            case 1 -> ld8(mem, base, off) & 0xffL;
            case 2 -> ld16(mem, base, off) & 0xffffL;
            case 4 -> ld32(mem, base, off) & 0xffff_ffffL;
            default -> ld64(mem, base, off);
        };
    }

    /** Stores the low {@code size} (1, 2, 4, 8) bytes of v at offset {@code off} of mem (host address base). */
    public static void store(MemorySegment mem, long base, long off, int size, long v) {
        switch (size) {
            case 1 -> st8(mem, base, off, (byte) v);
            case 2 -> st16(mem, base, off, (short) v);
            case 4 -> st32(mem, base, off, (int) v);
            default -> st64(mem, base, off, v);
        }
    }
}
