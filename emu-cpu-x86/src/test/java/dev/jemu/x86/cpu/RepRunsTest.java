package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.memory.MmioDevice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The page-run path of REP MOVS/STOS (RepRuns): long runs across a page end, elements straddling it, overlapping
 * source and destination in both directions (the element order's result, not memmove's), DF = 1, 32-bit addressing
 * and non-repeating fill values, against the host CPU; on jemu alone, faults on a later page with the progress
 * made before it, A/D bits, MMIO destinations, stores over decoded (and compiled) code, and the restart between
 * chunks.
 */
class RepRunsTest {
    /** Fills buf+0..6143 (across the page end at buf+4096) with a pattern that differs byte to byte. */
    private static final String PATTERN = """
            lea buf(%rip), %rdi
            mov $6144, %ecx
            1: imul $0x9e3779b1, %ecx, %eax
            shr $11, %eax
            mov %al, -1(%rdi,%rcx)
            dec %ecx
            jnz 1b
            """;

    /** Folds buf+4096..6143 (what Result.buf does not hold) into r15. */
    private static final String FOLD = """
            lea buf+4096(%rip), %r8
            xor %r15d, %r15d
            mov $256, %r9d
            2: rol $5, %r15
            xor -8(%r8,%r9,8), %r15
            dec %r9d
            jnz 2b
            """;

    private static String snippet(String insn, int src, int dst, long count, long rax, boolean down) {
        return PATTERN + "lea buf+" + src + "(%rip), %rsi\nlea buf+" + dst + "(%rip), %rdi\nmovabs $" + count
                + ", %rcx\nmovabs $" + rax + ", %rax\n" + (down ? "std\n" : "cld\n") + insn + "\ncld\n" + FOLD;
    }

    private record Case(String insn, int src, int dst, long count, long rax, boolean down) {
    }

    @Test
    void pageRunsAgreeWithTheHost() {
        long v = 0x1122334455667788L;
        List<Case> cases = new ArrayList<>(List.of(
                // no overlap, across the page end at buf+4096, up and down
                new Case("rep movsb", 100, 3000, 2500, v, false),
                new Case("rep movsq", 8, 4092, 250, v, false), // every destination element straddles a page
                new Case("rep movsl", 4094, 100, 20, v, false), // the source's first element straddles
                new Case("rep movsb", 6000, 2100, 2000, v, true),
                new Case("rep movsq", 6000, 1000, 600, v, true),
                // overlapping: the destination just above the source repeats the pattern going up
                new Case("rep movsb", 3000, 3001, 2000, v, false),
                new Case("rep movsq", 3900, 3903, 200, v, false),
                new Case("rep movsl", 4000, 4004, 300, v, false),
                new Case("rep movsw", 4100, 4097, 700, v, false),
                new Case("rep movsq", 5000, 5005, 300, v, true),
                new Case("rep movsq", 5000, 4995, 300, v, true),
                new Case("rep movsw", 5000, 4999, 900, v, true),
                new Case("rep movsb", 5000, 4500, 2000, v, true),
                new Case("rep movsb", 100, 200, 0, v, false),
                new Case("addr32 rep movsq", 0, 4080, 100, v, false),
                // fills: a repeated byte, and values whose bytes differ
                new Case("rep stosb", 0, 4000, 1000, v, false),
                new Case("rep stosw", 0, 4001, 600, v, false),
                new Case("rep stosl", 0, 4200, 500, v, true),
                new Case("rep stosq", 0, 3000, 300, 0, false),
                new Case("rep stosq", 0, 5000, 400, v, true),
                new Case("rep stosq", 0, 3333, 200, 0xababababababababL, false),
                new Case("rep stosl", 0, 4090, 100, 0xcdcdcdcdL, false),
                new Case("addr32 rep stosw", 0, 4095, 100, v, true)));
        for (Case k : cases) {
            String src = snippet(k.insn, k.src, k.dst, k.count, k.rax, k.down);
            TestRig.Result n = TestRig.runNative(src);
            TestRig.Result j = new TestRig().runSame(src);
            assertEquals(-1, j.fault(), k + ": jemu faulted");
            assertArrayEquals(n.regs(), j.regs(), k + ": registers (r15 folds buf+4096..6143)");
            assertEquals(n.flags(), j.flags(), k + ": flags");
            assertArrayEquals(n.buf(), j.buf(), k + ": buf");
        }
    }

    /**
     * TestRig's 64-bit map with 0x200000-0x3fffff remapped by 4 KiB pages (table at 0x5000, no A/D set): 0x201000
     * is not present, 0x204000 read-only; CR0.WP on, so that supervisor writes honour R/W.
     */
    private static TestRig smallPages(String src) {
        TestRig rig = new TestRig();
        rig.load(src, 64);
        for (int i = 0; i < 512; i++) {
            long pa = 0x200000L + 4096L * i;
            long flags = pa == 0x201000 ? 0 : pa == 0x204000 ? 0x5 : 0x7;
            rig.bus.write(0x5000 + 8L * i, 8, pa | flags);
        }
        rig.bus.write(0x3008, 8, 0x5000 | 7);
        rig.cpu.cr0 |= X86Cpu.CR0_WP;
        rig.cpu.mmu.flushTlb();
        return rig;
    }

    private static long pte(TestRig rig, long la) {
        return rig.bus.read(0x5000 + 8 * ((la - 0x200000) >>> 12), 8);
    }

    /** Runs the loaded snippet to its #PF, with error code {@code error} ({@code what}) and CR2 = {@code cr2}. */
    private static TestRig.Result pageFault(TestRig rig, int error, long cr2, String what) {
        TestRig.Result r = rig.go(1000);
        assertEquals(Vectors.PF, r.fault());
        assertEquals(error, rig.cpu.excError, what);
        assertEquals(cr2, rig.cpu.cr2);
        return r;
    }

    @Test
    void aStoreFaultOnALaterPageKeepsTheRunsBeforeIt() {
        TestRig rig = smallPages("""
                mov $0x200ff0, %edi
                mov $0x5a5a5a5a5a5a5a5a, %rax
                mov $10, %ecx
                rep stosq
                """);
        TestRig.Result r = pageFault(rig, Mmu.PF_W, 0x201000, "a write to a page that is not present");
        assertEquals(8, r.reg(X86Cpu.RCX), "two elements done, eight left");
        assertEquals(0x201000, r.reg(X86Cpu.RDI));
        assertEquals(0x5a5a5a5a5a5a5a5aL, rig.bus.read(0x200ff8, 8));
        assertEquals(0x5a5a5a5a5a5a5a5aL, rig.bus.read(0x200ff0, 8));
        assertEquals(0, rig.bus.read(0x200fe8, 8));
        assertEquals(0x60, pte(rig, 0x200ff0) & 0x60, "the page written has A and D");
        assertEquals(TestRig.ORG + 5 + 10 + 5, r.rip(), "rip stays at the REP instruction");
    }

    @Test
    void aReadOnlyDestinationFaultsAfterThePartBefore() {
        TestRig rig = smallPages("""
                mov $0x205f80, %esi
                mov $0x203f80, %edi
                mov $0x100, %ecx
                rep movsb
                """);
        for (int i = 0; i < 0x100; i++) {
            rig.bus.write(0x205f80 + i, 1, i ^ 0x33);
        }
        TestRig.Result r = pageFault(rig, Mmu.PF_P | Mmu.PF_W, 0x204000, "a write to a read-only page");
        assertEquals(0x80, r.reg(X86Cpu.RCX));
        assertEquals(0x206000, r.reg(X86Cpu.RSI));
        assertEquals(0x204000, r.reg(X86Cpu.RDI));
        assertEquals(0x7f ^ 0x33, rig.bus.read(0x203fff, 1));
        assertEquals(0, rig.bus.read(0x204000, 1), "nothing stored on the read-only page");
        assertEquals(0x20, pte(rig, 0x205f80) & 0x60, "the source page has A, not D");
        assertEquals(0x60, pte(rig, 0x203f80) & 0x60);
    }

    @Test
    void aSourceFaultReportsARead() {
        TestRig rig = smallPages("""
                mov $0x200ff8, %esi
                mov $0x202000, %edi
                mov $4, %ecx
                rep movsq
                """);
        TestRig.Result r = pageFault(rig, 0, 0x201000, "a read of a page that is not present");
        assertEquals(3, r.reg(X86Cpu.RCX));
        assertEquals(0x202008, r.reg(X86Cpu.RDI));
    }

    @Test
    void mmioDestinationsGetEveryElement() {
        TestRig rig = new TestRig();
        List<String> writes = new ArrayList<>();
        rig.bus.addMmio("dev", 0x1000_0000L, 0x1000, new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                return 0;
            }

            @Override
            public void write(long offset, int size, long value) {
                writes.add(offset + ":" + size + ":" + Long.toHexString(value));
            }
        });
        TestRig.Result r = rig.run("""
                mov $0x10000000, %edi
                mov $0xcafe, %eax
                mov $3, %ecx
                rep stosl
                lea buf(%rip), %rsi
                movl $0x44332211, (%rsi)
                mov $2, %ecx
                rep movsw
                """, 64);
        assertEquals(-1, r.fault());
        assertEquals(List.of("0:4:cafe", "4:4:cafe", "8:4:cafe", "12:2:2211", "14:2:4433"), writes);
    }

    /** f returns 1; REP MOVSB copies g (returns 2) over it; f is called again. */
    private static final String OVERWRITE_CODE = """
            mov $300, %r12d
            1: call f
            add %eax, %ebx
            dec %r12d
            jnz 1b
            lea g(%rip), %rsi
            lea f(%rip), %rdi
            mov $16, %ecx
            rep movsb
            call f
            mov %eax, %edx
            jmp rig_end
            .balign 4096
            f: mov $1, %eax
            ret
            .balign 16
            g: mov $2, %eax
            ret
            """;

    @Test
    void storesOverDecodedAndCompiledCodeAreSeen() {
        for (int threshold : new int[] {X86Jit.THRESHOLD, 1}) {
            TestRig rig = new TestRig();
            rig.load(OVERWRITE_CODE, 64);
            rig.cpu.jitThreshold = threshold;
            TestRig.Result r = rig.go(100_000);
            assertEquals(-1, r.fault());
            assertEquals(300, r.reg(X86Cpu.RBX));
            assertEquals(2, r.reg(X86Cpu.RDX), "the new code ran (JIT threshold " + threshold + ")");
        }
    }

    @Test
    void aLongRunStopsBetweenChunksWithRipOnTheInstruction() {
        TestRig rig = new TestRig();
        rig.load("""
                mov $0x200000, %edi
                mov $20000, %ecx
                rep stosb
                """, 64);
        rig.cpu.run(3); // the two MOVs and the first chunk
        long rep = TestRig.ORG + 10;
        assertEquals(rep, rig.cpu.rip);
        assertEquals(20000 - StringOps.CHUNK, rig.cpu.r[X86Cpu.RCX]);
        assertEquals(0x200000 + StringOps.CHUNK, rig.cpu.r[X86Cpu.RDI]);
        rig.cpu.run(1);
        assertEquals(rep, rig.cpu.rip);
        assertEquals(20000 - 2 * StringOps.CHUNK, rig.cpu.r[X86Cpu.RCX]);
        TestRig.Result r = rig.go(100);
        assertEquals(0, r.reg(X86Cpu.RCX));
        assertTrue(r.rip() > rep);
    }
}
