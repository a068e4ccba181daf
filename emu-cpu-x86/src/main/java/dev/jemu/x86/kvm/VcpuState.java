package dev.jemu.x86.kvm;

import dev.jemu.core.state.StateException;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.x86.cpu.BootState;
import dev.jemu.x86.cpu.Segment;
import dev.jemu.x86.cpu.X86Cpu;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A vCPU's architectural state through KVM's ioctls (regs, sregs, FPU or XSAVE, MSRs, LAPIC, pending events),
 * in {@link X86Cpu#saveState}'s field names where they mean the same (r0..r15, rip, rflags, seg0..seg5 in
 * X86Cpu's ES CS SS DS FS GS order, ldtr, tr, gdt/idt, cr*, efer, xmm0..31, mxcsr, x87.*, msr.*), plus KVM's own
 * blobs (xsave, lapic, vcpu_events) so that a KVM snapshot restores exactly.
 */
final class VcpuState {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    /** kvm_sregs' segment order (cs ds es fs gs ss) as X86Cpu's indexes (ES 0, CS 1, SS 2, DS 3, FS 4, GS 5). */
    private static final int[] KVM_TO_X86 = {X86Cpu.CS, X86Cpu.DS, X86Cpu.ES, X86Cpu.FS, X86Cpu.GS, X86Cpu.SS};
    private static final int TR = 6, LDT = 7;
    /** X86Cpu's register numbers (the encoding's: rax rcx rdx rbx rsp rbp rsi rdi r8..) as kvm_regs' slots
     *  (rax rbx rcx rdx rsi rdi rsp rbp r8..). */
    private static final int[] X86_TO_KVM_GPR = {0, 2, 3, 1, 6, 7, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};

    /** The MSRs saved by name when KVM lists them (names as X86Cpu's Msrs saves them, where it does). */
    private static final Map<Integer, String> MSRS = new LinkedHashMap<>();

    static {
        MSRS.put(0x10, "msr.tsc");
        MSRS.put(0x174, "msr.sysenter_cs");
        MSRS.put(0x175, "msr.sysenter_esp");
        MSRS.put(0x176, "msr.sysenter_eip");
        MSRS.put(0x1a0, "msr.misc_enable");
        MSRS.put(0x277, "msr.pat");
        MSRS.put(0x6e0, "msr.tsc_deadline");
        MSRS.put(0xc0000081, "msr.star");
        MSRS.put(0xc0000082, "msr.lstar");
        MSRS.put(0xc0000083, "msr.cstar");
        MSRS.put(0xc0000084, "msr.fmask");
        MSRS.put(0xc0000102, "msr.kernel_gs_base");
        MSRS.put(0xc0000103, "msr.tsc_aux");
        MSRS.put(0x4b564d00, "msr.kvm_wall_clock");
        MSRS.put(0x4b564d01, "msr.kvm_system_time");
        MSRS.put(0x4b564d02, "msr.kvm_async_pf_en");
        MSRS.put(0x4b564d03, "msr.kvm_steal_time");
        MSRS.put(0x4b564d04, "msr.kvm_pv_eoi_en");
    }

    private final KvmVcpu vcpu;
    private final int[] msrs; // the MSRS keys KVM lists here
    private final boolean xsave;

    VcpuState(KvmVcpu vcpu, List<Integer> kvmMsrs, boolean xsave) {
        this.vcpu = vcpu;
        this.msrs = MSRS.keySet().stream().filter(kvmMsrs::contains).mapToInt(Integer::intValue).toArray();
        this.xsave = xsave;
    }

    // ------------------------------------------------------------------ registers

    /** The 16 general registers in X86Cpu's numbering, then RIP, RFLAGS. */
    long[] regs() {
        byte[] b = KvmVcpu.getBlob(vcpu.fd, Kvm.GET_REGS, 144, "KVM_GET_REGS");
        long[] r = new long[18];
        MemorySegment s = MemorySegment.ofArray(b);
        for (int i = 0; i < 18; i++) {
            r[i] = s.get(ValueLayout.JAVA_LONG_UNALIGNED, (i < 16 ? X86_TO_KVM_GPR[i] : i) * 8L);
        }
        return r;
    }

    private void setRegs(long[] r) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Kvm.REGS);
            for (int i = 0; i < 18; i++) {
                s.set(U64, (i < 16 ? X86_TO_KVM_GPR[i] : i) * 8L, r[i]);
            }
            KvmVm.check(Kvm.ioctlRaw(vcpu.fd, Kvm.SET_REGS, s), "KVM_SET_REGS");
        }
    }

    private static void putSeg(MemorySegment s, long off, Segment g) {
        s.set(U64, off, g.base);
        s.set(U32, off + 8, (int) g.limit);
        s.set(ValueLayout.JAVA_SHORT, off + 12, (short) g.selector);
        int a = g.attr;
        s.set(ValueLayout.JAVA_BYTE, off + 14, (byte) (a >>> Segment.TYPE_SHIFT & 15));
        s.set(ValueLayout.JAVA_BYTE, off + 15, (byte) (a >>> 15 & 1));
        s.set(ValueLayout.JAVA_BYTE, off + 16, (byte) (a >>> Segment.DPL_SHIFT & 3));
        s.set(ValueLayout.JAVA_BYTE, off + 17, (byte) (a >>> 22 & 1));
        s.set(ValueLayout.JAVA_BYTE, off + 18, (byte) (a >>> 12 & 1));
        s.set(ValueLayout.JAVA_BYTE, off + 19, (byte) (a >>> 21 & 1));
        s.set(ValueLayout.JAVA_BYTE, off + 20, (byte) (a >>> 23 & 1));
        s.set(ValueLayout.JAVA_BYTE, off + 21, (byte) (a >>> 20 & 1));
        s.set(ValueLayout.JAVA_BYTE, off + 22, (byte) ((a & Segment.P) != 0 ? 0 : 1)); // unusable
    }

    private static Segment getSeg(MemorySegment s, long off) {
        int attr = (s.get(ValueLayout.JAVA_BYTE, off + 14) & 15) << Segment.TYPE_SHIFT
                | (s.get(ValueLayout.JAVA_BYTE, off + 15) & 1) << 15
                | (s.get(ValueLayout.JAVA_BYTE, off + 16) & 3) << Segment.DPL_SHIFT
                | (s.get(ValueLayout.JAVA_BYTE, off + 17) & 1) << 22
                | (s.get(ValueLayout.JAVA_BYTE, off + 18) & 1) << 12
                | (s.get(ValueLayout.JAVA_BYTE, off + 19) & 1) << 21
                | (s.get(ValueLayout.JAVA_BYTE, off + 20) & 1) << 23
                | (s.get(ValueLayout.JAVA_BYTE, off + 21) & 1) << 20;
        if (s.get(ValueLayout.JAVA_BYTE, off + 22) != 0) {
            attr &= ~Segment.P;
        }
        Segment g = new Segment();
        g.set(s.get(ValueLayout.JAVA_SHORT, off + 12) & 0xffff, s.get(U64, off), s.get(U32, off + 8) & 0xffffffffL,
                attr);
        return g;
    }

    /** The sregs as a segment; fields read or changed by the callers. */
    private MemorySegment getSregs(Arena a) {
        MemorySegment s = a.allocate(Kvm.SREGS);
        KvmVm.check(Kvm.ioctlRaw(vcpu.fd, Kvm.GET_SREGS, s), "KVM_GET_SREGS");
        return s;
    }

    private void setSregs(MemorySegment s) {
        KvmVm.check(Kvm.ioctlRaw(vcpu.fd, Kvm.SET_SREGS, s), "KVM_SET_SREGS");
    }

    /** The power-on state: the same values X86Cpu.reset() gives. */
    void powerOn() {
        Segment[] segs = new Segment[6];
        for (int i = 0; i < 6; i++) {
            segs[i] = new Segment();
            segs[i].set(0, 0, 0xffff, Segment.REAL_DATA);
        }
        segs[X86Cpu.CS].set(0xf000, 0xffff0000L, 0xffff, Segment.REAL_CODE);
        Segment tr = new Segment();
        tr.set(0, 0, 0xffff, Segment.P | 0xb << Segment.TYPE_SHIFT);
        long[] r = new long[16];
        r[X86Cpu.RDX] = 0x600;
        load(new BootState(0xfff0, r, 2, X86Cpu.CR0_ET | X86Cpu.CR0_CD | X86Cpu.CR0_NW, 0, 0, 0, segs, tr, 0, 0xffff,
                0, 0xffff));
    }

    /** A boot protocol's register state (the LDT unusable, the rest as the protocol says). */
    void load(BootState b) {
        long[] r = new long[18];
        System.arraycopy(b.regs(), 0, r, 0, 16);
        r[16] = b.rip();
        r[17] = b.rflags() | 2;
        setRegs(r);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = getSregs(a);
            for (int k = 0; k < 6; k++) {
                putSeg(s, k * 24L, b.segs()[KVM_TO_X86[k]]);
            }
            putSeg(s, TR * 24L, b.tr());
            Segment ldt = new Segment();
            ldt.set(0, 0, 0xffff, 2 << Segment.TYPE_SHIFT); // not present: unusable
            putSeg(s, LDT * 24L, ldt);
            s.set(U64, Kvm.SREGS_GDT, b.gdtBase());
            s.set(ValueLayout.JAVA_SHORT, Kvm.SREGS_GDT + 8, (short) b.gdtLimit());
            s.set(U64, Kvm.SREGS_IDT, b.idtBase());
            s.set(ValueLayout.JAVA_SHORT, Kvm.SREGS_IDT + 8, (short) b.idtLimit());
            s.set(U64, Kvm.SREGS_CR0, b.cr0());
            s.set(U64, Kvm.SREGS_CR0 + 8, 0);          // cr2
            s.set(U64, Kvm.SREGS_CR0 + 16, b.cr3());
            s.set(U64, Kvm.SREGS_CR0 + 24, b.cr4());
            s.set(U64, Kvm.SREGS_CR0 + 32, 0);         // cr8
            s.set(U64, Kvm.SREGS_EFER, b.efer());
            for (int i = 0; i < 4; i++) {
                s.set(U64, Kvm.SREGS_INTERRUPT_BITMAP + 8L * i, 0);
            }
            setSregs(s);
        }
    }

    // ------------------------------------------------------------------ Stateful

    void save(StateWriter out) {
        long[] r = regs();
        for (int i = 0; i < 16; i++) out.putLong("r" + i, r[i]);
        out.putLong("rip", r[16]);
        out.putLong("rflags", r[17]);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = getSregs(a);
            Segment[] segs = new Segment[6];
            for (int k = 0; k < 6; k++) {
                segs[KVM_TO_X86[k]] = getSeg(s, k * 24L);
            }
            for (int i = 0; i < 6; i++) putSegment(out, "seg" + i, segs[i]);
            putSegment(out, "ldtr", getSeg(s, LDT * 24L));
            putSegment(out, "tr", getSeg(s, TR * 24L));
            out.putLong("gdt_base", s.get(U64, Kvm.SREGS_GDT));
            out.putInt("gdt_limit", s.get(ValueLayout.JAVA_SHORT, Kvm.SREGS_GDT + 8) & 0xffff);
            out.putLong("idt_base", s.get(U64, Kvm.SREGS_IDT));
            out.putInt("idt_limit", s.get(ValueLayout.JAVA_SHORT, Kvm.SREGS_IDT + 8) & 0xffff);
            String[] crs = {"cr0", "cr2", "cr3", "cr4", "cr8"};
            for (int i = 0; i < 5; i++) out.putLong(crs[i], s.get(U64, Kvm.SREGS_CR0 + 8L * i));
            out.putLong("efer", s.get(U64, Kvm.SREGS_EFER));
            out.putLong("msr.apic_base", s.get(U64, Kvm.SREGS_APIC_BASE));
            out.putBytes("kvm.sregs", s.toArray(ValueLayout.JAVA_BYTE));
        }
        byte[] fpu = KvmVcpu.getBlob(vcpu.fd, Kvm.GET_FPU, 416, "KVM_GET_FPU");
        MemorySegment f = MemorySegment.ofArray(fpu);
        for (int i = 0; i < 32; i++) out.putLong("xmm" + i, f.get(ValueLayout.JAVA_LONG_UNALIGNED, Kvm.FPU_XMM + 8L * i));
        out.putInt("mxcsr", f.get(ValueLayout.JAVA_INT_UNALIGNED, Kvm.FPU_MXCSR));
        out.putInt("x87.fcw", f.get(ValueLayout.JAVA_SHORT_UNALIGNED, Kvm.FPU_FCW) & 0xffff);
        out.putInt("x87.fsw", f.get(ValueLayout.JAVA_SHORT_UNALIGNED, Kvm.FPU_FSW) & 0xffff);
        out.putInt("x87.ftw", f.get(ValueLayout.JAVA_BYTE, Kvm.FPU_FTWX) & 0xff);
        out.putBytes("kvm.fpu", fpu);
        if (xsave) { // the AVX and later parts KVM_GET_FPU leaves out, and XCR0 that says which are in use
            out.putBytes("kvm.xsave", KvmVcpu.getBlob(vcpu.fd, Kvm.GET_XSAVE, 4096, "KVM_GET_XSAVE"));
            out.putBytes("kvm.xcrs", KvmVcpu.getBlob(vcpu.fd, Kvm.GET_XCRS, 392, "KVM_GET_XCRS"));
        }
        long[] values = getMsrs();
        for (int i = 0; i < msrs.length; i++) out.putLong(MSRS.get(msrs[i]), values[i]);
        if (vcpu.lapic()) {
            out.putBytes("kvm.lapic", KvmVcpu.getBlob(vcpu.fd, Kvm.GET_LAPIC, 1024, "KVM_GET_LAPIC"));
        }
        out.putBytes("kvm.vcpu_events", KvmVcpu.getBlob(vcpu.fd, Kvm.GET_VCPU_EVENTS, 64, "KVM_GET_VCPU_EVENTS"));
    }

    void restore(StateReader in) {
        long[] r = new long[18];
        for (int i = 0; i < 16; i++) r[i] = in.getLong("r" + i);
        r[16] = in.getLong("rip");
        r[17] = in.getLong("rflags");
        setRegs(r);
        if (!in.has("kvm.sregs") || !in.has("kvm.fpu")) {
            throw new StateException("cpu state: not a KVM vCPU's state (an interpreter snapshot cannot be loaded "
                    + "under -accel kvm yet)");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Kvm.SREGS);
            MemorySegment.copy(in.getBytes("kvm.sregs"), 0, s, ValueLayout.JAVA_BYTE, 0, 312);
            setSregs(s);
        }
        KvmVcpu.setBlob(vcpu.fd, Kvm.SET_FPU, in.getBytes("kvm.fpu"), 416, "KVM_SET_FPU");
        if (xsave && in.has("kvm.xsave") && in.has("kvm.xcrs")) {
            KvmVcpu.setBlob(vcpu.fd, Kvm.SET_XCRS, in.getBytes("kvm.xcrs"), 392, "KVM_SET_XCRS");
            KvmVcpu.setBlob(vcpu.fd, Kvm.SET_XSAVE, in.getBytes("kvm.xsave"), 4096, "KVM_SET_XSAVE");
        }
        long[] values = new long[msrs.length];
        for (int i = 0; i < msrs.length; i++) values[i] = in.getLong(MSRS.get(msrs[i]), 0);
        setMsrs(values);
        if (vcpu.lapic() && in.has("kvm.lapic")) {
            KvmVcpu.setBlob(vcpu.fd, Kvm.SET_LAPIC, in.getBytes("kvm.lapic"), 1024, "KVM_SET_LAPIC");
        }
        if (in.has("kvm.vcpu_events")) {
            KvmVcpu.setBlob(vcpu.fd, Kvm.SET_VCPU_EVENTS, in.getBytes("kvm.vcpu_events"), 64, "KVM_SET_VCPU_EVENTS");
        }
    }

    private long[] getMsrs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = msrBuffer(a, new long[msrs.length]);
            int n = Kvm.ioctlRaw(vcpu.fd, Kvm.GET_MSRS, s);
            KvmVm.check(n, "KVM_GET_MSRS");
            long[] v = new long[msrs.length];
            for (int i = 0; i < Math.min(n, msrs.length); i++) v[i] = s.get(U64, 8 + 16L * i + 8);
            return v;
        }
    }

    private void setMsrs(long[] values) {
        try (Arena a = Arena.ofConfined()) {
            int n = Kvm.ioctlRaw(vcpu.fd, Kvm.SET_MSRS, msrBuffer(a, values));
            KvmVm.check(n, "KVM_SET_MSRS");
        }
    }

    /** kvm_msrs: u32 nmsrs, pad, then kvm_msr_entry {u32 index, u32 reserved, u64 data} each. */
    private MemorySegment msrBuffer(Arena a, long[] values) {
        MemorySegment s = a.allocate(8 + 16L * msrs.length, 8);
        s.set(U32, 0, msrs.length);
        for (int i = 0; i < msrs.length; i++) {
            s.set(U32, 8 + 16L * i, msrs[i]);
            s.set(U64, 8 + 16L * i + 8, values[i]);
        }
        return s;
    }

    private static void putSegment(StateWriter out, String name, Segment s) {
        out.putInt(name + ".selector", s.selector);
        out.putLong(name + ".base", s.base);
        out.putLong(name + ".limit", s.limit);
        out.putInt(name + ".attr", s.attr);
    }
}
