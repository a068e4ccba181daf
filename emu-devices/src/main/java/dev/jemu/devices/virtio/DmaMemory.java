package dev.jemu.devices.virtio;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.Region;
import java.lang.foreign.MemorySegment;

/**
 * Device DMA into guest RAM: every access is checked to lie inside one RAM region (never ROM or MMIO), so a
 * guest-supplied address can only ever touch guest memory. Callers check a range once with {@link #isRam}
 * and then access it; the accessors re-check and throw {@link VirtqueueException} on a bad address.
 */
public final class DmaMemory {
    private final AddressSpace bus;

    public DmaMemory(AddressSpace bus) {
        this.bus = bus;
    }

    /** Whether [addr, addr+len) lies inside one RAM region (len 0: addr itself need not be mapped). */
    public boolean isRam(long addr, long len) {
        if (len == 0) {
            return true;
        }
        if (len < 0) {
            return false;
        }
        Region r = bus.find(addr);
        return r != null && r.kind() == Region.Kind.RAM && r.contains(addr + len - 1);
    }

    private GuestRam ram(long addr, long len, long[] off) throws VirtqueueException {
        Region r = bus.find(addr);
        // addr and its last byte both in one region: a range wrapping around 2^64 cannot pass
        if (r == null || r.kind() != Region.Kind.RAM || (len > 0 && !r.contains(addr + len - 1))) {
            throw new VirtqueueException(String.format("DMA to 0x%x (%d bytes) is outside guest RAM", addr, len));
        }
        off[0] = addr - r.base();
        return r.ram();
    }

    public int readU16(long addr) throws VirtqueueException {
        long[] o = new long[1];
        return ram(addr, 2, o).readShort(o[0]) & 0xffff;
    }

    public long readU32(long addr) throws VirtqueueException {
        long[] o = new long[1];
        return ram(addr, 4, o).readInt(o[0]) & 0xffff_ffffL;
    }

    public long readU64(long addr) throws VirtqueueException {
        long[] o = new long[1];
        return ram(addr, 8, o).readLong(o[0]);
    }

    public void writeU16(long addr, int v) throws VirtqueueException {
        long[] o = new long[1];
        ram(addr, 2, o).writeShort(o[0], (short) v);
    }

    public void writeU32(long addr, long v) throws VirtqueueException {
        long[] o = new long[1];
        ram(addr, 4, o).writeInt(o[0], (int) v);
    }

    public void read(long addr, byte[] dst, int off, int len) throws VirtqueueException {
        read(addr, MemorySegment.ofArray(dst), off, len);
    }

    public void write(long addr, byte[] src, int off, int len) throws VirtqueueException {
        write(addr, MemorySegment.ofArray(src), off, len);
    }

    /** Copies len bytes of guest RAM at addr to dst at off. Safe from any thread (RAM is a shared segment). */
    public void read(long addr, MemorySegment dst, long off, long len) throws VirtqueueException {
        long[] o = new long[1];
        MemorySegment.copy(ram(addr, len, o).segment(), o[0], dst, off, len);
    }

    /** Copies len bytes of src at off to guest RAM at addr. Safe from any thread. */
    public void write(long addr, MemorySegment src, long off, long len) throws VirtqueueException {
        long[] o = new long[1];
        GuestRam ram = ram(addr, len, o);
        MemorySegment.copy(src, off, ram.segment(), o[0], len);
        ram.dirtyLog().mark(o[0], len); // after the copy: live migration resends the page
    }
}
