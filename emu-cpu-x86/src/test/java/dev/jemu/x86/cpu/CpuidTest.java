package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** CPUID leaves: vendor, limits, the feature table per model, clocks, topology, caches. */
class CpuidTest {
    private final MmuRig r = new MmuRig();

    private int[] q(int leaf, int sub) {
        return Cpuid.query(r.c, leaf, sub);
    }

    private static String text(int... regs) {
        ByteBuffer b = ByteBuffer.allocate(4 * regs.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : regs) {
            b.putInt(v);
        }
        return new String(b.array(), StandardCharsets.US_ASCII).replace("\0", "");
    }

    @Test
    void vendorAndLimits() {
        int[] l0 = q(0, 0);
        assertEquals("GenuineIntel", text(l0[1], l0[3], l0[2]));
        assertTrue(l0[0] >= 0x16, "leaves 0x15/0x16 are within the basic range");
        assertEquals(Cpuid.MAX_EXTENDED, q(0x8000_0000, 0)[0]);
        assertArrayEquals(q(l0[0], 0), q(l0[0] + 1, 0), "above the limit: the highest basic leaf");
        assertArrayEquals(q(l0[0], 1), q(0x8000_0009, 1));
        assertArrayEquals(new int[4], q(0x4000_0000, 0), "no hypervisor interface");
    }

    @Test
    void familyModelAndLeaf1() {
        int[] l1 = q(1, 0);
        int family = l1[0] >>> 8 & 0xf, model = (l1[0] >>> 4 & 0xf) | (l1[0] >>> 16 & 0xf) << 4;
        assertEquals(6, family);
        assertEquals(X86Model.MODEL, model);
        assertEquals(8, l1[1] >>> 8 & 0xff, "CLFLUSH line 64 bytes");
        assertEquals(r.c.cpuIndex(), l1[1] >>> 24);
        int edx = l1[3], ecx = l1[2];
        for (int bit : new int[] {0, 3, 4, 5, 6, 8, 9, 11, 12, 13, 15, 16, 17, 19, 23, 24, 25, 26}) {
            assertTrue((edx >>> bit & 1) != 0, "EDX bit " + bit);
        }
        assertEquals(0, edx & (1 << 28 | 1 << 7 | 1 << 14), "no HTT, MCE, MCA");
        assertTrue(ecx < 0, "hypervisor");
        assertEquals(0, ecx & 1 << 21, "no x2APIC");
        assertEquals(X86Clocks.LAPIC_TSC_DEADLINE, (ecx & 1 << 24) != 0);
    }

    @Test
    void featureBitsFollowTheTable() {
        for (X86Model model : X86Model.values()) {
            r.c.model = model;
            for (CpuFeature f : CpuFeature.values()) {
                int[] v = q(f.leaf, 0);
                boolean set = (v[f.reg.ordinal()] >>> f.bit & 1) != 0;
                assertEquals(model.has(f), set, model.id + " " + f);
                if (!f.implemented) {
                    assertFalse(set, f + " is not implemented yet");
                }
            }
        }
        assertTrue(X86Model.MAX.has(CpuFeature.PDPE1GB));
        assertFalse(X86Model.QEMU64.has(CpuFeature.PDPE1GB));
        // max: every SSE level that is complete, and POPCNT; qemu64 as QEMU 7.2's: SSE3 (pni) and no later SSE
        for (CpuFeature f : new CpuFeature[] {CpuFeature.SSE3, CpuFeature.SSSE3, CpuFeature.SSE41, CpuFeature.SSE42,
            CpuFeature.POPCNT}) {
            assertTrue(X86Model.MAX.has(f), "max " + f);
            assertEquals(f == CpuFeature.SSE3, X86Model.QEMU64.has(f), "qemu64 " + f);
        }
        assertEquals(X86Model.QEMU64, X86Model.byName("qemu64"));
        assertEquals(null, X86Model.byName("pentium"));
    }

    @Test
    void tscAndCrystalLeaves() {
        int[] l15 = q(0x15, 0);
        assertNotEquals(0, l15[2], "a nonzero crystal: Linux trusts the TSC rate");
        assertEquals(X86Clocks.TSC_HZ, (long) l15[2] * l15[1] / l15[0]);
        int[] l16 = q(0x16, 0);
        assertEquals(X86Clocks.TSC_HZ / 1_000_000, l16[0]);
        assertTrue((q(0x8000_0007, 0)[3] & 1 << 8) != 0, "invariant TSC");
    }

    @Test
    void topologyIsOneThreadOfOneCore() {
        for (int leaf : new int[] {0xb, 0x1f}) {
            assertArrayEquals(new int[] {0, 1, 0x100, 0}, q(leaf, 0));
            assertArrayEquals(new int[] {0, 1, 0x201, 0}, q(leaf, 1));
            assertEquals(0, q(leaf, 2)[1], "no third level");
        }
    }

    @Test
    void cacheLeavesEndWithTypeZeroAndAddUp() {
        int sub = 0;
        for (; (q(4, sub)[0] & 0x1f) != 0; sub++) {
            int[] c = q(4, sub);
            long size = (long) ((c[1] >>> 22) + 1) * ((c[1] >>> 12 & 0x3ff) + 1) * ((c[1] & 0xfff) + 1) * (c[2] + 1);
            assertTrue(size >= 32 << 10, "sub-leaf " + sub + " size " + size);
        }
        assertEquals(4, sub);
        assertEquals(0xff01, q(2, 0)[0], "leaf 2 defers to leaf 4");
    }

    @Test
    void brandAndAddressSizes() {
        StringBuilder s = new StringBuilder();
        for (int leaf = 0x8000_0002; leaf <= 0x8000_0004; leaf++) {
            s.append(text(q(leaf, 0)));
        }
        assertEquals(X86Model.MAX.brand, s.toString());
        assertEquals(Mmu.PHYS_BITS | Cpuid.VIRT_BITS << 8, q(0x8000_0008, 0)[0]);
        int edx = q(0x8000_0001, 0)[3];
        assertTrue((edx & (1 << 29 | 1 << 20 | 1 << 11)) == (1 << 29 | 1 << 20 | 1 << 11), "LM, NX, SYSCALL");
    }
}
