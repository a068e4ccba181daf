package dev.jemu.x86.kvm;

import dev.jemu.core.host.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The Linux system calls KVM needs, as FFM downcalls into libc ({@code open}, {@code ioctl}, {@code mmap},
 * {@code close}, and the thread-signal calls of {@link VcpuKick}), with errno captured. Every failure is a
 * {@link KvmException} whose message is the C library's text for errno.
 */
final class Kvm {
    private Kvm() {
    }

    // ioctl numbers of <linux/kvm.h> (x86-64; checked against the header with a C program)
    static final long GET_API_VERSION = 0xAE00, CREATE_VM = 0xAE01, GET_MSR_INDEX_LIST = 0xC004AE02,
            CHECK_EXTENSION = 0xAE03, GET_VCPU_MMAP_SIZE = 0xAE04, GET_SUPPORTED_CPUID = 0xC008AE05,
            CREATE_VCPU = 0xAE41, SET_USER_MEMORY_REGION = 0x4020AE46, SET_TSS_ADDR = 0xAE47,
            SET_IDENTITY_MAP_ADDR = 0x4008AE48, CREATE_IRQCHIP = 0xAE60, IRQ_LINE = 0x4008AE61,
            GET_IRQCHIP = 0xC208AE62, SET_IRQCHIP = 0x8208AE63, CREATE_PIT2 = 0x4040AE77,
            RUN = 0xAE80, GET_REGS = 0x8090AE81, SET_REGS = 0x4090AE82, GET_SREGS = 0x8138AE83,
            SET_SREGS = 0x4138AE84, GET_MSRS = 0xC008AE88, SET_MSRS = 0x4008AE89, SET_SIGNAL_MASK = 0x4004AE8B,
            GET_FPU = 0x81A0AE8C, SET_FPU = 0x41A0AE8D, GET_LAPIC = 0x8400AE8E, SET_LAPIC = 0x4400AE8F,
            SET_CPUID2 = 0x4008AE90, GET_PIT2 = 0x8070AE9F, SET_PIT2 = 0x4070AEA0,
            GET_VCPU_EVENTS = 0x8040AE9F, SET_VCPU_EVENTS = 0x4040AEA0, GET_XSAVE = 0x9000AEA4,
            SET_XSAVE = 0x5000AEA5, GET_XCRS = 0x8188AEA6, SET_XCRS = 0x4188AEA7;

    static final int API_VERSION = 12;
    static final int CAP_IRQCHIP = 0, CAP_PIT2 = 33, CAP_SET_IDENTITY_MAP_ADDR = 37, CAP_XSAVE = 55,
            CAP_IMMEDIATE_EXIT = 136;

    // exit reasons
    static final int EXIT_UNKNOWN = 0, EXIT_EXCEPTION = 1, EXIT_IO = 2, EXIT_HLT = 5, EXIT_MMIO = 6,
            EXIT_IRQ_WINDOW_OPEN = 7, EXIT_SHUTDOWN = 8, EXIT_FAIL_ENTRY = 9, EXIT_INTR = 10,
            EXIT_INTERNAL_ERROR = 17, EXIT_SYSTEM_EVENT = 24;

    static final int ENOENT = 2, EINTR = 4, EAGAIN = 11, EACCES = 13;

    // ------------------------------------------------------------------ struct layouts (sizes checked at load)

    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;
    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;

    static final StructLayout MEMORY_REGION = MemoryLayout.structLayout(U32.withName("slot"),
            U32.withName("flags"), U64.withName("guest_phys_addr"), U64.withName("memory_size"),
            U64.withName("userspace_addr"));

    static final StructLayout REGS = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(16, U64).withName("gpr"),
            U64.withName("rip"), U64.withName("rflags"));

    static final StructLayout SEGMENT = MemoryLayout.structLayout(U64.withName("base"), U32.withName("limit"),
            U16.withName("selector"), U8.withName("type"), U8.withName("present"), U8.withName("dpl"),
            U8.withName("db"), U8.withName("s"), U8.withName("l"), U8.withName("g"), U8.withName("avl"),
            U8.withName("unusable"), U8.withName("padding"));

    static final StructLayout DTABLE = MemoryLayout.structLayout(U64.withName("base"), U16.withName("limit"),
            MemoryLayout.paddingLayout(6));

    /** kvm_sregs: cs ds es fs gs ss tr ldt (that order), gdt, idt, control registers, the pending IRQ bitmap. */
    static final StructLayout SREGS = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(8, SEGMENT).withName("segs"),
            DTABLE.withName("gdt"), DTABLE.withName("idt"), U64.withName("cr0"), U64.withName("cr2"),
            U64.withName("cr3"), U64.withName("cr4"), U64.withName("cr8"), U64.withName("efer"),
            U64.withName("apic_base"), MemoryLayout.sequenceLayout(4, U64).withName("interrupt_bitmap"));

    static final StructLayout CPUID_ENTRY = MemoryLayout.structLayout(U32.withName("function"), U32.withName("index"),
            U32.withName("flags"), U32.withName("eax"), U32.withName("ebx"), U32.withName("ecx"), U32.withName("edx"),
            MemoryLayout.sequenceLayout(3, U32).withName("padding"));

    static final StructLayout FPU = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(128, U8).withName("fpr"),
            U16.withName("fcw"), U16.withName("fsw"), U8.withName("ftwx"), U8.withName("pad1"),
            U16.withName("last_opcode"), U64.withName("last_ip"), U64.withName("last_dp"),
            MemoryLayout.sequenceLayout(256, U8).withName("xmm"), U32.withName("mxcsr"), U32.withName("pad2"));

    static final long SREGS_GDT = off(SREGS, "gdt"), SREGS_IDT = off(SREGS, "idt"), SREGS_CR0 = off(SREGS, "cr0"),
            SREGS_EFER = off(SREGS, "efer"), SREGS_APIC_BASE = off(SREGS, "apic_base"),
            SREGS_INTERRUPT_BITMAP = off(SREGS, "interrupt_bitmap");
    static final long FPU_FCW = off(FPU, "fcw"), FPU_FSW = off(FPU, "fsw"), FPU_FTWX = off(FPU, "ftwx"),
            FPU_OPCODE = off(FPU, "last_opcode"), FPU_IP = off(FPU, "last_ip"), FPU_DP = off(FPU, "last_dp"),
            FPU_XMM = off(FPU, "xmm"), FPU_MXCSR = off(FPU, "mxcsr");

    // kvm_run (offsets of <linux/kvm.h>, x86-64)
    static final long RUN_IMMEDIATE_EXIT = 1, RUN_EXIT_REASON = 8, RUN_IF_FLAG = 13, RUN_CR8 = 16,
            RUN_APIC_BASE = 24, RUN_EXIT = 32;
    static final long IO_DIRECTION = 32, IO_SIZE = 33, IO_PORT = 34, IO_COUNT = 36, IO_DATA_OFFSET = 40;
    static final long MMIO_PHYS = 32, MMIO_DATA = 40, MMIO_LEN = 48, MMIO_IS_WRITE = 52;

    static {
        check(MEMORY_REGION, 32);
        check(REGS, 144);
        check(SEGMENT, 24);
        check(SREGS, 312);
        check(CPUID_ENTRY, 40);
        check(FPU, 416);
        if (SREGS_EFER != 264 || FPU_XMM != 152 || FPU_MXCSR != 408) {
            throw new ExceptionInInitializerError("kvm struct offsets differ from <linux/kvm.h>");
        }
    }

    private static long off(StructLayout s, String field) {
        return s.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    private static void check(StructLayout s, long size) {
        if (s.byteSize() != size) {
            throw new ExceptionInInitializerError(s + " is " + s.byteSize() + " bytes, not " + size);
        }
    }

    // ------------------------------------------------------------------ libc

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = Libc.function("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2), ERRNO_OPT);
    private static final MethodHandle IOCTL = Libc.function("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2), ERRNO_OPT);
    private static final MethodHandle CLOSE = Libc.function("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle MMAP = Libc.function("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle MUNMAP = Libc.function("munmap",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle STRERROR = Libc.function("strerror",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    /** Whether the downcalls exist here (Linux, native access enabled). */
    static boolean available() {
        return OPEN != null && IOCTL != null && MMAP != null && CLOSE != null;
    }

    /** The thread's errno capture buffer (one per thread: ioctls run on the machine thread and the main one). */
    private static final ThreadLocal<MemorySegment> CAPTURED =
            ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURE));

    private static int errno() {
        return (int) ERRNO.get(CAPTURED.get(), 0L);
    }

    /** The C library's text for errno {@code e} ("No such file or directory"). */
    static String strerror(int e) {
        if (STRERROR != null) {
            try {
                MemorySegment s = (MemorySegment) STRERROR.invokeExact(e);
                return s.reinterpret(256).getString(0);
            } catch (Throwable t) {
                // fall through
            }
        }
        return "errno " + e;
    }

    /** open(path, O_RDWR | O_CLOEXEC). */
    static int open(String path) throws KvmException {
        if (!available()) {
            throw new KvmException(0, "native access to the C library is not available (run with "
                    + "--enable-native-access=ALL-UNNAMED on Linux)");
        }
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(CAPTURED.get(), a.allocateFrom(path), 2 | 0x80000);
            if (fd < 0) {
                int e = errno();
                throw new KvmException(e, strerror(e));
            }
            return fd;
        } catch (KvmException e) {
            throw e;
        } catch (Throwable t) {
            throw new KvmException(0, t.toString());
        }
    }

    /** ioctl(fd, request, arg) with a pointer argument; returns its non-negative result or throws. */
    static int ioctl(int fd, long request, MemorySegment arg, String what) throws KvmException {
        int rc = ioctlRaw(fd, request, arg);
        if (rc < 0) {
            int e = -rc;
            throw new KvmException(e, what + ": " + strerror(e));
        }
        return rc;
    }

    /** ioctl(fd, request, value) with an integer argument. */
    static int ioctl(int fd, long request, long value, String what) throws KvmException {
        return ioctl(fd, request, MemorySegment.ofAddress(value), what);
    }

    /** ioctl returning its result, or -errno (no exception: KVM_RUN's EINTR is not an error). */
    static int ioctlRaw(int fd, long request, MemorySegment arg) {
        try {
            int rc = (int) IOCTL.invokeExact(CAPTURED.get(), fd, request, arg);
            return rc < 0 ? -errno() : rc;
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl downcall failed", t);
        }
    }

    /** A shared read/write mapping of {@code size} bytes of {@code fd} (the vCPU's kvm_run). */
    static MemorySegment mmap(int fd, long size) throws KvmException {
        try {
            MemorySegment m = (MemorySegment) MMAP.invokeExact(CAPTURED.get(), MemorySegment.NULL, size, 1 | 2, 1,
                    fd, 0L);
            if (m.address() == -1L || m.address() == 0) {
                int e = errno();
                throw new KvmException(e, "mmap of kvm_run: " + strerror(e));
            }
            return m.reinterpret(size);
        } catch (KvmException e) {
            throw e;
        } catch (Throwable t) {
            throw new KvmException(0, t.toString());
        }
    }

    static void munmap(MemorySegment m) {
        try {
            int rc = (int) MUNMAP.invokeExact(m, m.byteSize());
        } catch (Throwable t) {
            // the mapping stays until the process ends
        }
    }

    static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int rc = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // the descriptor stays until the process ends
        }
    }
}
