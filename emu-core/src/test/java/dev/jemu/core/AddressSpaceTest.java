package dev.jemu.core;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.MmioDevice;
import org.junit.jupiter.api.Test;

class AddressSpaceTest {
    @Test
    void findsRegionsAndRoutesAccesses() {
        AddressSpace as = new AddressSpace();
        GuestRam ram = new GuestRam(1 << 20);
        long[] last = new long[2];
        as.addRam("ram", 0x8000_0000L, ram);
        as.addMmio("dev", 0x1000_0000L, 0x100, new MmioDevice() {
            public long read(long off, int size) { return off + size; }
            public void write(long off, int size, long v) { last[0] = off; last[1] = v; }
        });
        as.write(0x8000_0010L, 8, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, as.read(0x8000_0010L, 8));
        assertEquals(0x88L, as.read(0x8000_0010L, 1));
        assertEquals(0x7788L, as.read(0x8000_0010L, 2));
        assertEquals(0x14L + 4, as.read(0x1000_0014L, 4));
        as.write(0x1000_0008L, 1, 0x41);
        assertArrayEquals(new long[] {8, 0x41}, last);
        assertNull(as.find(0x2000_0000L));
        assertThrows(BusError.class, () -> as.read(0x2000_0000L, 4));
        assertThrows(BusError.class, () -> as.read(0x8000_0000L + (1 << 20) - 4, 8), "straddles the end");
        assertThrows(IllegalArgumentException.class, () -> as.addRam("x", 0x8008_0000L, new GuestRam(1 << 20)));
        assertEquals(0xffff_ffff_8000_0000L == 0 ? null : null, as.find(0xffff_ffff_8000_0000L));
    }

    /** A shared object lives with its bus: one per type and bus, gone with the bus even when it refers back to it. */
    @Test
    void sharedObjectsBelongToTheirBus() throws InterruptedException {
        record Cache(AddressSpace bus) {
        }
        AddressSpace a = new AddressSpace(), b = new AddressSpace();
        Cache ca = a.shared(Cache.class, () -> new Cache(a));
        assertSame(ca, a.shared(Cache.class, () -> new Cache(a)), "made once per bus");
        assertNotSame(ca, b.shared(Cache.class, () -> new Cache(b)), "one per bus");
        java.lang.ref.WeakReference<AddressSpace> gone = new java.lang.ref.WeakReference<>(
                sharedCacheOfAnotherBus());
        for (int i = 0; i < 50 && gone.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(gone.get(), "a bus whose shared cache refers back to it is collected");
    }

    private static AddressSpace sharedCacheOfAnotherBus() {
        AddressSpace bus = new AddressSpace();
        bus.shared(Object[].class, () -> new Object[] {bus});
        return bus;
    }
}
