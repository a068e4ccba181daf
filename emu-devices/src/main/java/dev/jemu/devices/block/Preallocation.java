package dev.jemu.devices.block;

import dev.jemu.core.host.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * qemu-img's preallocation modes: off (sparse), metadata (qcow2: every cluster mapped, the file extended
 * but holes), falloc (the file's blocks reserved with posix_fallocate, reading as zeroes), full (zeroes
 * written). posix_fallocate goes through FFM on a descriptor of our own; where that is not available,
 * falloc writes zeroes as full does.
 */
public enum Preallocation {
    OFF, METADATA, FALLOC, FULL;

    private static final int O_WRONLY = 1, O_CLOEXEC = 0x80000;
    private static final MethodHandle OPEN = Libc.function("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FALLOCATE = Libc.function("posix_fallocate",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = Libc.function("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    /** The `preallocation` option's value (null: off); an unknown one is refused in qcow2's words. */
    public static Preallocation parse(String v) throws BlockException {
        if (v == null) return OFF;
        return switch (v) {
            case "off" -> OFF;
            case "metadata" -> METADATA;
            case "falloc" -> FALLOC;
            case "full" -> FULL;
            default -> throw new BlockException("Parameter 'preallocation' does not accept value '" + v + "'");
        };
    }

    /** The raw driver's and measure's wording for an unknown mode. */
    public static Preallocation parseRaw(String v) throws BlockException {
        try {
            return parse(v);
        } catch (BlockException e) {
            throw new BlockException("invalid parameter value: " + v);
        }
    }

    /** As the `--preallocation` flag of resize spells its error. */
    public static Preallocation parseFlag(String v) throws BlockException {
        try {
            return parse(v);
        } catch (BlockException e) {
            throw new BlockException("Invalid preallocation mode '" + v + "'");
        }
    }

    public String qemuName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Makes host bytes [from, to) of the file real blocks: falloc reserves them, full writes zeroes;
     * the file is at least {@code to} long afterwards. Nothing for off and metadata.
     */
    public void apply(ImageFile f, long from, long to) throws BlockException {
        if (to <= from || this == OFF || this == METADATA) return;
        if (this == FALLOC && fallocate(f.path(), from, to - from)) {
            if (f.size() < to) f.truncate(to); // posix_fallocate already grew it; refresh the cached length
            return;
        }
        byte[] zero = new byte[1 << 20];
        for (long p = from; p < to; ) {
            int n = (int) Math.min(zero.length, to - p);
            f.write(p, zero, 0, n);
            p += n;
        }
    }

    private static boolean fallocate(Path p, long off, long len) {
        if (OPEN == null || FALLOCATE == null || CLOSE == null) return false;
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(a.allocateFrom(p.toString()), O_WRONLY | O_CLOEXEC);
            if (fd < 0) return false;
            try {
                return (int) FALLOCATE.invokeExact(fd, off, len) == 0;
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (Throwable t) {
            return false;
        }
    }
}
