package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The instruction forms the block JIT writes as bytecode (X86Forms, X86Emit) against the interpreter: every
 * condition after every emitted ALU form over operands at the signed/unsigned edges, the flags as a closure op
 * (PUSHF, ADC) reads them after an emitted op, and faults of emitted memory accesses in the middle of a block.
 * Each program runs interpreted and compiled at its first entry (X86JitTest.both); everything the guest sees and
 * the instruction count must agree. The forms are first checked to be emitted at all, so the comparisons test them.
 */
class X86EmitTest {
    static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge",
        "le", "g"};

    /** The ALU forms under test, on the destination %rdi/%edi with the source %rbx/%ebx or a table entry. */
    private static List<String> aluForms(int bits) {
        List<String> ops = new java.util.ArrayList<>(List.of("add %ebx, %edi", "sub %ebx, %edi", "cmp %ebx, %edi",
                "and %ebx, %edi", "or %ebx, %edi", "xor %ebx, %edi", "test %ebx, %edi", "inc %edi", "dec %edi",
                "add $0x7f, %edi", "sub $-1, %edi", "cmp $0x7fffffff, %edi", "cmp $-0x80, %edi", "and $0xff, %edi",
                "test $0x80000001, %edi", "xor $-2, %edi", "neg %edi"));
        if (bits == 64) {
            for (String op : List.copyOf(ops)) {
                ops.add(op.replace("%e", "%r").replace("$0x80000001", "$-0x7fffffff"));
            }
            ops.addAll(List.of("cmp (%rsi,%rdx,8), %rdi", "cmp %rdi, (%rsi,%rdx,8)", "cmpq $5, (%rsi,%rdx,8)",
                    "test %rdi, (%rsi,%rdx,8)", "add (%rsi,%rdx,8), %rdi", "sub 8(%rsi,%rdx,8), %edi",
                    "cmpl $-1, (%rsi,%rdx,8)", "cmp $0x80, %al", "cmp %bl, %al", "cmp %al, %bh", "test %bl, %al",
                    "cmpb $7, (%rsi,%rdx,8)", "testb %al, 3(%rsi,%rdx,8)", "cmp %bl, %dil", "test $0x81, %al",
                    "add %bl, %dil", "sub $0x80, %dil", "xor %bh, %ah", "and (%rsi,%rdx,8), %dil", "or $1, %al",
                    "add $0x7f, %al", "sub %dil, %bl", "testb $0x81, (%rsi,%rdx,8)", "test $0x80, %dil",
                    "cmpw $-3, (%rsi,%rdx,8)", "cmp %bx, %di", "cmpw $0x7fff, %di", "test %bx, %di",
                    "cmp $0x8000, %ax", "test $0x8001, %ax", "cmp (%rsi,%rdx,8), %di", "cmp %di, 2(%rsi,%rdx,8)",
                    "testw $0x8000, 2(%rsi,%rdx,8)"));
        } else {
            ops.addAll(List.of("cmp (%esi,%edx,4), %edi", "cmp %edi, (%esi,%edx,4)", "cmpl $5, (%esi,%edx,4)",
                    "test %edi, 4(%esi,%edx,4)", "add (%esi,%edx,4), %edi", "cmp $0x80, %al", "cmp %bl, %al",
                    "test %bh, %al", "cmpb $7, 2(%esi,%edx,4)", "add %bl, %al", "sub $0x80, %bh", "xor %bh, %ah",
                    "testb $0x81, (%esi,%edx,4)", "cmpw $-3, (%esi,%edx,4)", "cmp %bx, %di", "test $0x8001, %ax"));
        }
        return ops;
    }

    private static final long[] VALUES = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fffffffL, 0x80000000L, 0xffffffffL,
        0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2};

    /**
     * For every pair of table values and every ALU form: each of the 16 Jcc conditions right after it (fused
     * with the emitted ALU op), then PUSHF and ADC (closures reading its lazy flags), hashed into %ebp/%rbp.
     */
    private static String conditionsProgram(int bits) {
        String w = bits == 64 ? "r" : "e";
        int scale = bits / 8;
        StringBuilder sb = new StringBuilder();
        sb.append(bits == 64 ? "lea table(%rip), %rsi\n" : "mov $table, %esi\n");
        sb.append("xor %ecx, %ecx\nouter: xor %edx, %edx\ninner:\n");
        sb.append("mov (%" + w + "si,%" + w + "cx," + scale + "), %" + w + "ax\n");
        sb.append("mov (%" + w + "si,%" + w + "dx," + scale + "), %" + w + "bx\n");
        for (String op : aluForms(bits)) {
            for (int cc = 0; cc < 16; cc++) { // each condition adds its own number: which one went which way counts
                sb.append("mov %" + w + "ax, %" + w + "di\n").append(op).append('\n');
                sb.append("j" + CC[cc] + " 1f\nlea " + (cc + 1) + "(%" + w + "bp,%" + w + "bp,2), %" + w + "bp\n1:\n");
            }
            sb.append("mov %" + w + "ax, %" + w + "di\n").append(op).append('\n');
            sb.append("pushf\npop %" + w + "di\nadd %" + w + "di, %" + w + "bp\nrol $5, %" + w + "bp\n");
            sb.append("mov %" + w + "ax, %" + w + "di\n").append(op).append('\n');
            sb.append("adc $0, %" + w + "bp\n");
        }
        sb.append("inc %edx\ncmp $" + VALUES.length + ", %edx\njb inner\n");
        sb.append("inc %ecx\ncmp $" + VALUES.length + ", %ecx\njb outer\n");
        sb.append("jmp done\ntable:\n");
        for (long v : VALUES) {
            sb.append(bits == 64 ? ".quad " + v : ".long " + (int) v).append('\n');
        }
        sb.append(bits == 64 ? ".quad 0\n" : ".long 0\n").append("done:\n");
        return sb.toString();
    }

    @Test
    void everyConditionAfterEveryEmittedAluFormAgrees64() {
        conditionsAgree(64);
    }

    @Test
    void everyConditionAfterEveryEmittedAluFormAgrees32() {
        conditionsAgree(32);
    }

    private static void conditionsAgree(int bits) {
        for (String op : aluForms(bits)) {
            assertNotNull(form(op, bits), "emitted: " + op);
        }
        for (String cc : CC) {
            assertNotNull(form("j" + cc + " .+0x10", bits), "emitted: j" + cc);
        }
        TestRig.Result r = X86JitTest.both(conditionsProgram(bits), bits, 50_000_000, rig -> { })[1].result();
        assertNotEquals(0, r.reg(X86Cpu.RBP), "the hash saw the conditions");
    }

    @Test
    void theMoveAndStackFormsAreEmittedAndAgree() {
        String[] forms = {"mov %rbx, %rdi", "mov %ebx, %edi", "mov $-5, %rdi", "mov $0x123456789, %rdi",
            "mov $7, %edi", "mov 8(%rsi,%rdx,8), %rdi", "mov (%rsi), %edi", "mov %rdi, 16(%rsi,%rdx,8)",
            "mov %edi, 4(%rsi)", "movq $-3, 24(%rsi)", "movl $-3, 28(%rsi)", "lea 5(%rsi,%rdx,4), %rdi",
            "lea -1(%esi,%edx,2), %edi", "lea (%rip), %rdi", "movzbl %bh, %edi", "movzbl (%rsi), %edi",
            "movzwq 2(%rsi), %rdi", "movsbq %bl, %rdi", "movswl 6(%rsi), %edi", "movslq %ebx, %rdi",
            "movslq 4(%rsi), %rdi", "push %rbx", "pop %rdi", "push %r12", "pop %r13", "mov %fs:8(%rsi), %rdi",
            "not %rdi", "not %edi", "movb %bl, 5(%rsi,%rdx,8)", "mov %bh, 1(%rsi)\nmov (%rsi), %rdi",
            "nop\nendbr64\nnopw 0(%rax,%rax,1)\npause\nmov %rbx, %rdi", "movw %bx, 6(%rsi,%rdx,8)\nmov (%rsi), %rdi",
            "movw $-2, 10(%rsi)\nmov 8(%rsi), %rdi", "movb $0x85, 3(%rsi,%rdx,8)\nmov (%rsi,%rdx,8), %rdi"};
        StringBuilder sb = new StringBuilder("""
                lea buf(%rip), %rsi
                mov $0x8081828384858687, %rax
                mov %rax, (%rsi)
                mov $300, %ecx
                1: mov %ecx, %edx
                and $7, %edx
                mov %rcx, %rbx
                imul $0x9e3779b97f4a7c15, %rbx
                """.replace("imul $0x9e3779b97f4a7c15, %rbx", "mov $0x9e3779b97f4a7c15, %r8\nimul %r8, %rbx"));
        for (String f : forms) {
            String first = f.lines().findFirst().orElseThrow();
            if (!first.equals("nop")) { // the NOPs are recognised by their op (MoveOps.NOP), not by X86Forms
                assertNotNull(form(first, 64), "emitted: " + f);
            }
            sb.append(f).append("\nadd %rdi, %rbp\nrol $3, %rbp\n");
        }
        sb.append("mov %rbp, 64(%rsi,%rdx,8)\ndec %ecx\njnz 1b\n");
        X86JitTest.both(sb.toString(), 64, 10_000_000, rig -> { });
    }

    @Test
    void theBranchFormsAreEmittedAndAgree64() {
        branchesAgree(64);
    }

    @Test
    void theBranchFormsAreEmittedAndAgree32() {
        branchesAgree(32);
    }

    /**
     * CALL rel and through a register, RET, JMP rel8/rel32 that the block follows (forward in the page), that ends
     * it (back to an instruction already in the block: its start, so it loops in place) and to another page.
     */
    private static void branchesAgree(int bits) {
        String w = bits == 64 ? "r" : "e";
        for (String f : new String[] {"call .+0x20", "ret", "jmp .+0x10", "jmp .+0x1000", "call *%" + w + "bx",
            "call *8(%" + w + "si)", "jmp *%" + w + "dx", "jmp *4(%" + w + "si)"}) {
            assertNotNull(form(f, bits), "emitted: " + f);
        }
        String src = """
                mov $300, %ecx
                lea_f2
                1: call f1
                add %Wax, %Wbp
                call *%Wbx
                mov %Wbx, buf
                call *buf
                rol $3, %Wbp
                jmp 3f
                .skip 200, 0xcc
                3: cmp $7, %ecx
                jne 8f
                jmp far
                8: cmp $9, %ecx
                jne 4f
                lea_far
                jmp *%Wdx
                4: dec %ecx
                jnz 1b
                jmp done
                f1: mov %Wcx, %Wax
                imul $0x2f, %Wax, %Wax
                xor %Wax, %Wbp
                ret
                f2: add $7, %Wbp
                jmp 5f
                5: mov $3, %edx
                6: add %Wdx, %Wbp
                dec %edx
                jnz 7f
                ret
                7: jmp 6b
                .balign 4096
                far: rol $1, %Wbp
                jmp 4b
                done:
                """.replace("%W", "%" + w).replace("lea_f2", bits == 64 ? "lea f2(%rip), %rbx" : "mov $f2, %ebx")
                .replace("lea_far", bits == 64 ? "lea far(%rip), %rdx" : "mov $far, %edx");
        TestRig.Result r = X86JitTest.both(src, bits, 10_000_000, rig -> { })[1].result();
        assertNotEquals(0, r.reg(X86Cpu.RBP));
    }

    @Test
    void faultsOfEmittedCallsAndReturns() {
        // the third pass: a CALL or RET whose stack is not mapped, a RET or CALL to a non-canonical address
        faultOnTheThirdPass("", "cmove %r8, %rsp\ncall 5f\n5: pop %rdx",
                "lea 5f(%rip), %rdx\npush %rdx\ncmove %r8, %rsp\nret\n5:",
                "lea 5f(%rip), %rdx\ncmove %r9, %rdx\npush %rdx\nret\n5:",
                "lea 5f(%rip), %rdx\ncmove %r9, %rdx\ncall *%rdx\n5: pop %rax",
                "lea 5f(%rip), %rdx\nmov %rdx, buf(%rip)\nlea buf(%rip), %rdi\ncmove %r8, %rdi\ncall *(%rdi)\n5: pop %rax",
                "lea 5f(%rip), %rdx\ncmove %r9, %rdx\nmov %rdx, buf(%rip)\ncall *buf(%rip)\n5: pop %rax",
                "lea 5f(%rip), %rdx\ncmove %r9, %rdx\njmp *%rdx\n5:",
                "lea 5f(%rip), %rdx\nmov %rdx, buf(%rip)\nlea buf(%rip), %rdi\ncmove %r8, %rdi\njmp *(%rdi)\n5:");
    }

    @Test
    void faultsOfEmittedDivisionsAndStringOpsInTheMiddleOfABlock() {
        // #DE of a zero divisor and of a quotient too big, a page fault of a divisor in memory and of a REP STOS,
        // MOVS or LODS: the registers (a REP's rCX/rDI as of the elements done), rip and the count are the interpreter's
        faultOnTheThirdPass("lea buf(%rip), %rdi\nmov $0, %r10d\n",
                "mov $7, %ebx\ncmove %r10, %rbx\nmov $0, %edx\ndiv %rbx",
                "mov $7, %ebx\ncmove %r10, %rbx\nmov $0, %edx\nidiv %ebx",
                "mov $0, %edx\nmov $1, %ebx\ncmove %rbx, %rdx\ndiv %ebx",
                "mov $3, %ebx\nmov $-1, %r11\ncmove %r11, %rbx\nmov %r9, %rax\nmov $-1, %rdx\nidiv %rbx",
                "lea buf(%rip), %rdi\nmovq $7, 8(%rdi)\ncmove %r8, %rdi\nmov $0, %edx\ndivq 8(%rdi)",
                "lea buf(%rip), %rdi\nmov $0x3ffffff8, %r11\ncmove %r11, %rdi\npush %rcx\nmov $3, %ecx\nrep stosq\npop %rcx",
                "lea buf(%rip), %rsi\nmov $0x3ffffffe, %r11\ncmove %r11, %rsi\nlea buf+64(%rip), %rdi\npush %rcx\n"
                        + "mov $5, %ecx\nrep movsb\npop %rcx",
                "lea buf(%rip), %rsi\ncmove %r8, %rsi\nlodsl");
        assertNotNull(form("div %rbx", 64));
        assertNotNull(form("rep stosq", 64));
    }

    /**
     * The string ops in the middle of blocks, every kind, size and prefix: REP STOS and MOVS over more elements than
     * a chunk (StringOps.CHUNK: the op restarts itself, and the block must leave there), overlapping MOVS, REPE CMPS
     * and REPNE SCAS stopping early, DF set, address size 32, a segment override; the memory and rCX/rSI/rDI agree.
     */
    @Test
    void theStringFormsAreEmittedAndAgree() {
        String[] forms = {"rep stosq", "rep stosb", "rep stosl", "rep movsq", "rep movsb", "movsw", "stosb", "lodsq",
            "scasb", "cmpsl", "repe cmpsb", "repne scasb", "repe scasw", "addr32 rep stosb", "rep movsl %fs:(%rsi), %es:(%rdi)"};
        StringBuilder sb = new StringBuilder("""
                mov $0x300000, %r12
                mov $40, %r13d
                1: mov %r13d, %ebx
                and $7, %ebx
                mov %r13, %rax
                imul $0x9e3779b9, %eax, %eax
                """);
        for (String f : forms) {
            assertNotNull(form(f, 64), "emitted: " + f);
            boolean down = f.equals("rep movsb") || f.equals("scasb");
            sb.append("lea 0x800(%r12,%rbx,8), %rsi\nlea 0x803(%r12,%rbx,4), %rdi\n");
            sb.append("mov %r13d, %ecx\nshl $7, %ecx\nadd %ebx, %ecx\n"); // 128..5127 elements: above a chunk
            sb.append(down ? "std\n" : "").append(f).append('\n').append(down ? "cld\n" : "");
            sb.append("add %rcx, %rbp\nadd %rsi, %rbp\nadd %rdi, %rbp\nadd %rax, %rbp\nrol $5, %rbp\n");
            sb.append("add 0x900(%r12), %rbp\nadd 0x1c00(%r12,%rbx,8), %rbp\nxor 0xa000(%r12), %rbp\n");
        }
        sb.append("mov %rbp, buf(%rip)\ndec %r13d\njnz 1b\n");
        TestRig.Result r = X86JitTest.both(sb.toString(), 64, 100_000_000, rig -> { })[1].result();
        assertNotEquals(0, r.reg(X86Cpu.RBP));
    }

    @Test
    void formsWithOtherMeaningsKeepTheirClosures() {
        for (String f : new String[] {"adc %ebx, (%rsi)", "sbbq $1, (%rdi)", "shl %cl, (%rsi)", "mul %bl",
            "imul %bx, %di", "shl $3, %di", "div %bl", "incw (%rsi)", "add %bx, %di", "negq (%rsi)",
            "mov %bl, %dil", "lock add %edi, (%rsi)", "shld $3, %rbx, (%rsi)", "lea (%esi), %di", "rep ret",
            "lcall *(%rax)", "tzcnt %rbx, %rdi", "shld %cl, %bx, %di"}) {
            assertNull(form(f, 64), "a closure: " + f);
        }
    }

    @Test
    void aPageFaultOnAnEmittedStoreLeavesTheInterpretersState() {
        // the third pass stores to an unmapped page (the rig maps 1 GiB): the SUB's flags, the registers, rip and
        // the count at the fault must be the interpreter's
        TestRig.Result r = X86JitTest.both("""
                mov $3, %ecx
                lea buf(%rip), %rdi
                mov $0x40000000, %r8
                1: add $5, %eax
                cmp $1, %ecx
                cmove %r8, %rdi
                sub %ecx, %ebx
                mov %rax, 8(%rdi,%rcx,8)
                add $7, %ebp
                dec %ecx
                jnz 1b
                """, 64, 10_000_000, rig -> { })[1].result();
        assertEquals(Vectors.PF, r.fault());
        assertEquals(14, r.reg(X86Cpu.RBP), "the instruction after the fault did not run");
    }

    @Test
    void faultsOfEmittedLoadsAndPushesInTheMiddleOfABlock() {
        faultOnTheThirdPass("lea buf(%rip), %rdi\n",
                "cmove %r8, %rsp\npush %rax", "cmove %r9, %rdi\nmov (%rdi,%rcx,4), %edx",
                "cmove %r9, %rdi\ncmpq $3, (%rdi)", "cmove %r8, %rsp\npop %rdx", "cmove %r8, %rdi\nmovw %bx, (%rdi)",
                "cmove %r8, %rdi\ntestb $1, 5(%rdi)", "cmove %r8, %rdi\ncmpw $3, 2(%rdi)", "cmove %r8, %rdi\nmovb $1, (%rdi)",
                "cmove %r8, %rdi\naddl $3, 2(%rdi)", "cmove %r8, %rdi\nsub %rbx, (%rdi)", "cmove %r8, %rdi\norb $1, (%rdi)",
                "cmove %r8, %rdi\nincl (%rdi)", "cmove %r8, %rdi\ndecq 8(%rdi)");
    }

    @Test
    void anEmittedStoreIntoTheSameBlockTakesEffectAtOnce() {
        // at ecx == 5 a 32-bit store (emitted) patches the immediate of the ADD after it in the same pass
        TestRig.Result r = X86JitTest.both("""
                mov $10, %ecx
                xor %eax, %eax
                1: cmp $5, %ecx
                jne 2f
                movl $3, 2f+1(%rip)
                2: add $1, %eax
                .byte 0x90
                dec %ecx
                jnz 1b
                """.replace("add $1, %eax", ".byte 0x05, 1, 0, 0, 0"), 64, 10_000_000, rig -> { })[1].result();
        assertNotNull(form("movl $3, 0x10(%rip)", 64));
        assertEquals(5 + 5 * 3, r.reg(X86Cpu.RAX));
    }

    /** The emitted form of the one instruction {@code insn} assembled at code size {@code bits}, or null. */
    static X86Forms form(String insn, int bits) {
        byte[] bin = TestRig.assemble(insn, bits).bin();
        Decoder d = new Decoder();
        Insn.Fetcher bytes = at -> bin[(int) at] & 0xff;
        X86Op op = d.decode(bytes, 0, bits);
        assertNotEquals(Decoder.UNDEFINED, op, insn);
        return X86Forms.of(d.insn(), bytes, 0, d.length());
    }

    /**
     * Each of {@code bads} faults on the third pass of a compiled loop ({@code %r8} points at unmapped memory,
     * {@code %r9} is non-canonical): the fault is the interpreter's, and the instruction after it did not run.
     */
    private static void faultOnTheThirdPass(String setup, String... bads) {
        for (String bad : bads) {
            String src = """
                    mov $3, %ecx
                    SETUPmov $0x40000010, %r8
                    movabs $0x8000000000000000, %r9
                    1: add $5, %eax
                    cmp $1, %ecx
                    BAD
                    add $7, %ebp
                    dec %ecx
                    jnz 1b
                    """.replace("SETUP", setup).replace("BAD", bad);
            TestRig.Result r;
            try {
                r = X86JitTest.both(src, 64, 10_000_000, rig -> { })[1].result();
            } catch (AssertionError e) {
                throw new AssertionError(bad + ": " + e.getMessage(), e);
            }
            assertNotEquals(-1, r.fault(), bad);
            assertEquals(14, r.reg(X86Cpu.RBP), bad);
        }
    }
}
