package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SYSCALL/SYSRET, SYSENTER/SYSEXIT, port I/O, descriptor-table instructions, far transfers and SWAPGS. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SystemInstructionsTest {
    @Test
    void syscallSysretRoundTrip() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        c.efer |= X86Cpu.EFER_SCE;
        c.msrs.star = 0x20L << 48 | (long) SysRig.CODE64 << 32;
        c.msrs.lstar = 0x30000;
        c.msrs.fmask = X86Cpu.IF | X86Cpu.DF;
        rig.code(0x10000, ".code64\nmov $0x20000, %ecx\nmov $0x602, %r11d\nsysretq\n");
        rig.code(0x20000, ".code64\nmov %ss, %eax\nmov %cs, %ebx\nsyscall\n");
        rig.hltAt(0x30000);
        c.rip = 0x10000;
        rig.runToHalt(20);
        assertEquals(SysRig.UDATA, c.r[X86Cpu.RAX], "SYSRET's SS is STAR[63:48] + 8 | 3");
        assertEquals(SysRig.UCODE64, c.r[X86Cpu.RBX], "SYSRETQ's CS is STAR[63:48] + 16 | 3");
        assertEquals(0x20006, c.r[X86Cpu.RCX], "SYSCALL saved the next RIP");
        assertEquals(0x602, c.r[11], "and RFLAGS in R11");
        assertEquals(0, c.cpl);
        assertEquals(SysRig.CODE64, c.seg[X86Cpu.CS].selector);
        assertEquals(SysRig.DATA, c.seg[X86Cpu.SS].selector);
        assertFalse(c.iflag, "FMASK cleared IF");
        assertFalse(c.df, "and DF");
        assertEquals(0x30001, c.rip);
    }

    @Test
    void syscallWithoutSceIsUd() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        rig.haltOn64(Vectors.UD, 0x30000);
        rig.code(0x10000, ".code64\nsyscall\n");
        c.rip = 0x10000;
        c.r[X86Cpu.RSP] = 0x60000;
        rig.runToHalt(20);
        assertEquals(0x30001, c.rip);
        assertEquals(0x10000, rig.read64(0x60000 - 40));
    }

    @Test
    void sysenterSysexitInProtectedMode() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.protectedMode(0);
        c.msrs.sysenterCs = SysRig.CODE32; // CS 0x08, SS 0x10: our SS is at 0x18, so only selectors are checked
        c.msrs.sysenterEsp = 0x70000;
        c.msrs.sysenterEip = 0x30000;
        rig.code(0x10000, ".code32\nmov $0x20000, %edx\nmov $0x60000, %ecx\nsysexit\n");
        rig.code(0x20000, ".code32\nmov %cs, %ebx\nsysenter\n");
        rig.hltAt(0x30000);
        c.rip = 0x10000;
        rig.runToHalt(20);
        assertEquals(SysRig.CODE32 + 16 | 3, c.r[X86Cpu.RBX]);
        assertEquals(0, c.cpl);
        assertEquals(0x70000, c.r[X86Cpu.RSP]);
        assertEquals(SysRig.CODE32 + 8, c.seg[X86Cpu.SS].selector);
        assertEquals(32, c.codeBits);
    }

    @Test
    void portIoInRealMode() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        c.seg[X86Cpu.CS].set(0, 0, 0xffff, Segment.REAL_CODE);
        c.rip = 0x7c00;
        c.updateMode();
        rig.bus.load(0x500, new byte[] {1, 2, 3});
        rig.code(0x7c00, """
                .code16
                mov $0x1234, %ax
                out %al, $0x80
                out %ax, $0x82
                mov $0x84, %dx
                mov $0xdeadbeef, %eax
                out %eax, (%dx)
                in $0x81, %al
                out %ax, $0x8e
                in (%dx), %ax
                out %ax, $0x8e
                mov $3, %cx
                mov $0x500, %si
                mov $0x88, %dx
                rep outsb
                mov $2, %cx
                mov $0x600, %di
                rep insw
                in $0x70, %al
                hlt
                """);
        rig.runToHalt(50);
        assertEquals(List.of("80=34", "82=1234", "84=deadbeef", "8e=bea1", "8e=a5a4", "88=1", "88=2", "88=3"),
                rig.portWrites, "IN AL merges into AX");
        assertEquals(0xa9a8a9a8L, rig.read32(0x600), "REP INSW");
        assertEquals(0x604, c.r[X86Cpu.RDI]);
        assertEquals(0x503, c.r[X86Cpu.RSI]);
        assertEquals(0, c.r[X86Cpu.RCX]);
        assertEquals(0xff, c.r[X86Cpu.RAX] & 0xff, "an unclaimed port reads all ones");
    }

    @Test
    void portIoAtCpl3FollowsTheTssBitmap() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.protectedMode(3);
        rig.rsp0(0x70000);
        rig.bus.write(SysRig.TSS + 0x66, 2, 0x68);
        for (int i = 0; i < 0x401; i++) {
            rig.bus.write(SysRig.TSS + 0x68 + i, 1, i == 0x10 ? 0xfe : 0xff); // only port 0x80 allowed
        }
        rig.haltOn32(Vectors.GP, 0x30000);
        rig.code(0x20000, ".code32\nmov $0x42, %eax\nout %al, $0x80\nout %al, $0x81\n");
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        rig.runToHalt(20);
        assertEquals(List.of("80=42"), rig.portWrites);
        assertEquals(0, rig.read32(0x70000 - 24), "#GP(0)");
        assertEquals(0x20007, rig.read32(0x70000 - 20), "at the OUT to port 0x81");
    }

    @Test
    void cliAtCpl3WithIopl3IsAllowedAndWithIopl0IsGp() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(3);
        rig.rsp0(0x70000);
        rig.haltOn64(Vectors.GP, 0x30000);
        rig.code(0x20000, ".code64\ncli\nsti\ncli\n");
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        c.setRflags(0x202);
        rig.runToHalt(20);
        assertEquals(0x30001, c.rip);
        assertEquals(0x20000, rig.read64(0x70000 - 40), "the first CLI faulted: IOPL was not changed...");
        // ...so run it again with IOPL 3
        SysRig rig2 = new SysRig();
        X86Cpu c2 = rig2.c;
        rig2.longMode(3);
        rig2.code(0x20000, ".code64\ncli\nint3\n");
        rig2.gate64(Vectors.BP, 0x30000, 0xe, 3, 0);
        rig2.bus.write(SysRig.TSS + 4, 8, 0x70000);
        rig2.code(0x30000, ".code64\nhlt\n");
        c2.rip = 0x20000;
        c2.r[X86Cpu.RSP] = 0x60000;
        c2.setRflags(0x3202);
        rig2.runToHalt(20);
        assertEquals(0x3002, rig2.read64(0x70000 - 24), "CLI at CPL 3 with IOPL 3 cleared IF");
    }

    @Test
    void descriptorTableInstructions() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        rig.code(0x10000, """
                .code64
                mov $0x2b, %eax
                lar %eax, %ebx
                lsl %eax, %ecx
                str %edx
                sgdt 0x500
                sidt 0x510
                mov $0x38, %eax
                verr %ax
                hlt
                """);
        c.rip = 0x10000;
        rig.runToHalt(20);
        assertEquals(0x00c0f200, c.r[X86Cpu.RBX], "LAR: the attribute bytes of user data, never loaded (limit 19:16 masked, as QEMU)");
        assertEquals(0xffffffffL, c.r[X86Cpu.RCX], "LSL: the limit scaled by G");
        assertEquals(SysRig.TSS_SEL, c.r[X86Cpu.RDX]);
        assertEquals(0x4f, rig.bus.read(0x500, 2));
        assertEquals(SysRig.GDT, rig.read64(0x502));
        assertEquals(256 * 16 - 1, rig.bus.read(0x510, 2));
        assertEquals(SysRig.IDT, rig.read64(0x512));
        assertTrue((c.rflags() & X86Cpu.ZF) != 0, "VERR of a readable (if absent) data segment at DPL 0");
        assertEquals(Descriptors.TSS_BUSY, rig.bus.read(SysRig.GDT + SysRig.TSS_SEL + 5, 1) & 0xf, "LTR set busy");
        assertEquals(Descriptors.TSS_BUSY, c.tr.type());
    }

    @Test
    void ltrOfABusyTssIsGp() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        try {
            ControlOps.ltr(c, SysRig.TSS_SEL);
            throw new AssertionError("no fault");
        } catch (X86Exception e) {
            assertEquals(Vectors.GP, c.excVector);
            assertEquals(SysRig.TSS_SEL, c.excError);
        }
    }

    @Test
    void farCallAndReturnIn32BitProtectedMode() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.protectedMode(0);
        rig.code(0x10000, ".code32\nlcall $0x08, $0x10100\nmov $7, %ebx\nhlt\n");
        rig.code(0x10100, ".code32\nlret $4\n");
        c.rip = 0x10000;
        c.r[X86Cpu.RSP] = 0x60000;
        rig.runToHalt(20);
        assertEquals(0x10007, rig.read32(0x60000 - 8), "return EIP");
        assertEquals(SysRig.CODE32, rig.read32(0x60000 - 4), "return CS");
        assertEquals(7, c.r[X86Cpu.RBX]);
        assertEquals(0x60004, c.r[X86Cpu.RSP], "RET imm16 released 4 bytes");
    }

    @Test
    void farJumpToDataSegmentIsGp() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.protectedMode(0);
        rig.haltOn32(Vectors.GP, 0x30000);
        rig.code(0x10000, ".code32\nljmp $0x18, $0\n");
        c.rip = 0x10000;
        c.r[X86Cpu.RSP] = 0x60000;
        rig.runToHalt(20);
        assertEquals(0x18, rig.read32(0x60000 - 16));
    }

    @Test
    void callGateToMorePrivilegedCodeIn64BitMode() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(3);
        // a 64-bit call gate (16 bytes) at 0x48..: GDT grows for it
        long target = 0x30000;
        long lo = target & 0xffff | (long) SysRig.CODE64 << 16 | 0xcL << 40 | 3L << 45 | 1L << 47
                | (target >>> 16 & 0xffff) << 48;
        rig.bus.write(SysRig.GDT + 0x50, 8, lo);
        rig.bus.write(SysRig.GDT + 0x58, 8, 0);
        c.gdtLimit = 0x5f;
        rig.bus.write(SysRig.TSS + 4, 8, 0x70000);
        rig.code(0x20000, ".code64\nlcall *0x600\n");
        rig.bus.write(0x600, 8, 0);
        rig.bus.write(0x604, 2, 0x53);
        rig.hltAt(0x30000);
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        // FF /3 belongs to the integer core's FF group, which calls SegmentOps.farIndirect: stand in for it here
        X86Op call = SegmentOps.farIndirect(decodeModrm(0x1c, 0x25, 0x00, 0x06, 0x00, 0x00), true);
        c.nrip = 0x20007;
        call.exec(c);
        c.rip = c.nrip;
        rig.runToHalt(20);
        assertEquals(0, c.cpl);
        assertEquals(0x70000 - 32, c.r[X86Cpu.RSP]);
        assertEquals(0x20007, rig.read64(0x70000 - 32));
        assertEquals(SysRig.UCODE64, rig.read64(0x70000 - 24));
        assertEquals(0x60000, rig.read64(0x70000 - 16));
        assertEquals(SysRig.UDATA, rig.read64(0x70000 - 8));
    }

    private static Insn decodeModrm(int... bytes) {
        Insn d = new Insn();
        d.begin(a -> bytes[(int) a], 0, 64);
        return d;
    }

    @Test
    void swapgsExchangesGsBaseWithKernelGsBase() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        c.seg[X86Cpu.GS].base = 0x1111;
        c.msrs.kernelGsBase = 0xffff888000000000L;
        rig.code(0x10000, ".code64\nswapgs\nhlt\n");
        c.rip = 0x10000;
        rig.runToHalt(20);
        assertEquals(0xffff888000000000L, c.seg[X86Cpu.GS].base);
        assertEquals(0x1111, c.msrs.kernelGsBase);
    }

    @Test
    void rdtscCountsAndCr4TsdMakesItPrivileged() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        rig.clock.setNanos(5_000_000_000L);
        rig.code(0x10000, ".code64\nrdtsc\nhlt\n");
        c.rip = 0x10000;
        rig.runToHalt(20);
        assertEquals(5_000_000_000L, c.r[X86Cpu.RDX] << 32 | c.r[X86Cpu.RAX]);
        c.cr4 |= 4;
        c.cpl = 3;
        try {
            MiscSystemOps.rdtsc(c);
            throw new AssertionError("no fault");
        } catch (X86Exception e) {
            assertEquals(Vectors.GP, c.excVector);
        }
    }

    @Test
    void rdmsrAtCpl3AndLockedSystemInstructionsFault() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(3);
        rig.rsp0(0x70000);
        rig.gate64(Vectors.GP, 0x30000, 0xe, 0, 0);
        rig.gate64(Vectors.UD, 0x30100, 0xe, 0, 0);
        rig.hltAt(0x30000);
        rig.hltAt(0x30100);
        rig.code(0x20000, ".code64\nrdmsr\n");
        rig.code(0x20100, ".code64\n.byte 0xf0\ncpuid\n");
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        rig.runToHalt(10);
        assertEquals(0x30001, c.rip, "RDMSR at CPL 3 is #GP(0)");
        assertEquals(0x20000, rig.read64(0x70000 - 40));

        rig.longMode(0);
        c.rip = 0x20100;
        c.r[X86Cpu.RSP] = 0x60000;
        rig.resume();
        rig.runToHalt(10);
        assertEquals(0x30101, c.rip, "LOCK CPUID is #UD");
    }

    @Test
    void cpuidZeroExtendsWhatCpuidReports() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        rig.code(0x10000, ".code64\ncpuid\nhlt\n");
        c.rip = 0x10000;
        c.r[X86Cpu.RAX] = 0xffffffff00000000L;
        c.r[X86Cpu.RBX] = -1;
        c.r[X86Cpu.RCX] = -1;
        c.r[X86Cpu.RDX] = -1;
        int[] want = Cpuid.query(c, 0, 0);
        rig.runToHalt(10);
        assertEquals(want[0] & 0xffffffffL, c.r[X86Cpu.RAX]);
        assertEquals(want[1] & 0xffffffffL, c.r[X86Cpu.RBX]);
        assertEquals(want[2] & 0xffffffffL, c.r[X86Cpu.RCX]);
        assertEquals(want[3] & 0xffffffffL, c.r[X86Cpu.RDX]);
    }

    @Test
    void fsGsBaseInstructionsFollowCr4Fsgsbase() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(3);
        rig.rsp0(0x70000);
        rig.haltOn64(Vectors.UD, 0x30000);
        rig.code(0x20000, ".code64\nmov $0x12345678, %eax\nwrgsbase %rax\nrdgsbase %rbx\nrdfsbase %ecx\nhlt\n");
        c.seg[X86Cpu.FS].base = 0xabc;
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        rig.runToHalt(10);
        assertEquals(0x30001, c.rip, "#UD while CR4.FSGSBASE is clear");
        assertEquals(0x20005, rig.read64(0x70000 - 40));

        rig.longMode(3);
        c.cr4 |= X86Cpu.CR4_FSGSBASE; // CPUID does not advertise it yet, so MOV CR4 would refuse the bit
        c.rip = 0x20000;
        rig.resume();
        rig.gate64(Vectors.GP, 0x30000, 0xe, 0, 0);
        rig.runToHalt(10);
        assertEquals(0x20013, rig.read64(0x70000 - 40), "ran up to the HLT, which is #GP at CPL 3");
        assertEquals(0x12345678, c.seg[X86Cpu.GS].base);
        assertEquals(0x12345678, c.r[X86Cpu.RBX]);
        assertEquals(0xabc, c.r[X86Cpu.RCX]);
    }

    @Test
    void farReturnToAnOuterLevelSwitchesStacksAndDropsKernelDataSegments() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.protectedMode(0);
        rig.rsp0(0x70000);
        rig.gate32(0x81, 0x30000, 0xe, 3, true);
        rig.hltAt(0x30000);
        rig.code(0x20000, ".code32\nint $0x81\n");
        rig.code(0x10000, ".code32\nlret $8\n");
        long sp = 0x60000;
        rig.bus.write(sp, 4, 0x20000);
        rig.bus.write(sp + 4, 4, SysRig.UCODE32);
        rig.bus.write(sp + 16, 4, 0x50000); // after the 8 bytes RET releases: ESP, SS of CPL 3
        rig.bus.write(sp + 20, 4, SysRig.UDATA);
        c.rip = 0x10000;
        c.r[X86Cpu.RSP] = sp;
        rig.runToHalt(10);
        long f = 0x70000 - 20;
        assertEquals(0x20002, rig.read32(f), "INT 0x81 ran at CPL 3");
        assertEquals(SysRig.UCODE32, rig.read32(f + 4));
        assertEquals(0x50008, rig.read32(f + 12), "the outer ESP plus the RET's immediate");
        assertEquals(SysRig.UDATA, rig.read32(f + 16));
        assertEquals(0, c.seg[X86Cpu.DS].selector, "DS held a DPL 0 segment: null at CPL 3");
        assertFalse(c.seg[X86Cpu.ES].present());
    }

    @Test
    void longRepOutsbRunsInRestartableChunks() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        int count = PortIoOps.REP_CHUNK * 2 + 5;
        for (int i = 0; i < count; i++) {
            rig.bus.write(0x100000 + i, 1, i & 0x7f);
        }
        rig.code(0x10000, ".code64\nmov $0x100000, %esi\nmov $0x80, %edx\nrep outsb\nhlt\n");
        c.r[X86Cpu.RCX] = count;
        c.rip = 0x10000;
        rig.runToHalt(20);
        assertEquals(count, rig.portWrites.size());
        assertEquals("80=" + Integer.toHexString((count - 1) & 0x7f), rig.portWrites.get(count - 1));
        assertEquals(0, c.r[X86Cpu.RCX]);
        assertEquals(0x100000 + count, c.r[X86Cpu.RSI]);
        assertEquals(1 + 1 + 3 + 1, c.retired(), "MOV, MOV, three chunks of REP OUTSB, HLT");
    }
}
