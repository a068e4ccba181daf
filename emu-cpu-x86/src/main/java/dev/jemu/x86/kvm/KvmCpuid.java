package dev.jemu.x86.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The vCPU's CPUID: what KVM_GET_SUPPORTED_CPUID offers, filtered to what this board can serve: one CPU with
 * APIC ID 0 (leaves 1, 0xB, 0x1F), the hypervisor bit set (as QEMU sets it), and no feature whose MSR KVM does
 * not list (IA32_ARCH_CAPABILITIES: a guest reading MSR 0x10a would take #GP).
 */
final class KvmCpuid {
    private static final int IA32_ARCH_CAPABILITIES = 0x10a;
    private static final int F = 0, I = 1, EAX = 3, EBX = 4, ECX = 5, EDX = 6;

    private KvmCpuid() {
    }

    /** The filtered table, each entry {function, index, flags, eax, ebx, ecx, edx}. */
    static List<int[]> filter(List<int[]> supported, List<Integer> msrs, int apicId) {
        for (int[] e : supported) {
            switch (e[F]) {
                case 1 -> {
                    e[EBX] = e[EBX] & 0xffff | 1 << 16 | apicId << 24; // one logical CPU, its APIC ID
                    e[ECX] |= 1 << 31;                                  // running under a hypervisor
                }
                case 7 -> {
                    if (e[I] == 0 && !msrs.contains(IA32_ARCH_CAPABILITIES)) {
                        e[EDX] &= ~(1 << 29);
                    }
                }
                case 0xb, 0x1f -> e[EDX] = apicId;                      // x2APIC ID
                default -> { }
            }
        }
        return supported;
    }

    /** Applies the filtered table to {@code vcpu} (KVM_SET_CPUID2). */
    static void set(KvmVm vm, KvmVcpu vcpu) throws KvmException {
        List<int[]> entries = filter(vm.supportedCpuid(), vm.msrIndexList(), 0);
        long size = Kvm.CPUID_ENTRY.byteSize();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(8 + entries.size() * size, 8);
            s.set(ValueLayout.JAVA_INT, 0, entries.size());
            for (int i = 0; i < entries.size(); i++) {
                int[] e = entries.get(i);
                for (int j = 0; j < 7; j++) {
                    s.set(ValueLayout.JAVA_INT, 8 + i * size + j * 4L, e[j]);
                }
            }
            Kvm.ioctl(vcpu.fd, Kvm.SET_CPUID2, s, "KVM_SET_CPUID2");
        }
    }
}
