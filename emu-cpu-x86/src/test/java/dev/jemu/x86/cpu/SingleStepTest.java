package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFLAGS.TF single-stepping (SDM 18.3.1.4): a #DB trap after each instruction that starts with TF set, none after
 * the POPF that sets TF, one after the POPF that clears it, none after INT n (its delivery clears TF), DR6.BS set.
 * The differential test's exceptions program found jemu without it (QEMU 7.2 and the host CPU take the trap).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SingleStepTest {
    @Test
    void trapAfterEachInstructionRunWithTfSet() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        // #DB handler: stores the return address at (%rbx) and moves on; INT 0x80's handler returns at once
        rig.gate64(Vectors.DB, 0x30000, 0xe, 0, 0);
        rig.code(0x30000, ".code64\nmov (%rsp), %rax\nmov %rax, (%rbx)\nadd $8, %rbx\niretq\n");
        rig.gate64(0x80, 0x30100, 0xe, 0, 0);
        rig.code(0x30100, ".code64\niretq\n");
        rig.code(0x20000, """
                .code64
                pushfq                      # 0x00
                orq $0x100, (%rsp)          # 0x01
                popfq                       # 0x09: sets TF, no trap after it
                mov $1, %ecx                # 0x0a: trap, return to 0x0f
                nop                         # 0x0f: trap, 0x10
                int $0x80                   # 0x10: no trap (TF cleared by the delivery)
                pushfq                      # 0x12: after IRETQ restored TF: trap, 0x13
                andq $~0x100, (%rsp)        # 0x13: trap, 0x1b
                popfq                       # 0x1b: clears TF, still a trap, 0x1c
                hlt                         # 0x1c
                """);
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        c.r[X86Cpu.RBX] = 0x50000;
        c.setRflags(0x2);
        c.dr[6] = 0xffff0ff0L;
        rig.runToHalt(100);
        assertEquals(0x2001d, c.rip, "stopped at the HLT");
        assertEquals(0x50000 + 5 * 8, c.r[X86Cpu.RBX], "five traps");
        long[] got = new long[5];
        for (int i = 0; i < got.length; i++) {
            got[i] = rig.read64(0x50000 + 8L * i);
        }
        assertArrayEquals(new long[] {0x2000f, 0x20010, 0x20013, 0x2001b, 0x2001c}, got);
        assertTrue((c.dr[6] & X86Cpu.DR6_BS) != 0, "DR6.BS");
        assertEquals(0, c.rflags() & X86Cpu.TF);
        assertEquals(1, c.r[X86Cpu.RCX]);
    }

    @Test
    void faultingInstructionTakesItsFaultNotTheTrap() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        rig.haltOn64(Vectors.DB, 0x30000);
        rig.haltOn64(Vectors.UD, 0x30100);
        rig.code(0x20000, ".code64\nud2\n");
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        c.setRflags(0x2 | X86Cpu.TF);
        rig.runToHalt(20);
        assertEquals(0x30101, c.rip, "#UD delivered, no #DB");
        assertEquals(0x20000, rig.read64(0x60000 - 40), "#UD at the UD2");
        assertEquals(0x2 | X86Cpu.TF, rig.read64(0x60000 - 24), "TF saved in the frame");
    }

    @Test
    void movSsDefersTheTrapPastTheNextInstructionStiDoesNot() {
        SysRig rig = new SysRig();
        X86Cpu c = rig.c;
        rig.longMode(0);
        rig.gate64(Vectors.DB, 0x30000, 0xe, 0, 0);
        rig.code(0x30000, ".code64\nmov (%rsp), %rax\nmov %rax, (%rbx)\nadd $8, %rbx\niretq\n");
        rig.code(0x20000, """
                .code64
                mov %ss, %ecx               # 0x00 (2 bytes): trap, 0x02
                mov %ecx, %ss               # 0x02 (2): no trap after it...
                nop                         # 0x04: ...but after this one, 0x05
                sti                         # 0x05: IF 0 -> 1, its trap still comes, 0x06
                pushfq                      # 0x06: trap, 0x07
                andq $~0x100, (%rsp)        # 0x07 (8): trap, 0x0f
                popfq                       # 0x0f: trap, 0x10
                hlt                         # 0x10
                """);
        c.rip = 0x20000;
        c.r[X86Cpu.RSP] = 0x60000;
        c.r[X86Cpu.RBX] = 0x50000;
        c.setRflags(0x2 | X86Cpu.TF);
        rig.runToHalt(100);
        int n = (int) (c.r[X86Cpu.RBX] - 0x50000) / 8;
        long[] got = new long[n];
        for (int i = 0; i < n; i++) {
            got[i] = rig.read64(0x50000 + 8L * i);
        }
        assertArrayEquals(new long[] {0x20002, 0x20005, 0x20006, 0x20007, 0x2000f, 0x20010}, got);
    }
}
