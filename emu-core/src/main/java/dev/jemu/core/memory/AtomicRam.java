package dev.jemu.core.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Atomic read-modify-write of guest RAM (little-endian, naturally aligned 4- and 8-byte words), for the guest's
 * atomic instructions when CPUs run on several host threads: each is one host atomic instruction (lock xadd,
 * xchg, lock cmpxchg on x86; a full fence each), so the guest sees it indivisible and ordered both ways.
 */
public final class AtomicRam {
    private static final VarHandle INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    /** The operations of {@link #getAndApply}. */
    public enum Op { SWAP, ADD, XOR, AND, OR, MIN, MAX, MINU, MAXU }

    private AtomicRam() {
    }

    /**
     * Applies {@code op} with {@code operand} to the word at {@code off} atomically; returns the old value (a
     * 4-byte word sign-extended).
     */
    public static long getAndApply(MemorySegment seg, long off, boolean dbl, Op op, long operand) {
        if (dbl) {
            return switch (op) {
                case SWAP -> (long) LONG.getAndSet(seg, off, operand);
                case ADD -> (long) LONG.getAndAdd(seg, off, operand);
                case XOR -> (long) LONG.getAndBitwiseXor(seg, off, operand);
                case AND -> (long) LONG.getAndBitwiseAnd(seg, off, operand);
                case OR -> (long) LONG.getAndBitwiseOr(seg, off, operand);
                default -> {
                    long old = (long) LONG.getVolatile(seg, off);
                    while (true) {
                        long witness = (long) LONG.compareAndExchange(seg, off, old, apply(op, old, operand, true));
                        if (witness == old) {
                            yield old;
                        }
                        old = witness;
                    }
                }
            };
        }
        int b = (int) operand;
        return switch (op) {
            case SWAP -> (int) INT.getAndSet(seg, off, b);
            case ADD -> (int) INT.getAndAdd(seg, off, b);
            case XOR -> (int) INT.getAndBitwiseXor(seg, off, b);
            case AND -> (int) INT.getAndBitwiseAnd(seg, off, b);
            case OR -> (int) INT.getAndBitwiseOr(seg, off, b);
            default -> {
                int old = (int) INT.getVolatile(seg, off);
                while (true) {
                    int witness = (int) INT.compareAndExchange(seg, off, old, (int) apply(op, old, b, false));
                    if (witness == old) {
                        yield old;
                    }
                    old = witness;
                }
            }
        };
    }

    /** Stores {@code value} if the word holds {@code expected}; returns whether it did. */
    public static boolean compareAndSet(MemorySegment seg, long off, boolean dbl, long expected, long value) {
        return dbl ? LONG.compareAndSet(seg, off, expected, value)
                : INT.compareAndSet(seg, off, (int) expected, (int) value);
    }

    /** {@code op}'s result for {@code old} and {@code b} (4-byte words compare as ints). */
    public static long apply(Op op, long old, long b, boolean dbl) {
        return switch (op) {
            case SWAP -> b;
            case ADD -> old + b;
            case XOR -> old ^ b;
            case AND -> old & b;
            case OR -> old | b;
            case MIN -> dbl ? Math.min(old, b) : Math.min((int) old, (int) b);
            case MAX -> dbl ? Math.max(old, b) : Math.max((int) old, (int) b);
            case MINU -> dbl ? (Long.compareUnsigned(old, b) < 0 ? old : b)
                    : (Integer.compareUnsigned((int) old, (int) b) < 0 ? old : b);
            case MAXU -> dbl ? (Long.compareUnsigned(old, b) > 0 ? old : b)
                    : (Integer.compareUnsigned((int) old, (int) b) > 0 ? old : b);
        };
    }
}
