package dev.jemu.core.jit;

import static java.lang.constant.ConstantDescs.*;

import java.lang.classfile.ClassBuilder;
import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.IntFunction;

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

    private static final ClassDesc CD_HANDLES = ClassDesc.of("java.lang.invoke.MethodHandles");
    private static final ClassDesc CD_LOOKUP = ClassDesc.of("java.lang.invoke.MethodHandles$Lookup");

    /**
     * Gives the class {@code self} being built a private static final field of {@code type} for each element
     * {@code i} of its class data ({@code Object[]}) where {@code name.apply(i)} is not null, and the static
     * initializer that fills them: the constants a compiled block calls through.
     */
    public static void constantsFromClassData(ClassBuilder clb, ClassDesc self, ClassDesc type, int count,
            IntFunction<String> name) {
        for (int i = 0; i < count; i++) {
            if (name.apply(i) != null) {
                clb.withField(name.apply(i), type, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL);
            }
        }
        clb.withMethodBody(CLASS_INIT_NAME, MTD_void, ClassFile.ACC_STATIC, cb -> {
            cb.invokestatic(CD_HANDLES, "lookup", MethodTypeDesc.of(CD_LOOKUP));
            cb.ldc("_");
            cb.ldc(CD_Object.arrayType());
            cb.invokestatic(CD_HANDLES, "classData", MethodTypeDesc.of(CD_Object, CD_LOOKUP, CD_String, CD_Class));
            cb.checkcast(CD_Object.arrayType());
            cb.astore(0);
            for (int i = 0; i < count; i++) {
                if (name.apply(i) != null) {
                    cb.aload(0).ldc(i).aaload().checkcast(type).putstatic(self, name.apply(i), type);
                }
            }
            cb.return_();
        });
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
