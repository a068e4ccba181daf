package dev.jemu.core.host;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * The host C library's functions through FFM, where jemu knows their ABI (Linux on amd64, aarch64, riscv64) and
 * the JVM allows native access; elsewhere {@link #function} answers null and callers take their portable path.
 */
public final class Libc {
    /** Whether {@link #function} can answer at all. */
    public static final boolean AVAILABLE;

    static {
        String os = System.getProperty("os.name", ""), arch = System.getProperty("os.arch", "");
        AVAILABLE = os.equals("Linux") && (arch.equals("amd64") || arch.equals("aarch64") || arch.equals("riscv64"))
                && Libc.class.getModule().isNativeAccessEnabled();
    }

    private Libc() {
    }

    /** A downcall handle for libc's {@code name}, or null when it is not available here. */
    public static MethodHandle function(String name, FunctionDescriptor fd, Linker.Option... options) {
        if (!AVAILABLE) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find(name).map(sym -> linker.downcallHandle(sym, fd, options)).orElse(null);
        } catch (RuntimeException | Error e) {
            return null;
        }
    }
}
