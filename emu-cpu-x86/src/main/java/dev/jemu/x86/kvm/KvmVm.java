package dev.jemu.x86.kvm;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.Region;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * One KVM virtual machine: the /dev/kvm and VM descriptors, guest memory slots over the board's RAM and ROM
 * regions, and the in-kernel interrupt controllers and PIT that QEMU's default {@code kernel-irqchip=on} uses
 * (i8259 pair, IOAPIC, a local APIC per vCPU, i8254). Its {@link Stateful} form is the in-kernel chips' state.
 */
public final class KvmVm implements Stateful, AutoCloseable {
    /** QEMU's addresses for the VMX real-mode helpers: the identity-map page and, after it, three TSS pages. */
    static final long IDENTITY_MAP_ADDR = 0xfeffc000L, TSS_ADDR = 0xfeffd000L;
    private static final int KVM_MEM_READONLY = 2;
    private static final int IRQCHIP_PIC_MASTER = 0, IRQCHIP_PIC_SLAVE = 1, IRQCHIP_IOAPIC = 2;

    final int sysFd;
    final int vmFd;
    final boolean irqchip;
    private final List<Integer> ownedFds = new ArrayList<>();
    private int nextSlot;

    private KvmVm(int sysFd, int vmFd, boolean irqchip) {
        this.sysFd = sysFd;
        this.vmFd = vmFd;
        this.irqchip = irqchip;
    }

    /**
     * Opens {@code device} (normally /dev/kvm), checks the API version and creates a VM; with {@code irqchip},
     * also the in-kernel interrupt controllers and PIT.
     */
    public static KvmVm open(String device, boolean irqchip) throws KvmException {
        int sys;
        try {
            sys = Kvm.open(device);
        } catch (KvmException e) {
            throw new KvmException(e.errno(), (e.errno() != 0 ? "Could not access KVM kernel module: " : "")
                    + e.getMessage());
        }
        int vm = -1;
        try {
            int version = Kvm.ioctl(sys, Kvm.GET_API_VERSION, 0, "KVM_GET_API_VERSION");
            if (version != Kvm.API_VERSION) {
                throw new KvmException(0, "KVM API version " + version + " (expected " + Kvm.API_VERSION + ")");
            }
            vm = createVm(sys);
            KvmVm k = new KvmVm(sys, vm, irqchip);
            k.setUp();
            return k;
        } catch (KvmException e) {
            Kvm.close(vm);
            Kvm.close(sys);
            throw e;
        }
    }

    private static int createVm(int sys) throws KvmException {
        while (true) { // EINTR: a signal in the middle of the VM's creation
            int fd = Kvm.ioctlRaw(sys, Kvm.CREATE_VM, MemorySegment.NULL);
            if (fd >= 0) {
                return fd;
            }
            if (-fd != Kvm.EINTR) {
                throw new KvmException(-fd, "KVM_CREATE_VM: " + Kvm.strerror(-fd));
            }
        }
    }

    private void setUp() throws KvmException {
        if (checkExtension(Kvm.CAP_SET_IDENTITY_MAP_ADDR) > 0) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment addr = a.allocate(8);
                addr.set(ValueLayout.JAVA_LONG, 0, IDENTITY_MAP_ADDR);
                Kvm.ioctl(vmFd, Kvm.SET_IDENTITY_MAP_ADDR, addr, "KVM_SET_IDENTITY_MAP_ADDR");
            }
        }
        Kvm.ioctl(vmFd, Kvm.SET_TSS_ADDR, TSS_ADDR, "KVM_SET_TSS_ADDR");
        if (irqchip) {
            Kvm.ioctl(vmFd, Kvm.CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
            try (Arena a = Arena.ofConfined()) {
                MemorySegment config = a.allocate(64); // kvm_pit_config: flags 0 (no speaker dummy), pad
                Kvm.ioctl(vmFd, Kvm.CREATE_PIT2, config, "KVM_CREATE_PIT2");
            }
        }
    }

    /** KVM_CHECK_EXTENSION (on /dev/kvm, which every kernel answers): 0 when the capability is absent. */
    int checkExtension(int cap) {
        int rc = Kvm.ioctlRaw(sysFd, Kvm.CHECK_EXTENSION, MemorySegment.ofAddress(cap));
        return Math.max(rc, 0);
    }

    /** Registers every RAM and ROM region of {@code bus} as a memory slot (ROM read-only: writes exit as MMIO). */
    public void mapMemory(AddressSpace bus) throws KvmException {
        for (Region r : bus.regions()) {
            if (r.isMemory()) {
                MemorySegment host = r.ram().segment();
                if ((host.address() & 0xfff) != 0 || (r.base() & 0xfff) != 0 || (r.size() & 0xfff) != 0) {
                    throw new KvmException(0, "memory region " + r.name() + " is not page-aligned");
                }
                addSlot(r.base(), r.size(), host.address(), r.kind() == Region.Kind.ROM ? KVM_MEM_READONLY : 0);
            }
        }
    }

    private void addSlot(long guest, long size, long host, int flags) throws KvmException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Kvm.MEMORY_REGION);
            m.set(ValueLayout.JAVA_INT, 0, nextSlot);
            m.set(ValueLayout.JAVA_INT, 4, flags);
            m.set(ValueLayout.JAVA_LONG, 8, guest);
            m.set(ValueLayout.JAVA_LONG, 16, size);
            m.set(ValueLayout.JAVA_LONG, 24, host);
            Kvm.ioctl(vmFd, Kvm.SET_USER_MEMORY_REGION, m, "KVM_SET_USER_MEMORY_REGION");
            nextSlot++;
        }
    }

    /** Drives interrupt input {@code gsi} of the in-kernel chips (ISA IRQs 0-15 reach both PIC and IOAPIC). */
    public void irqLine(int gsi, boolean level) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(8);
            s.set(ValueLayout.JAVA_INT, 0, gsi);
            s.set(ValueLayout.JAVA_INT, 4, level ? 1 : 0);
            int rc = Kvm.ioctlRaw(vmFd, Kvm.IRQ_LINE, s);
            if (rc < 0) {
                throw new IllegalStateException("KVM_IRQ_LINE " + gsi + ": " + Kvm.strerror(-rc));
            }
        }
    }

    /** The supported CPUID entries (KVM_GET_SUPPORTED_CPUID), as kvm_cpuid_entry2 records. */
    List<int[]> supportedCpuid() throws KvmException {
        for (int n = 64; ; n *= 2) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = a.allocate(8 + n * Kvm.CPUID_ENTRY.byteSize(), 8);
                s.set(ValueLayout.JAVA_INT, 0, n);
                int rc = Kvm.ioctlRaw(sysFd, Kvm.GET_SUPPORTED_CPUID, s);
                if (rc == -7 && n < 4096) { // E2BIG: more entries than room
                    continue;
                }
                if (rc < 0) {
                    throw new KvmException(-rc, "KVM_GET_SUPPORTED_CPUID: " + Kvm.strerror(-rc));
                }
                int count = s.get(ValueLayout.JAVA_INT, 0);
                List<int[]> out = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    int[] e = new int[7]; // function, index, flags, eax, ebx, ecx, edx
                    for (int j = 0; j < 7; j++) {
                        e[j] = s.get(ValueLayout.JAVA_INT, 8 + i * Kvm.CPUID_ENTRY.byteSize() + j * 4L);
                    }
                    out.add(e);
                }
                return out;
            }
        }
    }

    /** The MSR indexes KVM saves and restores (KVM_GET_MSR_INDEX_LIST). */
    List<Integer> msrIndexList() throws KvmException {
        for (int n = 256; ; n *= 2) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = a.allocate(4 + 4L * n, 4);
                s.set(ValueLayout.JAVA_INT, 0, n);
                int rc = Kvm.ioctlRaw(sysFd, Kvm.GET_MSR_INDEX_LIST, s);
                if (rc == -7 && n < 16384) {
                    continue;
                }
                if (rc < 0) {
                    throw new KvmException(-rc, "KVM_GET_MSR_INDEX_LIST: " + Kvm.strerror(-rc));
                }
                int count = s.get(ValueLayout.JAVA_INT, 0);
                List<Integer> out = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    out.add(s.get(ValueLayout.JAVA_INT, 4 + 4L * i));
                }
                return out;
            }
        }
    }

    int vcpuMmapSize() throws KvmException {
        return Kvm.ioctl(sysFd, Kvm.GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
    }

    int createVcpu(int id) throws KvmException {
        int fd = Kvm.ioctl(vmFd, Kvm.CREATE_VCPU, id, "KVM_CREATE_VCPU");
        ownedFds.add(fd);
        return fd;
    }

    // ------------------------------------------------------------------ state: the in-kernel PICs, IOAPIC and PIT

    @Override
    public String stateId() {
        return "kvm-irqchip";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void saveState(StateWriter out) {
        if (!irqchip) {
            return;
        }
        out.putBytes("pic0", getChip(IRQCHIP_PIC_MASTER));
        out.putBytes("pic1", getChip(IRQCHIP_PIC_SLAVE));
        out.putBytes("ioapic", getChip(IRQCHIP_IOAPIC));
        out.putBytes("pit", blob(Kvm.GET_PIT2, 112, "KVM_GET_PIT2"));
    }

    @Override
    public void loadState(StateReader in) {
        if (!irqchip) {
            return;
        }
        setChip(IRQCHIP_PIC_MASTER, in.getBytes("pic0"));
        setChip(IRQCHIP_PIC_SLAVE, in.getBytes("pic1"));
        setChip(IRQCHIP_IOAPIC, in.getBytes("ioapic"));
        setBlob(Kvm.SET_PIT2, in.getBytes("pit"), 112, "KVM_SET_PIT2");
    }

    private byte[] getChip(int chip) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(520, 8);
            s.set(ValueLayout.JAVA_INT, 0, chip);
            check(Kvm.ioctlRaw(vmFd, Kvm.GET_IRQCHIP, s), "KVM_GET_IRQCHIP");
            return s.asSlice(8, 512).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private void setChip(int chip, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(520, 8);
            s.set(ValueLayout.JAVA_INT, 0, chip);
            MemorySegment.copy(data, 0, s, ValueLayout.JAVA_BYTE, 8, Math.min(data.length, 512));
            check(Kvm.ioctlRaw(vmFd, Kvm.SET_IRQCHIP, s), "KVM_SET_IRQCHIP");
        }
    }

    byte[] blob(long request, int size, String what) {
        return KvmVcpu.getBlob(vmFd, request, size, what);
    }

    void setBlob(long request, byte[] data, int size, String what) {
        KvmVcpu.setBlob(vmFd, request, data, size, what);
    }

    static void check(int rc, String what) {
        if (rc < 0) {
            throw new dev.jemu.core.state.StateException(what + ": " + Kvm.strerror(-rc));
        }
    }

    @Override
    public void close() {
        for (int fd : ownedFds) {
            Kvm.close(fd);
        }
        ownedFds.clear();
        Kvm.close(vmFd);
        Kvm.close(sysFd);
    }
}
