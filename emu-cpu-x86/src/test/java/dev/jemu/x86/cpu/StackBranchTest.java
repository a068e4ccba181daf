package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** PUSH/POP, PUSHF/POPF, ENTER/LEAVE, near CALL/RET/JMP (direct and indirect), LOOPcc and JRCXZ. */
class StackBranchTest {
    @Test
    void stackAndBranchesAgainstTheHost() {
        Oracle o = new Oracle(64);
        o.add(1, 2, 3, 0, "push %rax\npush %rcx\npushw $-5\npush $0x7fffffff\npop %rax\npop %cx\npop %rdx\npop %rcx", Oracle.ALL);
        o.add(1, 2, 3, 0, "push %rsp\npop %rax\nsub %rsp, %rax\npush %rsp\npop %rsp\nmov %rsp, %rcx\nlea stack_top(%rip), %rdx\nsub %rdx, %rcx", Oracle.ALL);
        o.add(1, 2, 3, 0, "mov %rsp, %rdx\npush $42\npopq buf+8(%rip)\npushq buf+8(%rip)\npop %rax\nsub %rsp, %rdx", Oracle.ALL);
        o.add(1, 2, 3, 0, "mov %rsp, %rcx\nmov %rsp, %rbp\nenter $24, $0\nsub %rsp, %rcx\nmov %rbp, %rax\nleave\nsub %rsp, %rax", Oracle.ALL);
        o.add(1, 2, 3, 0, "mov %rsp, %rbp\nmov %rsp, %rcx\nenter $8, $3\nsub %rsp, %rcx\nmov (%rsp), %rax\nsub %rbp, %rax\nleave", Oracle.ALL);
        o.add(1, 2, 3, 0, "call 1f\njmp 2f\n1: mov (%rsp), %rax\nlea 2f(%rip), %rcx\nsub %rcx, %rax\nret\n2:", Oracle.ALL);
        o.add(1, 2, 3, 0, "lea 1f(%rip), %rax\ncall *%rax\njmp 2f\n1: add $5, %rcx\nret $0\n2:", Oracle.ALL);
        o.add(1, 2, 3, 0, "lea 1f(%rip), %rax\nmov %rax, buf(%rip)\njmp *buf(%rip)\nmov $9, %rcx\n1: inc %rcx", Oracle.ALL);
        o.add(1, 2, 3, 0, "lea 1f(%rip), %rax\nmov %rax, buf(%rip)\ncallq *buf(%rip)\njmp 2f\n1: pop %rdx\nsub %rax, %rdx\npush $0\npop %rax\nadd $0, %rsp\njmp 2f\n2:", Oracle.ALL);
        o.add(0, 5, 0, 0, "1: inc %rax\nloop 1b", Oracle.ALL);
        o.add(0, 5, 0, 0, "1: inc %rax\ncmp $3, %rax\nloopne 1b", Oracle.ALL);
        o.add(0, 5, 0, X86Cpu.ZF, "1: inc %rdx\ntest %rax, %rax\nloope 1b", Oracle.ALL);
        o.add(0, 0x100000000L, 0, 0, "jrcxz 1f\nmov $1, %eax\n1: jecxz 2f\nmov $2, %edx\n2:", Oracle.ALL);
        for (long f : new long[] {0, Oracle.ALL}) {
            o.add(f, 0, 0, 0, "push %rax\npopfq\npushfq\npop %rcx\nand $0xdd5, %ecx", Oracle.ALL);
            o.add(f, 0, 0, 0, "push %ax\npopfw\npushfw\npop %cx\nand $0xdd5, %ecx", Oracle.ALL);
        }
        System.out.println("StackBranchTest host-compared cases: " + o.check());
    }

    @Test
    void popfKeepsIoplAndIfAboveTheirPrivilege() {
        TestRig rig = new TestRig();
        rig.load("pushq $0x3200\npopfq\npushfq\npop %rax", 64);
        rig.cpu.seg[X86Cpu.CS].selector |= 3; // run the snippet at CPL 3
        rig.cpu.updateMode();
        TestRig.Result r = rig.go(100);
        assertEquals(-1, r.fault());
        assertEquals(0, r.reg(X86Cpu.RAX) & (X86Cpu.IOPL | X86Cpu.IF), "CPL 3 with IOPL 0 changes neither");
        rig.load("pushq $0x3200\npopfq\npushfq\npop %rax", 64);
        r = rig.go(100);
        assertEquals(X86Cpu.IOPL | X86Cpu.IF, r.reg(X86Cpu.RAX) & (X86Cpu.IOPL | X86Cpu.IF), "CPL 0 changes both");
    }

    @Test
    void nonCanonicalReturnIsGeneralProtection() {
        TestRig rig = new TestRig();
        TestRig.Result r = rig.run("movabs $0x0000800000000000, %rax\npush %rax\nret", 64);
        assertEquals(Vectors.GP, r.fault());
        assertEquals(0x800000000000L, rig.cpu.read64(rig.cpu.r[X86Cpu.RSP]), "RSP restored: the target is still there");
    }

    @Test
    void callsIn32BitCode() {
        TestRig rig = new TestRig();
        TestRig.Result r = rig.run("mov %esp, %ebx\ncall 1f\n1: pop %eax\nsub %esp, %ebx\npushw $3\npopw %cx\n", 32);
        assertEquals(-1, r.fault());
        assertEquals(TestRig.ORG + 7, r.reg(X86Cpu.RAX));
        assertEquals(0, r.reg(X86Cpu.RBX));
        assertEquals(3, r.reg(X86Cpu.RCX));
    }
}
