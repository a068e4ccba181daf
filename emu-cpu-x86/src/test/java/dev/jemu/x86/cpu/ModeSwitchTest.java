package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real mode to protected mode to long mode as a boot loader does it, and the control-register checks on the way. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ModeSwitchTest {
    @Test
    void realToProtectedToLongMode() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.gdt(true);
        c.gdtBase = 0;
        c.gdtLimit = 0;
        c.seg[X86Cpu.CS].set(0, 0, 0xffff, Segment.REAL_CODE);
        c.rip = 0x7c00;
        c.efer = X86Cpu.EFER_LME; // WRMSR EFER is the MSR work's; the LMA rules are CR0's
        c.updateMode();
        c.cr3 = rig.identityPageTables(); // the real Mmu walks these once CR0.PG is set
        rig.code(0x7c00, """
                .code16
                lgdtl gdtr
                mov $0x11, %eax
                mov %eax, %cr0
                ljmpl $0x08, $pm32
                .code32
                pm32:
                mov $0x18, %eax
                mov %eax, %ds
                mov %eax, %ss
                hlt
                mov $0x20, %eax
                mov %eax, %cr4
                mov $0x380000, %eax
                mov %eax, %cr3
                mov $0x80000011, %eax
                mov %eax, %cr0
                hlt
                ljmp $0x10, $lm64
                .code64
                lm64:
                mov $0x18, %eax
                mov %eax, %es
                hlt
                gdtr: .word 0x4f
                .long 0x800
                """);
        rig.runToHalt(100);
        assertEquals(32, c.codeBits);
        assertEquals(32, c.stackBits);
        assertEquals(0, c.cpl);
        assertEquals(0x800, c.gdtBase);
        assertEquals(0x4f, c.gdtLimit);
        assertEquals(0x08, c.seg[X86Cpu.CS].selector);
        assertTrue((rig.bus.read(SysRig.GDT + 0x18, 8) & 1L << 40) != 0, "loading DS set the accessed bit");

        rig.resume();
        rig.runToHalt(100);
        assertTrue((c.efer & X86Cpu.EFER_LMA) != 0, "CR0.PG with EFER.LME and CR4.PAE activates long mode");
        assertEquals(32, c.codeBits, "compatibility mode until CS.L");

        rig.resume();
        rig.runToHalt(100);
        assertTrue(c.is64());
        assertEquals(0x10, c.seg[X86Cpu.CS].selector);
        assertEquals(0x18, c.seg[X86Cpu.ES].selector);
    }

    private static int gp(X86Cpu c, Runnable r) {
        assertThrows(X86Exception.class, r::run);
        return c.excVector;
    }

    @Test
    void controlRegisterChecks() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        assertEquals(Vectors.GP, gp(c, () -> ControlOps.writeCr(c, 0, X86Cpu.CR0_PG)), "PG without PE");
        assertEquals(Vectors.GP, gp(c, () -> ControlOps.writeCr(c, 0, X86Cpu.CR0_NW)), "NW without CD");
        assertEquals(Vectors.GP, gp(c, () -> ControlOps.writeCr(c, 4, 1L << 24)), "a reserved CR4 bit");
        assertEquals(Vectors.GP, gp(c, () -> ControlOps.writeCr(c, 0, 1L << 32 | 1)), "CR0 bits 63:32");
        c.efer = X86Cpu.EFER_LME;
        assertEquals(Vectors.GP, gp(c, () -> ControlOps.writeCr(c, 0, X86Cpu.CR0_PE | X86Cpu.CR0_PG)),
                "long mode needs CR4.PAE");
        assertFalse((c.efer & X86Cpu.EFER_LMA) != 0);
        ControlOps.writeCr(c, 4, X86Cpu.CR4_PAE);
        ControlOps.writeCr(c, 0, X86Cpu.CR0_PE | X86Cpu.CR0_PG);
        assertTrue((c.efer & X86Cpu.EFER_LMA) != 0);
        assertEquals(Vectors.GP, gp(c, () -> ControlOps.writeCr(c, 4, 0)), "PAE stays on in long mode");
        rig.longMode(0);
        assertEquals(Vectors.GP, gp(c, () -> ControlOps.writeCr(c, 0, X86Cpu.CR0_PE)), "paging stays on in 64-bit code");
        assertEquals(Vectors.GP, gp(c, () -> ControlOps.writeCr(c, 8, 0x10)), "CR8 bits above the priority");
        ControlOps.writeCr(c, 8, 0xf);
        assertEquals(0xf, c.cr8);
        assertEquals(X86Cpu.CR0_ET | X86Cpu.CR0_PE | X86Cpu.CR0_PG, c.cr0);
    }

    @Test
    void crAndDrMovesAtCpl3AreGp() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(3);
        rig.gate64(13, 0x30000, 0xe, 0, 0);
        rig.code(0x30000, "hlt");
        rig.bus.write(SysRig.TSS + 4, 8, 0x70000);
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        rig.code(0x20000, ".code64\nmov %cr0, %rax\n");
        rig.runToHalt(10);
        assertEquals(0x30001, c.rip);
        assertEquals(0, rig.read64(0x70000 - 48), "#GP(0)");
        assertEquals(0x20000, rig.read64(0x70000 - 40), "the faulting MOV CR");
    }

    @Test
    void debugRegistersAliasDr4AndDr5() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        c.rip = 0x20000;
        rig.code(0x20000, """
                .code64
                mov $0x5, %eax
                mov %rax, %dr7
                mov %dr5, %rbx
                mov %dr4, %rcx
                hlt
                """);
        rig.runToHalt(10);
        assertEquals(0x405, c.r[X86Cpu.RBX], "DR5 is DR7 with CR4.DE clear; bit 10 reads as one");
        assertEquals(0xffff0ff0L, c.r[X86Cpu.RCX], "DR4 is DR6");
    }

    /**
     * The path Linux's PVH entry and startup_64 take: flat 32-bit protected mode with cached segments and no valid
     * GDT (as the PVH boot ABI hands over), LGDT and segment reloads, PAE + CR3 + PG into long mode, a far jump to
     * 64-bit code, LRETQ to reload CS, IRETQ to the same level (sync_core's iret-to-self), and a null SS at CPL 0.
     */
    @Test
    void pvhEntryToStartup64() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.gdt(true);
        c.gdtBase = 0;
        c.gdtLimit = 0;
        c.cr0 = X86Cpu.CR0_PE | X86Cpu.CR0_ET;
        rig.load(X86Cpu.CS, SysRig.CODE32);
        rig.load(X86Cpu.DS, SysRig.DATA);
        rig.load(X86Cpu.ES, SysRig.DATA);
        rig.load(X86Cpu.SS, SysRig.DATA);
        c.cpl = 0;
        c.efer = X86Cpu.EFER_LME; // the kernel's RDMSR/WRMSR of EFER is the MSR work's
        rig.identityPageTables();
        c.updateMode();
        c.rip = 0x100000;
        c.r[X86Cpu.RSP] = 0x80000;
        // the frames LRETQ and IRETQ pop (the kernel pushes them; PUSH is the integer core's)
        rig.bus.write(0x80000, 8, 0x100100);
        rig.bus.write(0x80008, 8, SysRig.CODE64);
        rig.bus.write(0x80010, 8, 0x100200);
        rig.bus.write(0x80018, 8, SysRig.CODE64);
        rig.bus.write(0x80020, 8, 0x46);
        rig.bus.write(0x80028, 8, 0x7fff0);
        rig.bus.write(0x80030, 8, SysRig.DATA);
        rig.code(0x100000, """
                .code32
                lgdt gdtr
                mov $0x18, %eax
                mov %eax, %ds
                mov %eax, %es
                mov %eax, %ss
                mov $0xa0, %eax
                mov %eax, %cr4
                mov $0x380000, %eax
                mov %eax, %cr3
                mov $0x80050033, %eax
                mov %eax, %cr0
                ljmp $0x10, $lm64
                .code64
                lm64:
                lretq
                gdtr: .word 0x4f
                .long 0x800
                """);
        rig.identityMap(0x200000); // the tables the snippet's CR3 points at
        rig.code(0x100100, ".code64\niretq\n");
        rig.code(0x100200, ".code64\nmov $0, %eax\nmov %eax, %ss\nmov %eax, %ds\nhlt\n");
        rig.runToHalt(100);
        assertTrue(c.is64());
        assertEquals(SysRig.PML4, c.cr3);
        assertEquals(0x80050033L, c.cr0);
        assertEquals(0x46, c.rflags(), "IRETQ loaded RFLAGS");
        assertEquals(0x7fff0, c.r[X86Cpu.RSP], "and RSP");
        assertEquals(0, c.seg[X86Cpu.SS].selector, "a null SS at CPL 0 in 64-bit mode");
        assertEquals(0, c.seg[X86Cpu.DS].selector);
        assertEquals(64, c.stackBits);
    }
}
