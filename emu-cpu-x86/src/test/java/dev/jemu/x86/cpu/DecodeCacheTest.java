package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The decoded-code cache: self-modifying code runs the new bytes, a page decoded in one mode is decoded again in
 * another, an instruction crossing a page runs (and sees its bytes on either page written, or the next page
 * remapped), DMA-style writes behind the CPU's back are seen after a recheck, and LOCK / undefined encodings raise
 * #UD.
 */
class DecodeCacheTest {
    @Test
    void selfModifyingCodeRunsTheNewBytes() {
        TestRig rig = new TestRig();
        // the loop body's "add $1" is patched to "add $100" on the second pass; the patched instruction has been
        // decoded (and cached) in the first pass
        TestRig.Result r = rig.run("""
                xor %eax, %eax
                mov $2, %ecx
                1: add $1, %eax
                movb $100, 1b+2(%rip)
                loop 1b
                """, 64);
        assertEquals(-1, r.fault());
        assertEquals(101, r.reg(X86Cpu.RAX));
    }

    @Test
    void storeIntoTheRunningBlockTakesEffectNextInstruction() {
        TestRig rig = new TestRig();
        TestRig.Result r = rig.run("""
                movb $0x90, 1f(%rip)
                movb $0x90, 1f+1(%rip)
                1: jmp 2f
                mov $7, %eax
                2:
                """, 64);
        assertEquals(7, r.reg(X86Cpu.RAX));
    }

    @Test
    void instructionCrossingAPageBoundary() {
        TestRig rig = new TestRig();
        TestRig.Result r = rig.run("""
                jmp 1f
                .org 0xffd
                1: movabs $0x1122334455667788, %rax
                inc %rax
                """, 64);
        assertEquals(-1, r.fault());
        assertEquals(0x1122334455667789L, r.reg(X86Cpu.RAX));
    }

    @Test
    void aCrossingInstructionRunsItsNextPagesNewBytes() {
        // the MOVABS crosses the page end with its immediate's top 7 bytes on the next page; each pass adds the
        // immediate; after the first its low byte (on its own page) is incremented, after the second its top byte
        // (on the next page, which the page holding the instruction's start is not told of)
        TestRig rig = new TestRig();
        TestRig.Result r = rig.run("""
                mov $3, %ecx
                xor %ebx, %ebx
                jmp 1f
                .org 0xfff - 2
                1: movabs $0x0100000000000001, %rax
                add %rax, %rbx
                cmp $3, %ecx
                jne 2f
                incb 1b+2(%rip)
                2: cmp $2, %ecx
                jne 3f
                incb 1b+9(%rip)
                3: loop 1b
                """, 64);
        assertEquals(-1, r.fault());
        assertEquals(1 + 2 + 2 + (4L << 56), r.reg(X86Cpu.RBX));
    }

    @Test
    void aCrossingInstructionFollowsTheNextPagesMapping() {
        // a MOVABS at 0x1ffffd takes its immediate's top 7 bytes and the RET after it from linear 0x200000, which
        // CR3 A maps to physical 0x200000 and CR3 B to physical 0 (the first page stays mapped alike); under C
        // it is not present: the fetch faults there, though the instruction ran before
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        long a = SysRig.PML4, b = 0x390000, none = 0x3a0000;
        rig.identityMap(b);
        rig.identityMap(none);
        for (long t : new long[] {a, b, none}) {
            rig.bus.write(t + 0x2000, 8, 0x187); // 0-2 MiB global in each
        }
        rig.bus.write(b + 0x2008, 8, 0x87); // B: 2-4 MiB -> 0-2 MiB
        rig.bus.write(none + 0x2008, 8, 0); // C: 2-4 MiB not present
        c.mmu.writeCr4(c.cr4 | X86Cpu.CR4_PGE);
        rig.bus.load(0x1ffffd, new byte[] {0x48, (byte) 0xb8, 0});
        rig.bus.load(0x200000, new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) 0xc3});
        rig.bus.load(0x000000, new byte[] {0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, (byte) 0xc3});
        rig.haltOn64(Vectors.PF, 0x30000);
        rig.rsp0(0x60000);
        rig.code(0x10000, """
                .code64
                mov $0x60000, %esp
                xor %ebx, %ebx
                mov $0x1ffffd, %r12d
                mov $0x380000, %r14d
                mov $0x390000, %r13d
                mov $0x3a0000, %r15d
                call *%r12
                add %rax, %rbx
                mov %r13, %cr3
                call *%r12
                add %rax, %rbx
                mov %r14, %cr3
                call *%r12
                add %rax, %rbx
                mov %r15, %cr3
                call *%r12
                hlt
                """);
        c.seg[X86Cpu.CS].base = 0;
        c.rip = 0x10000;
        rig.runToHalt(100);
        assertEquals(2 * 0x0706050403020100L + 0x1716151413121100L, c.r[X86Cpu.RBX]);
        assertEquals(0x30001, c.rip, "halted in the #PF handler");
        assertEquals(0x200000, c.cr2);
    }

    @Test
    void writesBehindTheCpusBackAreSeenAfterARecheck() {
        TestRig rig = new TestRig();
        rig.load("mov $1, %eax", 64);
        assertEquals(1, rig.go(100).reg(X86Cpu.RAX));
        CodeCache cache = rig.cpu.code;
        CodeCache.Page page = cache.page(TestRig.ORG, 64);
        assertSame(page, cache.page(TestRig.ORG, 64), "decoded once, then reused");
        rig.bus.write(TestRig.ORG + 1, 1, 2); // as device DMA would: no CPU store hook
        assertSame(page, cache.page(TestRig.ORG, 64), "not noticed until a recheck");
        cache.recheck(); // what every interrupt and exception does
        assertNotSame(page, cache.page(TestRig.ORG, 64));
        assertTrue(page.dead);
        assertEquals(2, rig.rerun().reg(X86Cpu.RAX));
    }

    @Test
    void anExceptionOrInterruptRechecksOnlyAfterAWriteNoCpuStoreHookSaw() {
        TestRig rig = new TestRig();
        rig.load("mov $1, %eax", 64);
        rig.go(100);
        CodeCache cache = rig.cpu.code;
        cache.recheckIfWritten(); // the RAM's writes before the page was decoded (the loader's) are seen once
        CodeCache.Page page = cache.page(TestRig.ORG, 64);
        int epoch = cache.epoch;
        rig.cpu.mmu.write32(0x300000, 5); // the CPU's own store (not to code: the Mmu would report that)
        cache.recheckIfWritten();
        assertEquals(epoch, cache.epoch, "nothing but the CPU wrote RAM: the pages stay checked");
        assertSame(page, cache.page(TestRig.ORG, 64));
        rig.bus.write(TestRig.ORG + 1, 1, 2); // device DMA
        cache.recheckIfWritten();
        assertEquals(epoch + 1, cache.epoch, "a device wrote RAM: every page is re-checked");
        assertNotSame(page, cache.page(TestRig.ORG, 64));
        assertTrue(page.dead);
        cache.recheckIfWritten();
        assertEquals(epoch + 1, cache.epoch, "that write was seen once");
        assertEquals(2, rig.rerun().reg(X86Cpu.RAX));
    }

    @Test
    void dmaIntoCodeRunsAfterTheExceptionThatFollowsIt() {
        // a compiled loop runs and ends in #UD; DMA patches its ADD (as a disk read into a page of code): the run
        // after the DMA still runs the page as decoded, and its #UD re-checks, so the next run adds 3 per pass. A
        // #UD with nothing but the CPU's own stores (the loop's, to another page) before it re-checks nothing.
        TestRig rig = new TestRig();
        rig.cpu.jitThreshold = 2;
        rig.load("""
                mov $200, %ecx
                xor %eax, %eax
                1: add $1, %eax
                mov %eax, 0x300000
                dec %ecx
                jnz 1b
                ud2
                """, 64);
        long imm = -1;
        for (long a = TestRig.ORG; a < TestRig.ORG + 64 && imm < 0; a++) {
            if (rig.bus.read(a, 1) == 0x83 && rig.bus.read(a + 1, 1) == 0xc0 && rig.bus.read(a + 2, 1) == 1) {
                imm = a + 2;
            }
        }
        assertEquals(200, rig.go(10_000_000).reg(X86Cpu.RAX));
        assertTrue(rig.cpu.jitRetired() > 0, "ran compiled blocks");
        CodeCache cache = rig.cpu.code;
        int epoch = cache.epoch;
        assertEquals(200, rig.rerun().reg(X86Cpu.RAX), "entered again: the pages checked after the first #UD");
        assertEquals(epoch, cache.epoch, "nothing but the CPU wrote RAM: the second #UD re-checked nothing");
        rig.bus.write(imm, 1, 3);
        assertEquals(200, rig.rerun().reg(X86Cpu.RAX), "no exception or interrupt since the DMA: the page as decoded");
        assertEquals(epoch + 1, cache.epoch, "the #UD after the DMA re-checked");
        assertEquals(600, rig.rerun().reg(X86Cpu.RAX), "the new bytes after it");
    }

    @Test
    void cr3SwitchesRunTheCodeOfEachAddressSpace() {
        // one linear page (0x220000) maps to physical 0x220000 under CR3 A and to 0x020000 under CR3 B, each with
        // its own code; the caller runs from a global page both map alike. Decoded code is per physical page and
        // a CR3 write neither drops nor re-checks it: each switch must still run the other page's instructions,
        // and a store through the new mapping (self-modifying code) must still be seen.
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        long a = SysRig.PML4, b = 0x390000;
        rig.identityMap(b);
        rig.bus.write(a + 0x2000, 8, 0x187); // 0-2 MiB global in both
        rig.bus.write(b + 0x2000, 8, 0x187);
        rig.bus.write(b + 0x2008, 8, 0x87); // B: 2-4 MiB -> 0-2 MiB
        c.mmu.writeCr4(c.cr4 | X86Cpu.CR4_PGE);
        rig.code(0x220000, ".code64\nadd $1, %ebx\nret\n");
        rig.code(0x020000, ".code64\nadd $100, %ebx\nret\n");
        rig.code(0x10000, """
                .code64
                mov $0x60000, %esp
                xor %ebx, %ebx
                mov $0x220000, %r12d
                mov $0x380000, %r14d
                mov $0x390000, %r13d
                call *%r12
                mov %r13, %cr3
                call *%r12
                mov %r14, %cr3
                call *%r12
                mov %r13, %cr3
                call *%r12
                movb $50, 0x220002
                call *%r12
                mov %r14, %cr3
                call *%r12
                hlt
                """);
        c.seg[X86Cpu.CS].base = 0;
        c.rip = 0x10000;
        rig.runToHalt(100);
        assertEquals(1 + 100 + 1 + 100 + 50 + 1, c.r[X86Cpu.RBX]);
        assertEquals(50, rig.bus.read(0x020002, 1), "the store went to B's page");
    }

    @Test
    void onePageDecodedInTwoModes() {
        TestRig rig = new TestRig();
        // 48 ff c0 is "inc %rax" in 64-bit mode but "dec %eax; inc %eax" in 32-bit mode
        rig.load(".byte 0x48, 0xff, 0xc0", 64);
        rig.cpu.r[0] = 5;
        assertEquals(6, rig.go(100).reg(X86Cpu.RAX));
        rig.setMode(32);
        rig.cpu.r[0] = 5;
        assertEquals(5, rig.rerun().reg(X86Cpu.RAX));
        assertTrue(rig.cpu.isCodePage(TestRig.ORG));
    }

    @Test
    void lockAndUndefinedEncodingsAreInvalidOpcode() {
        TestRig rig = new TestRig();
        String[] bad = {
                ".byte 0xf0, 0x01, 0xc8",       // lock add %ecx, %eax (register form)
                ".byte 0xf0, 0x39, 0x08",       // lock cmp (never lockable)
                ".byte 0xf0, 0x8b, 0x08",       // lock mov
                ".byte 0xf0, 0x90",             // lock nop
                ".byte 0xf0, 0x0f, 0xa3, 0x08", // lock bt m, r
                ".byte 0x8d, 0xc0",             // lea with a register operand
                ".byte 0xfe, 0xd0",             // FE /2
                ".byte 0xff, 0xff",             // FF /7
                ".byte 0xc6, 0xc8, 0x00",       // C6 /1
                ".byte 0x0f, 0xb8, 0xc0",       // 0F B8 without F3 (JMPE)
                ".byte 0x0f, 0xba, 0xe0, 0x01", // 0F BA /4 is BT: fine; /0 below is not
        };
        for (int i = 0; i < bad.length - 1; i++) {
            TestRig.Result r = rig.run(bad[i] + "\nnop", 64);
            assertEquals(Vectors.UD, r.fault(), bad[i]);
        }
        assertEquals(-1, rig.run(bad[bad.length - 1], 64).fault());
        assertEquals(Vectors.UD, rig.run(".byte 0x0f, 0xba, 0xc0, 0x01\nnop", 64).fault());
        // the lockable memory forms run
        TestRig.Result r = rig.run("lock addl $1, buf(%rip)\nlock btsl $3, buf(%rip)\nlock incq buf(%rip)\n"
                + "mov buf(%rip), %eax", 64);
        assertEquals(-1, r.fault());
        assertEquals(10, r.reg(X86Cpu.RAX));
    }
}
