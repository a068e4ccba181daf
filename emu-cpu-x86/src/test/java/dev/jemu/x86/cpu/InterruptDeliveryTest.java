package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.machine.ExitRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Exception and interrupt delivery in each mode: IVT, 32-bit gates with a TSS stack switch, 64-bit gates with IST. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InterruptDeliveryTest {
    /** An interrupt controller with one pending vector. */
    static final class OneShot implements InterruptSource {
        int vector;
        boolean pending;

        OneShot(int vector) {
            this.vector = vector;
            this.pending = true;
        }

        @Override
        public boolean hasInterrupt() {
            return pending;
        }

        @Override
        public int acknowledge() {
            pending = false;
            return vector;
        }
    }

    private static void realMode(SysRig rig, long ip) {
        X86Cpu c = rig.c;
        c.seg[X86Cpu.CS].set(0, 0, 0xffff, Segment.REAL_CODE);
        c.rip = ip;
        c.updateMode();
    }

    @Test
    void realModeIntAndIret() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        realMode(rig, 0x7c00);
        rig.bus.write(0x21 * 4, 4, 0x07e0_0010L); // 07e0:0010 = 0x7e10
        rig.code(0x7e10, ".code16\nmov $0x1234, %bx\niret\n");
        rig.code(0x7c00, ".code16\nmov $0x9000, %sp\nint $0x21\nhlt\n");
        c.setRflags(0x202);
        rig.runToHalt(20);
        assertEquals(0x1234, c.r[X86Cpu.RBX]);
        assertEquals(0x9000, c.r[X86Cpu.RSP]);
        assertEquals(0x7c06, c.rip, "IRET returned after INT; HLT left rip after itself");
        assertEquals(0x7c05, rig.bus.read(0x8ffa, 2), "pushed IP");
        assertEquals(0, rig.bus.read(0x8ffc, 2), "pushed CS");
        assertEquals(0x202, rig.bus.read(0x8ffe, 2), "pushed FLAGS");
        assertTrue(c.iflag, "IRET restored IF");
        assertEquals(0, c.seg[X86Cpu.CS].selector);
    }

    @Test
    void realModeExternalInterruptWaitsOutTheStiShadowAndWakesHlt() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        realMode(rig, 0x7c00);
        rig.bus.write(0x30 * 4, 4, 0x0000_7e00L);
        rig.code(0x7e00, ".code16\nmov $0x55, %cx\nhlt\n");
        rig.code(0x7c00, ".code16\nmov $0x9000, %sp\nsti\nhlt\nhlt\n");
        c.setInterruptSource(new OneShot(0x30));
        rig.runToHalt(20);
        assertEquals(0x55, c.r[X86Cpu.RCX]);
        assertEquals(0x7c05, rig.bus.read(0x8ffa, 2), "the interrupt came after the HLT that STI's shadow covered");
        assertFalse(c.iflag);
    }

    @Test
    void protectedModeIntWithStackSwitchAndIretToCpl3() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.protectedMode(3);
        rig.bus.write(SysRig.TSS + 4, 4, 0x70000); // ESP0
        rig.bus.write(SysRig.TSS + 8, 2, SysRig.DATA); // SS0
        rig.gate32(0x80, 0x30000, 0xe, 3, true);
        rig.gate32(0x81, 0x30100, 0xe, 3, true);
        rig.code(0x30000, ".code32\niret\n");
        rig.hltAt(0x30100);
        rig.code(0x20000, ".code32\nint $0x80\nint $0x81\n");
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        c.setRflags(0x202);
        rig.runToHalt(20);
        assertEquals(0, c.cpl);
        assertEquals(SysRig.DATA, c.seg[X86Cpu.SS].selector);
        assertEquals(0x70000 - 20, c.r[X86Cpu.RSP]);
        long f = 0x70000 - 20;
        assertEquals(0x20004, rig.read32(f), "EIP after the second INT: IRET went back to CPL 3");
        assertEquals(SysRig.UCODE32, rig.read32(f + 4));
        assertEquals(0x202, rig.read32(f + 8));
        assertEquals(0x60000, rig.read32(f + 12), "ESP of CPL 3, restored by IRET");
        assertEquals(SysRig.UDATA, rig.read32(f + 16));
        assertFalse(c.iflag, "an interrupt gate clears IF");
    }

    @Test
    void softwareIntThroughAGateBelowCplIsGp() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.protectedMode(3);
        rig.rsp0(0x70000);
        rig.gate32(0x80, 0x30000, 0xe, 0, true); // DPL 0: not for INT n at CPL 3
        rig.gate32(13, 0x30100, 0xf, 0, true);
        rig.hltAt(0x30100);
        rig.code(0x20000, ".code32\nint $0x80\n");
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        c.setRflags(0x202);
        rig.runToHalt(20);
        long f = 0x70000 - 24;
        assertEquals(0x80 * 8 + 2, rig.read32(f), "#GP error code names the IDT entry");
        assertEquals(0x20000, rig.read32(f + 4), "the INT instruction faulted");
        assertTrue(c.iflag, "a trap gate leaves IF");
    }

    @Test
    void longModeIntWithRsp0AndIstAndIretqToCpl3() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(3);
        rig.bus.write(SysRig.TSS + 4, 8, 0x70008); // RSP0, aligned down to 16 on delivery
        rig.bus.write(SysRig.TSS + 0x24, 8, 0x78000); // IST1
        rig.gate64(0x80, 0x30000, 0xe, 3, 0);
        rig.gate64(Vectors.UD, 0x30100, 0xe, 0, 1);
        rig.code(0x30000, ".code64\niretq\n");
        rig.hltAt(0x30100);
        rig.code(0x20000, ".code64\nint $0x80\nud2\n");
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        c.setRflags(0x202);
        rig.runToHalt(20);
        assertEquals(0, c.cpl);
        assertEquals(0x30101, c.rip);
        assertEquals(0x78000 - 40, c.r[X86Cpu.RSP], "#UD ran on IST1");
        long f = 0x78000 - 40;
        assertEquals(0x20002, rig.read64(f), "#UD at the UD2, which ran at CPL 3 after IRETQ");
        assertEquals(SysRig.UCODE64, rig.read64(f + 8));
        assertEquals(0x202, rig.read64(f + 16));
        assertEquals(0x60000, rig.read64(f + 24));
        assertEquals(SysRig.UDATA, rig.read64(f + 32));
        assertEquals(0x20002, rig.read64(0x70000 - 40), "INT 0x80's frame on RSP0 aligned to 16");
        assertEquals(0, c.seg[X86Cpu.SS].selector & 0xfffc, "a privilege change loads a null SS");
        assertEquals(SysRig.CODE64, c.seg[X86Cpu.CS].selector);
    }

    @Test
    void longModeGpWithSelectorErrorCode() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        rig.gate64(Vectors.GP, 0x30000, 0xe, 0, 0);
        rig.gate64(Vectors.NP, 0x30100, 0xe, 0, 0);
        rig.gate64(Vectors.SS, 0x30200, 0xe, 0, 0);
        rig.hltAt(0x30000);
        rig.hltAt(0x30100);
        rig.hltAt(0x30200);
        rig.code(0x10000, ".code64\nmov $0x50, %eax\nmov %eax, %ds\nmov $0x38, %eax\nmov %eax, %es\nmov %eax, %ss\n");
        c.rip = 0x10000;
        c.r[X86Cpu.RSP] = 0x60008;
        rig.runToHalt(20);
        assertEquals(0x30001, c.rip);
        assertEquals(0x60000 - 48, c.r[X86Cpu.RSP]);
        assertEquals(0x50, rig.read64(0x60000 - 48), "#GP(selector) beyond the GDT limit");
        assertEquals(0x10005, rig.read64(0x60000 - 40));

        c.rip = 0x10007;
        c.r[X86Cpu.RSP] = 0x60000;
        rig.resume();
        rig.runToHalt(20);
        assertEquals(0x30101, c.rip);
        assertEquals(0x38, rig.read64(0x60000 - 48), "#NP(selector) for a not-present data segment");

        c.rip = 0x1000e;
        c.r[X86Cpu.RSP] = 0x60000;
        rig.resume();
        rig.runToHalt(20);
        assertEquals(0x30201, c.rip);
        assertEquals(0x38, rig.read64(0x60000 - 48), "#SS(selector) for a not-present stack segment");
        assertEquals(SysRig.DATA, c.seg[X86Cpu.SS].selector, "SS unchanged");
    }

    @Test
    void faultDeliveringAFaultIsDoubleFault() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        rig.bus.write(SysRig.TSS + 0x24 + 8, 8, 0x78000); // IST2
        rig.gate64(Vectors.GP, 0x30000, 0xe, 0, 0);
        rig.bus.write(SysRig.IDT + Vectors.GP * 16 + 4, 4, rig.bus.read(SysRig.IDT + Vectors.GP * 16 + 4, 4) & ~0x8000L);
        rig.gate64(Vectors.DF, 0x30100, 0xe, 0, 2);
        rig.hltAt(0x30100);
        rig.code(0x10000, ".code64\nmov $0x50, %eax\nmov %eax, %ds\n");
        c.rip = 0x10000;
        c.r[X86Cpu.RSP] = 0x60000;
        rig.runToHalt(20);
        assertEquals(0x30101, c.rip, "#GP's gate is not present: #NP during #GP is #DF");
        assertEquals(0x78000 - 48, c.r[X86Cpu.RSP]);
        assertEquals(0, rig.read64(0x78000 - 48), "#DF's error code is 0");
        assertEquals(0x10005, rig.read64(0x78000 - 40));
    }

    @Test
    void tripleFaultRequestsReset() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        c.idtLimit = 0; // every delivery faults: #UD, then #GP, then #DF, then shutdown
        rig.code(0x10000, ".code64\nud2\n");
        c.rip = 0x10000;
        rig.runToHalt(20);
        assertEquals(1, c.interrupts.tripleFaults);
        assertEquals(ExitRequest.reset(), rig.loop.run(c));
    }

    @Test
    void externalInterruptInLongModeAfterStiShadow() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        rig.haltOn64(0x30, 0x30000);
        rig.code(0x10000, ".code64\nsti\nmov $1, %eax\nmov $2, %ebx\nhlt\n");
        c.rip = 0x10000;
        c.r[X86Cpu.RSP] = 0x60000;
        c.setInterruptSource(new OneShot(0x30));
        rig.runToHalt(20);
        assertEquals(1, c.r[X86Cpu.RAX], "one instruction ran in STI's shadow");
        assertEquals(0, c.r[X86Cpu.RBX]);
        assertEquals(0x10006, rig.read64(0x60000 - 40));
        assertEquals(0x202, rig.read64(0x60000 - 24));
        assertFalse(c.iflag);
    }

    @Test
    void int3AndIntoAndIcebp() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.protectedMode(0);
        rig.gate32(Vectors.BP, 0x30000, 0xf, 0, true);
        rig.gate32(Vectors.DB, 0x30100, 0xf, 0, true);
        rig.gate32(Vectors.OF, 0x30200, 0xf, 0, true);
        rig.code(0x30000, ".code32\niret\n");
        rig.code(0x30100, ".code32\niret\n");
        rig.hltAt(0x30200);
        rig.code(0x10000, ".code32\nint3\n.byte 0xf1\ninto\nhlt\n");
        c.rip = 0x10000;
        c.r[X86Cpu.RSP] = 0x60000;
        c.setRflags(0x2);
        rig.runToHalt(20);
        assertEquals(0x10004, c.rip, "INTO without OF does nothing");
        c.setRflags(0x2 | X86Cpu.OF);
        c.rip = 0x10002;
        rig.resume();
        rig.runToHalt(20);
        assertEquals(0x30201, c.rip);
        assertEquals(0x10003, rig.read32(0x60000 - 12), "INTO returns after itself");
    }
}
