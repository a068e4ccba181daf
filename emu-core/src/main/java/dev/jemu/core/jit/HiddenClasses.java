package dev.jemu.core.jit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Defines one compiled guest block as a JVM hidden class and makes its instance. Hidden classes are unloaded
 * with their last instance (a dropped page takes its blocks with it) and are never found by name. The class
 * is defined in the package of {@code host} (so it may use that package's fields), and may read
 * {@code classData} with {@code MethodHandles.classData(MethodHandles.lookup(), "_", Object[].class)} in its
 * static initializer: constants put into static final fields there are constants to HotSpot's compilers.
 */
public final class HiddenClasses {
    private HiddenClasses() {
    }

    /** A new instance (public no-argument constructor) of the hidden class {@code bytes} in host's package. */
    public static <T> T instantiate(MethodHandles.Lookup host, byte[] bytes, Object classData, Class<T> type) {
        try {
            MethodHandles.Lookup l = classData == null ? host.defineHiddenClass(bytes, true)
                    : host.defineHiddenClassWithClassData(bytes, classData, true);
            return type.cast(l.findConstructor(l.lookupClass(), MethodType.methodType(void.class)).invoke());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
