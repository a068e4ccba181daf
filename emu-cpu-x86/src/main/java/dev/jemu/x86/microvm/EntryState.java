package dev.jemu.x86.microvm;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.x86.cpu.BootState;
import dev.jemu.x86.cpu.Segment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The CPU states a loader starts the guest in, with the GDT and page tables they need written to low memory:
 * <ul>
 * <li>{@link #longMode}: the Linux 64-bit boot protocol's entry (boot.rst "64-bit Boot Protocol"): long mode,
 * paging on with an identity map of the first 4 GiB (2 MiB pages), a GDT with __BOOT_CS 0x10 (64-bit code) and
 * __BOOT_DS 0x18 (flat data) loaded, interrupts off, RSI = the boot_params address.
 * <li>{@link #protectedMode}: the PVH entry (Xen's HVM direct boot ABI, as QEMU's -kernel with an ELF that has
 * XEN_ELFNOTE_PHYS32_ENTRY): 32-bit protected mode with flat 4 GiB segments (CS 0x10, others 0x18), paging
 * off, interrupts off, EBX = the hvm_start_info address.
 * </ul>
 */
public final class EntryState {
    /** Low-memory addresses the loaders use (all below the EBDA, inside the first usable e820 range). */
    public static final long GDT = 0x500, PML4 = 0x9000, PDPT = 0xa000, PD = 0xb000, STACK_TOP = 0x8ff0;
    public static final int BOOT_CS = 0x10, BOOT_DS = 0x18;
    static final long CR0_PE = 1, CR0_ET = 0x10, CR0_PG = 1L << 31, CR4_PAE = 0x20, EFER_LME = 0x100,
            EFER_LMA = 0x400;
    static final int RSI = 6, RBX = 3, RSP = 4;
    /** Descriptors: 64-bit code (L, P, S, type 0xb, G) and flat 32-bit code and data (D/B, G). */
    static final long CODE64 = 0x00af9b000000ffffL, CODE32 = 0x00cf9b000000ffffL, DATA = 0x00cf93000000ffffL;

    private EntryState() {
    }

    /** Writes the GDT and the identity page tables, and returns the 64-bit entry state at {@code rip}. */
    public static BootState longMode(AddressSpace bus, long rip, long rsi) {
        writeGdt(bus, CODE64);
        ByteBuffer t = ByteBuffer.allocate(0x6000).order(ByteOrder.LITTLE_ENDIAN);
        t.putLong(0, PDPT | 3);                                 // PML4[0] -> PDPT, present + writable
        for (int i = 0; i < 4; i++) {
            t.putLong(0x1000 + i * 8, (PD + i * 0x1000L) | 3);  // PDPT[i] -> PD i (1 GiB each)
        }
        for (int i = 0; i < 4 * 512; i++) {
            t.putLong(0x2000 + i * 8, ((long) i << 21) | 0x83); // 2 MiB page: present, writable, PS
        }
        bus.load(PML4, t.array());
        long[] regs = new long[16];
        regs[RSI] = rsi;
        regs[RSP] = STACK_TOP;
        Segment cs = seg(BOOT_CS, CODE64), ds = seg(BOOT_DS, DATA);
        return new BootState(rip, regs, 2, CR0_PE | CR0_ET | CR0_PG, PML4, CR4_PAE, EFER_LME | EFER_LMA,
                segs(cs, ds), tss(), GDT, 4 * 8 - 1, 0, 0);
    }

    /** Writes the GDT and returns the 32-bit protected-mode (PVH) entry state at {@code eip}. */
    public static BootState protectedMode(AddressSpace bus, long eip, long ebx) {
        writeGdt(bus, CODE32);
        long[] regs = new long[16];
        regs[RBX] = ebx;
        Segment cs = seg(BOOT_CS, CODE32), ds = seg(BOOT_DS, DATA);
        return new BootState(eip, regs, 2, CR0_PE | CR0_ET, 0, 0, 0, segs(cs, ds), tss(), GDT, 4 * 8 - 1, 0, 0);
    }

    private static void writeGdt(AddressSpace bus, long code) {
        ByteBuffer g = ByteBuffer.allocate(4 * 8).order(ByteOrder.LITTLE_ENDIAN);
        g.putLong(2 * 8, code).putLong(3 * 8, DATA);
        bus.load(GDT, g.array());
    }

    /** ES, CS, SS, DS, FS, GS. */
    private static Segment[] segs(Segment cs, Segment ds) {
        Segment[] s = new Segment[6];
        for (int i = 0; i < 6; i++) {
            s[i] = new Segment();
            s[i].copyFrom(i == 1 ? cs : ds);
        }
        return s;
    }

    /** The hidden part a selector gets from {@code descriptor}, as a segment load would fill it. */
    static Segment seg(int selector, long descriptor) {
        Segment s = new Segment();
        long limit = descriptor & 0xffff | (descriptor >>> 32) & 0xf0000;
        if ((descriptor & 1L << 55) != 0) {
            limit = limit << 12 | 0xfff;
        }
        s.set(selector, 0, limit, (int) (descriptor >>> 32) & 0xf0ff00);
        return s;
    }

    /** TR as after reset: a busy 32/64-bit TSS at 0 (what VMX and SVM require on entry). */
    private static Segment tss() {
        Segment s = new Segment();
        s.set(0, 0, 0xffff, Segment.P | 0xb << Segment.TYPE_SHIFT);
        return s;
    }
}
