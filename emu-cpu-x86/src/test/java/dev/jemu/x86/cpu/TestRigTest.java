package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The rig itself: a snippet runs in each mode, stops at its end or at a fault with the vector. */
class TestRigTest {
    @Test
    void runs64BitCodeToItsEnd() {
        TestRig rig = new TestRig();
        TestRig.Result r = rig.run("mov $0x1234567890, %rax\nadd $1, %rax\nmovq %rax, buf(%rip)", 64);
        assertEquals(-1, r.fault());
        assertEquals(0x1234567891L, r.reg(X86Cpu.RAX));
        assertEquals(0x1234567891L, r.bufLong(0));
    }

    @Test
    void stopsAtAFaultWithItsVector() {
        TestRig rig = new TestRig();
        TestRig.Result r = rig.run("xor %ecx, %ecx\nmov $5, %eax\ndiv %ecx\nnop", 64);
        assertEquals(Vectors.DE, r.fault());
        assertEquals(TestRig.ORG + 7, r.rip(), "rip stays at the faulting div");
    }

    @Test
    void runs32And16BitCode() {
        TestRig rig = new TestRig();
        assertEquals(0xffffffffL, rig.run("mov $0, %eax\ndec %eax", 32).reg(X86Cpu.RAX));
        TestRig.Result r = rig.run("mov $0x1234, %bx\nmov %bx, buf\nmov buf, %ax\ninc %ax", 16);
        assertEquals(0x1235, r.reg(X86Cpu.RAX));
        assertEquals(0x34, r.buf()[0]);
    }

    @Test
    void nativeAndJemuAgreeOnASimpleSnippet() {
        String src = "mov $-1, %rax\nadd $1, %rax\nlea buf(%rip), %rbx\nmov %rax, 8(%rbx)";
        TestRig.Result n = TestRig.runNative(src);
        TestRig.Result j = new TestRig().runSame(src);
        assertEquals(n.reg(X86Cpu.RBX), j.reg(X86Cpu.RBX));
        assertEquals(n.flags(), j.flags());
        assertEquals(n.reg(X86Cpu.RSP), j.reg(X86Cpu.RSP));
    }
}
