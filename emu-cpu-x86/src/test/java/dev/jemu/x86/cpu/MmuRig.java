package dev.jemu.x86.cpu;

import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import java.util.ArrayList;
import java.util.List;

/**
 * A CPU on 16 MiB of RAM at 0 and a recording MMIO window at {@link #MMIO}, with page-table builders for the
 * four paging modes (tables allocated from {@link #TABLES} up), until the integer core's test rig exists.
 */
final class MmuRig {
    static final long RAM_SIZE = 16 << 20, MMIO = 0x1000_0000L, TABLES = 0x10_0000;
    static final long P = 1, RW = 2, US = 4, PWT = 8, A = 32, D = 64, PS = 128, G = 256, NX = 1L << 63;

    final GuestRam ram = new GuestRam(RAM_SIZE);
    final AddressSpace bus = new AddressSpace();
    final VirtualClock clock = VirtualClock.instructionCount(0);
    final X86Cpu c;
    final Mmu mmu;
    /** MMIO accesses as "r/w offset size value". */
    final List<String> mmio = new ArrayList<>();
    private long next = TABLES;
    long root;

    MmuRig() {
        bus.addRam("ram", 0, ram);
        bus.addMmio("dev", MMIO, 0x1000, new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                mmio.add("r " + offset + " " + size);
                return 0x1122_3344_5566_7788L;
            }

            @Override
            public void write(long offset, int size, long value) {
                mmio.add("w " + offset + " " + size + " " + Long.toHexString(value));
            }
        });
        MachineLoop loop = new MachineLoop(clock);
        c = new X86Cpu(0, bus, new AddressSpace(), loop, new Timebase(clock, X86Clocks.TSC_HZ));
        mmu = c.mmu;
    }

    long alloc() {
        long p = next;
        next += 4096;
        return p;
    }

    // ---------------------------------------------------------------- modes

    /** 64-bit mode at CPL 0: CR0.PE|PG|WP, CR4.PAE|PGE, EFER.LME|LMA|NXE, a fresh PML4. */
    MmuRig longMode() {
        return paging(X86Cpu.CR4_PAE, X86Cpu.EFER_LME | X86Cpu.EFER_LMA | X86Cpu.EFER_NXE, Segment.L);
    }

    /** PAE paging in 32-bit protected mode (no LMA): a PDPT of 4 entries. */
    MmuRig paeMode() {
        return paging(X86Cpu.CR4_PAE, X86Cpu.EFER_NXE, Segment.DB);
    }

    /** 32-bit paging with CR4.PSE. */
    MmuRig paging32() {
        return paging(X86Cpu.CR4_PSE, 0, Segment.DB);
    }

    /** Paging on (with CR0.WP and CR4.PGE) at CPL 0 with a fresh top-level table and a CS of {@code csAttr}. */
    private MmuRig paging(long cr4, long efer, int csAttr) {
        root = alloc();
        c.cr0 = X86Cpu.CR0_PE | X86Cpu.CR0_PG | X86Cpu.CR0_WP;
        c.cr4 = cr4 | X86Cpu.CR4_PGE;
        c.efer = efer;
        c.cr3 = root;
        c.seg[X86Cpu.CS].attr |= csAttr;
        c.updateMode();
        mmu.flushTlb();
        return this;
    }

    void user() {
        c.cpl = 3;
    }

    void supervisor() {
        c.cpl = 0;
    }

    // ---------------------------------------------------------------- long mode / PAE tables (8-byte entries)

    /** The entry for {@code la} at {@code level} (4 PML4 .. 1 PT) in long mode, making tables above it. */
    long entryAddr(long la, int level) {
        boolean pae = (c.efer & X86Cpu.EFER_LMA) == 0;
        long table = root;
        int top = pae ? 3 : 4;
        for (int l = top; l > level; l--) {
            long ea = pae && l == 3 ? table + (la >>> 30 & 3) * 8 : table + (la >>> (12 + 9 * (l - 1)) & 0x1ff) * 8;
            long e = ram.readLong(ea);
            if ((e & P) == 0) {
                long t = alloc();
                e = t | P | (pae && l == 3 ? 0 : RW | US);
                ram.writeLong(ea, e);
            }
            table = e & 0x000f_ffff_ffff_f000L;
        }
        return pae && level == 3 ? table + (la >>> 30 & 3) * 8 : table + (la >>> (12 + 9 * (level - 1)) & 0x1ff) * 8;
    }

    /** Maps 4 KiB page {@code la} to {@code pa} with leaf flags {@code flags} (P added); tables are P|RW|US. */
    long map4k(long la, long pa, long flags) {
        long a = entryAddr(la, 1);
        ram.writeLong(a, pa | flags | P);
        return a;
    }

    /** A 2 MiB (level 2) or 1 GiB (level 3) page. */
    long mapLarge(long la, long pa, int level, long flags) {
        long a = entryAddr(la, level);
        ram.writeLong(a, pa | flags | P | PS);
        return a;
    }

    // ---------------------------------------------------------------- 32-bit tables (4-byte entries)

    long map32(long la, long pa, long flags) {
        long pdeAddr = root + (la >>> 22) * 4;
        int pde = ram.readInt(pdeAddr);
        if ((pde & P) == 0) {
            pde = (int) (alloc() | P | RW | US);
            ram.writeInt(pdeAddr, pde);
        }
        long pteAddr = (pde & 0xffff_f000L) + (la >>> 12 & 0x3ff) * 4;
        ram.writeInt(pteAddr, (int) (pa | flags | P));
        return pteAddr;
    }

    long map32Large(long la, long pde) {
        long a = root + (la >>> 22) * 4;
        ram.writeInt(a, (int) (pde | P | PS));
        return a;
    }

    // ---------------------------------------------------------------- faults

    /** Runs {@code r}, expecting a fault; returns "vector:error" (error -1 without one). */
    String fault(Runnable r) {
        try {
            r.run();
        } catch (X86Exception e) {
            return c.excVector + ":" + (c.excHasError ? Integer.toHexString(c.excError) : "-");
        }
        return "no fault";
    }

    static String pf(int err) {
        return Vectors.PF + ":" + Integer.toHexString(err);
    }
}
