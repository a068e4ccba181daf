package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class LoadStoreTest {
    /** Where the programs keep their data (x20 points here). */
    static final long DATA = TestRig.RAM + 0x10_0000;
    static final String BASE = "ldr x20, =" + DATA + "\n";
    static final long W = 0xffff_ffffL;

    private static long mem(IntRig r, long addr, int size) {
        return r.rig.bus.read(addr, size);
    }

    private static void poke(IntRig r, long addr, int size, long value) {
        r.rig.bus.write(addr, size, value);
    }

    @Test
    void everyLoadKindWithUnsignedOffset() {
        IntRig r = new IntRig(BASE + "ldrb w1, [x20, #7]\nldrh w2, [x20, #6]\nldr w3, [x20, #4]\nldr x4, [x20]\n"
                + "ldrsb x5, [x20, #7]\nldrsb w6, [x20, #7]\nldrsh x7, [x20, #6]\nldrsh w8, [x20, #6]\n"
                + "ldrsw x9, [x20, #4]\nldr x10, [x20, #32760]\nldrsb x11, [x20, #1]\nldr w12, [x20, #16380]");
        long v = 0x8899_aabb_7766_5544L;
        poke(r, DATA, 8, v);
        poke(r, DATA + 32760, 8, 0x1122_3344_5566_7788L);
        poke(r, DATA + 16380, 4, 0xdead_beefL);
        long[] junk = new long[13];
        java.util.Arrays.fill(junk, -1);
        r.run(junk);
        assertEquals(0x88, r.x(1));
        assertEquals(0x8899, r.x(2));
        assertEquals(0x8899_aabbL, r.x(3));
        assertEquals(v, r.x(4));
        assertEquals((long) (byte) 0x88, r.x(5));
        assertEquals(0xffff_ff88L, r.x(6));
        assertEquals((long) (short) 0x8899, r.x(7));
        assertEquals(0xffff_8899L, r.x(8));
        assertEquals((long) (int) 0x8899_aabbL, r.x(9));
        assertEquals(0x1122_3344_5566_7788L, r.x(10));
        assertEquals(0x55, r.x(11));
        assertEquals(0xdead_beefL, r.x(12));
    }

    @Test
    void everyStoreSizeAndUnscaledOffsets() {
        IntRig r = new IntRig(BASE + "add x21, x20, #64\nstrb w1, [x20]\nstrh w1, [x20, #2]\nstr w1, [x20, #4]\n"
                + "str x1, [x20, #8]\nstur x1, [x21, #-47]\nsturh w1, [x21, #-1]\nldur x2, [x21, #-47]\n"
                + "ldursw x3, [x21, #-47]\nldurb w4, [x21, #255]\nsturb w1, [x21, #-256]\n");
        long v = 0xf1e2_d3c4_b5a6_9788L;
        poke(r, DATA + 64 + 255, 1, 0xab);
        r.run(0, v);
        assertEquals(0x88, mem(r, DATA, 1));
        assertEquals(0x9788, mem(r, DATA + 2, 2));
        assertEquals(0xb5a6_9788L, mem(r, DATA + 4, 4));
        assertEquals(v, mem(r, DATA + 8, 8));
        assertEquals(v, mem(r, DATA + 17, 8)); // unaligned is fine for normal loads and stores
        assertEquals(0x9788, mem(r, DATA + 63, 2));
        assertEquals(v, r.x(2));
        assertEquals((long) (int) v, r.x(3));
        assertEquals(0xab, r.x(4));
        assertEquals(0x88, mem(r, DATA + 64 - 256, 1));
    }

    @Test
    void preAndPostIndexWriteBack() {
        IntRig r = new IntRig(BASE + "mov x21, x20\nstr x1, [x21, #16]!\nmov x22, x21\nstrb w1, [x21], #-3\n"
                + "mov x23, x21\nldrsh x2, [x21, #5]!\nldr w3, [x21], #11\nmov x24, x21\n"
                + "mov x25, x20\nldr x25, [x25, #16]!\nmov x26, x20\nstr x26, [x26, #8]!\nmov x27, x20\n"
                + "ldr x27, [x27], #8\n");
        long v = 0x0102_0304_8506_0708L;
        r.run(0, v);
        assertEquals(DATA + 16, r.x(22));
        assertEquals(v, mem(r, DATA + 16, 8));
        assertEquals(DATA + 13, r.x(23));
        assertEquals(0x08, mem(r, DATA + 16, 1)); // strb wrote the same low byte
        assertEquals((long) (short) 0x8506, r.x(2)); // halfword at DATA + 18
        assertEquals(mem(r, DATA + 18, 4), r.x(3));
        assertEquals(DATA + 18 + 11, r.x(24));
        // Rt == Rn with writeback (CONSTRAINED UNPREDICTABLE): the written-back address wins a load, a store
        // stores the register's old value (QEMU's choices)
        assertEquals(DATA + 16, r.x(25));
        assertEquals(DATA, mem(r, DATA + 8, 8));
        assertEquals(DATA + 8, r.x(27));
    }

    @Test
    void registerOffsetExtendsAndScales() {
        IntRig r = new IntRig(BASE + "ldr x1, [x20, x2, lsl #3]\nldrb w3, [x20, w4, uxtw]\nldrh w5, [x21, w6, sxtw #1]\n"
                + "ldr w7, [x21, x8, sxtx #2]\nldrsw x9, [x20, x10]\nstr x11, [x20, w4, uxtw #3]\nstrh w11, [x21, w6, sxtw]\n"
                + "ldr x12, [x20, w13, sxtw #3]\n");
        for (int i = 0; i < 64; i++) {
            poke(r, DATA + 8L * i, 8, 0x1000L * i + 0x0123_4567_89ab_cdefL * (i + 1));
        }
        long[] regs = new long[14];
        regs[2] = 3; // x2
        regs[4] = 0xffff_ffff_0000_0005L; // w4 = 5, upper half ignored by uxtw
        regs[6] = -4; // w6 = -4 (sxtw)
        regs[8] = -8; // x8 = -8 (sxtx)
        regs[10] = 12;
        regs[11] = 0x5555_6666_7777_8888L;
        regs[13] = 0x1_0000_0002L; // sxtw of 2
        long w4Byte = mem(r, DATA + 5, 1);
        long h = mem(r, DATA + 256 - 8, 2);
        long w7 = mem(r, DATA + 256 - 32, 4);
        long sw = (long) (int) mem(r, DATA + 12, 4);
        long x12 = mem(r, DATA + 16, 8);
        long x1 = mem(r, DATA + 24, 8);
        r.cpu.setReg(21, DATA + 256);
        rigRun(r, regs);
        assertEquals(x1, r.x(1));
        assertEquals(w4Byte, r.x(3));
        assertEquals(h, r.x(5));
        assertEquals(w7, r.x(7));
        assertEquals(sw, r.x(9));
        assertEquals(0x5555_6666_7777_8888L, mem(r, DATA + 40, 8));
        assertEquals(0x8888, mem(r, DATA + 252, 2));
        assertEquals(x12, r.x(12));
    }

    /** Runs with x0..x13 from regs, keeping x21 as set. */
    private static void rigRun(IntRig r, long[] regs) {
        long x21 = r.cpu.reg(21);
        for (int i = 0; i < regs.length; i++) {
            r.cpu.setReg(i, regs[i]);
        }
        r.cpu.setReg(21, x21);
        r.run();
    }

    @Test
    void literalLoadsAndPrefetches() {
        IntRig r = new IntRig("ldr x1, lit\nldr w2, lit\nldrsw x3, lit\nprfm pldl1keep, lit\n"
                + "prfm pstl2strm, [x0]\nprfm pldl1keep, [x0, x5, lsl #3]\nprfum pldl3keep, [x0, #-1]\nb over\n"
                + ".align 3\nlit: .quad 0x1234567880000004\nover:\n");
        r.run(0xdead_0000_0000L, 5); // prefetches at unmapped addresses must not fault
        assertEquals(0x1234_5678_8000_0004L, r.x(1));
        assertEquals(0x8000_0004L, r.x(2));
        assertEquals(0xffff_ffff_8000_0004L, r.x(3));
    }

    @Test
    void pairsInEveryMode() {
        IntRig r = new IntRig(BASE + "mov x21, x20\nstp x1, x2, [x21, #16]\nstp w1, w2, [x21, #-8]!\nmov x22, x21\n"
                + "ldp x3, x4, [x21, #24]\nldp w5, w6, [x21], #24\nmov x23, x21\nldpsw x7, x8, [x21, #-24]!\n"
                + "stnp x2, x1, [x20, #496]\nldnp x9, x10, [x20, #496]\nmov x24, x20\nldp x24, x11, [x24, #16]!\n"
                + "mov x25, x20\nstp x25, x2, [x25, #32]!\nldp x12, x13, [x20, #-512]\n");
        long a = 0x8000_0001_f000_0002L, b = 0x7fff_fffe_8fff_fffdL;
        poke(r, DATA - 512, 8, 0x11);
        poke(r, DATA - 504, 8, 0x22);
        r.run(0, a, b);
        assertEquals(a, mem(r, DATA + 16, 8));
        assertEquals(b, mem(r, DATA + 24, 8));
        assertEquals(a & W, mem(r, DATA - 8, 4));
        assertEquals(b & W, mem(r, DATA - 4, 4));
        assertEquals(DATA - 8, r.x(22));
        assertEquals(a, r.x(3));
        assertEquals(b, r.x(4));
        assertEquals(a & W, r.x(5));
        assertEquals(b & W, r.x(6));
        assertEquals(DATA + 16, r.x(23));
        assertEquals((long) (int) a, r.x(7));
        assertEquals((long) (int) b, r.x(8));
        assertEquals(b, r.x(9));
        assertEquals(a, r.x(10));
        assertEquals(DATA + 16, r.x(24)); // Rt == Rn: writeback wins
        assertEquals(b, r.x(11));
        assertEquals(DATA, mem(r, DATA + 32, 8)); // the old base is stored
        assertEquals(0x11, r.x(12));
        assertEquals(0x22, r.x(13));
    }

    @Test
    void unprivilegedAccesses() {
        IntRig r = new IntRig(BASE + "sttr x1, [x20, #8]\nsttrb w1, [x20, #-1]\nsttrh w1, [x20, #20]\nsttr w1, [x20, #24]\n"
                + "ldtr x2, [x20, #8]\nldtrsb x3, [x20, #-1]\nldtrsh w4, [x20, #20]\nldtrsw x5, [x20, #24]\n"
                + "ldtrb w6, [x20, #-1]\nldtrh w7, [x20, #20]\nldtr w8, [x20, #8]\nldtrsb w9, [x20, #-1]\n");
        long v = 0x0123_4567_89ab_cdefL;
        r.run(0, v);
        assertEquals(v, r.x(2));
        assertEquals((long) (byte) 0xef, r.x(3));
        assertEquals((long) (short) 0xcdef & W, r.x(4));
        assertEquals((long) (int) 0x89ab_cdefL, r.x(5));
        assertEquals(0xef, r.x(6));
        assertEquals(0xcdef, r.x(7));
        assertEquals(0x89ab_cdefL, r.x(8));
        assertEquals(0xffff_ffefL, r.x(9));
    }

    @Test
    void acquireRelease() {
        IntRig r = new IntRig(BASE + "stlr x1, [x20]\nadd x23, x20, #8\nstlrb w1, [x23]\nadd x21, x20, #16\nstlrh w1, [x21]\n"
                + "add x22, x20, #20\nstlr w1, [x22]\nldar x2, [x20]\nldarb w3, [x20]\nldarh w4, [x21]\nldar w5, [x22]\n");
        long v = 0xfedc_ba98_7654_3210L;
        r.run(0, v);
        assertEquals(v, mem(r, DATA, 8));
        assertEquals(0x10, mem(r, DATA + 8, 1));
        assertEquals(0x3210, mem(r, DATA + 16, 2));
        assertEquals(0x7654_3210L, mem(r, DATA + 20, 4));
        assertEquals(v, r.x(2));
        assertEquals(0x10, r.x(3));
        assertEquals(0x3210, r.x(4));
        assertEquals(0x7654_3210L, r.x(5));
    }

    @Test
    void exclusivesSucceedOnlyWithTheMonitorSet() {
        IntRig r = new IntRig(BASE
                + "ldxr x2, [x20]\nadd x2, x2, #1\nstxr w3, x2, [x20]\n" // success
                + "stxr w4, x2, [x20]\n" // monitor cleared by the last store: fails
                + "ldaxr w5, [x20]\nstlxr w6, w1, [x20]\n" // success, 32-bit
                + "ldxrb w7, [x20]\nstxrh w8, w1, [x20]\n" // size differs: fails
                + "ldxrh w9, [x20]\nadd x21, x20, #2\nstxrh w10, w1, [x21]\n" // address differs: fails
                + "ldxr x11, [x20]\nstr xzr, [x20]\nstxr w12, x1, [x20]\n" // memory changed under it: fails
                + "add x22, x20, #64\nldxp x13, x14, [x22]\nstxp w15, x14, x13, [x22]\n" // swap the pair
                + "add x23, x20, #128\nldaxp w16, w17, [x23]\nstlxp w18, w17, w16, [x23]\n"
                + "ldxrb w19, [x20]\nstxrb w24, w1, [x20]\n");
        poke(r, DATA, 8, 41);
        poke(r, DATA + 64, 8, 0x1111);
        poke(r, DATA + 72, 8, 0x2222);
        poke(r, DATA + 128, 4, 0x3333);
        poke(r, DATA + 132, 4, 0x4444);
        r.run(0, 0xaaaa_bbbb_cccc_ddddL);
        assertEquals(0, r.x(3), "stxr after ldxr");
        assertEquals(1, r.x(4), "second stxr");
        assertEquals(42, r.x(5));
        assertEquals(0, r.x(6), "stlxr after ldaxr");
        assertEquals(0xdd, r.x(7));
        assertEquals(1, r.x(8), "stxrh after ldxrb");
        assertEquals(1, r.x(10), "stxrh to another address");
        assertEquals(1, r.x(12), "stxr after the value changed");
        assertEquals(0xdd, mem(r, DATA, 8), "the failed stxr stored nothing, the final stxrb its byte");
        assertEquals(0x1111, r.x(13));
        assertEquals(0x2222, r.x(14));
        assertEquals(0, r.x(15));
        assertEquals(0x2222, mem(r, DATA + 64, 8));
        assertEquals(0x1111, mem(r, DATA + 72, 8));
        assertEquals(0x3333, r.x(16));
        assertEquals(0x4444, r.x(17));
        assertEquals(0, r.x(18));
        assertEquals(0x0000_3333_0000_4444L, mem(r, DATA + 128, 8), "stlxp swapped the W pair");
        assertEquals(0, r.x(24), "stxrb after ldxrb");
        assertEquals(0xdd, mem(r, DATA, 1));
        assertEquals(-1, r.cpu.exclusiveAddr, "the monitor is clear after a store-exclusive");
    }

    private static void assertAlignmentFault(String insn, long addr, boolean write) {
        assertAlignmentFault(insn, addr, write, 0);
    }

    /** Runs {@code insns} with x0 = addr and checks the instruction at {@code faultAt} raised an alignment fault. */
    private static void assertAlignmentFault(String insn, long addr, boolean write, int faultAt) {
        TestRig r = new TestRig().asm(insn + "\nudf #0xbeef");
        r.cpu.setReg(0, addr);
        r.cpu.setReg(1, 0x55);
        r.cpu.excClass = -1;
        r.run(10);
        assertEquals(Syndrome.EC_DABT_SAME, r.cpu.excClass, insn);
        assertEquals(0x21 | (write ? 1 << 6 : 0), r.cpu.excIss, insn);
        assertEquals(addr, r.cpu.excFar, insn);
        assertEquals(TestRig.RAM + faultAt, r.cpu.excReturn, insn);
        assertEquals(0, r.x(2), insn + " wrote its destination");
    }

    @Test
    void exclusivesAndAcquireReleaseMustBeAligned() {
        long a = DATA + 0x100;
        assertAlignmentFault("ldxr x2, [x0]", a + 4, false);
        assertAlignmentFault("ldaxrh w2, [x0]", a + 1, false);
        assertAlignmentFault("ldxr w2, [x0]", a + 2, false);
        assertAlignmentFault("ldxp x2, x3, [x0]", a + 8, false);
        assertAlignmentFault("ldaxp w2, w3, [x0]", a + 4, false);
        // a store-exclusive faults only at the address the monitor holds (else it fails quietly, as in QEMU)
        assertAlignmentFault("ldxrb w2, [x0]\nstxr w2, x1, [x0]", a + 4, true, 4);
        assertAlignmentFault("ldxrh w2, [x0]\nstlxp w2, x1, x1, [x0]", a + 8, true, 4);
        assertAlignmentFault("ldar x2, [x0]", a + 1, false);
        assertAlignmentFault("stlrh w1, [x0]", a + 3, true);
        assertAlignmentFault("stlr w1, [x0]", a + 6, true);
    }

    @Test
    void misalignedStoreExclusiveWithoutTheMonitorFailsQuietly() {
        IntRig r = new IntRig("stxr w2, x1, [x0]\nstxp w3, x1, x1, [x0]\n");
        r.run(DATA + 4, 0x55, 7, 7);
        assertEquals(1, r.x(2));
        assertEquals(1, r.x(3));
        assertEquals(0, mem(r, DATA + 4, 8));
    }

    @Test
    void aFaultingLoadLeavesItsRegistersAlone() {
        TestRig r = new TestRig().asm("ldp x2, x3, [x0, #0]!\nudf #0xbeef");
        long a = TestRig.RAM + (16 << 20) - 8; // the second half lies past the end of RAM
        r.cpu.setReg(0, a);
        r.cpu.excClass = -1;
        r.run(10);
        assertEquals(Syndrome.EC_DABT_SAME, r.cpu.excClass);
        assertEquals(a + 8, r.cpu.excFar);
        assertEquals(0, r.x(2));
        assertEquals(a, r.x(0), "no writeback on a fault");
    }

    @Test
    void unallocatedAndLaterExtensionsAreUndefined() {
        int[] words = {
            0xf8200000, // ldadd x0, x0, [x0] (ARMv8.1 LSE)
            0xf8208000, // swp (ARMv8.1)
            0x88a07c00, // cas (ARMv8.1)
            0x48207c00, // casp (ARMv8.1)
            0x88df7c00, // ldlar (ARMv8.1 LOR)
            0xf8bfc000, // ldapr (ARMv8.3)
            0x19000000, // stlurb (ARMv8.4)
            0xf8800400, // prfm with post-index
            0xf8a00800, // prfm unprivileged
            0xb9c00000, // ldrsw with opc = 11
            0x69000000, // stgp (ARMv8.5)
            0x68400000, // ldnpsw
            0xe9c00000, // ldp with opc = 11
            0xf8602800, // register offset with option 001
            0xf8200400, // ldraa (ARMv8.3)
        };
        for (int w : words) {
            assertNull(LoadStore.decode(w), Integer.toHexString(w));
            assertSame(A64Decoder.UNDEFINED, A64Decoder.decode(w), Integer.toHexString(w));
        }
        assertFalse(LoadStore.decode(0xf9800000) == null, "prfm (unsigned offset) is allocated");
    }
}
