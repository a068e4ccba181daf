package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The emitted carry, multiply, shift and condition forms (ADC/SBB, MUL/IMUL, SHL/SHR/SAR/ROL/ROR/RCL/RCR of a
 * register, SHLD/SHRD, BSF/BSR, BSWAP, DIV/IDIV that cannot fault, SETcc of a byte register, CMOVcc, INC/DEC keeping
 * CF, each after an emitted ALU op; ADD/SUB/AND/OR/XOR
 * of memory, read-modify-write, through a scratch word in buf) against
 * the interpreter: every pair of edge values, each with CF clear and set before it, then each of the 16 Jcc
 * conditions, PUSHF and an ADC (a closure reading the lazy flags) after it. Shift counts come from the same edge
 * values (so 0, 1, 31, 32, 63, 64 and above, masked as the CPU masks them) or are immediates at those edges; a
 * count of 0 must leave the flags of the NEG before it. As X86EmitTest, the forms are first checked to be emitted.
 */
class X86EmitArithTest {
    private static final String[] CC = X86EmitTest.CC;

    private static final long[] VALUES = {0, 1, 2, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff, 0x7fffffffL, 0x80000000L,
        0xffffffffL, 0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2};

    /** Forms on %edi/%rdi with the source %ebx/%rbx (and %cl = the source's low byte), or a table entry. */
    private static List<String> forms(int bits) {
        List<String> ops = new ArrayList<>(List.of("adc %ebx, %edi", "sbb %ebx, %edi", "adc $0x7f, %edi",
                "sbb $-1, %edi", "adc $0x7fffffff, %edi", "sbb $0x80000000, %edi", "sbb %edi, %edi", "adc %edi, %ebx",
                "mul %ebx", "imul %ebx", "imul %ebx, %edi", "imul $-3, %ebx, %edi", "imul $0x7fffffff, %edi, %edi",
                "imul $0x10, %ebx, %edi", "shl %cl, %edi", "shr %cl, %edi", "sar %cl, %edi", "rol %cl, %edi",
                "ror %cl, %edi", "rcl %cl, %edi", "rcr %cl, %edi", "shl $1, %edi", "shr $1, %edi", "sar $1, %edi",
                "shl $31, %edi", "shr $31, %edi", "sar $31, %edi", "shl $0, %edi", "shr $32, %edi", "rol $5, %edi",
                "ror $1, %edi", "ror $31, %edi", "cmp %ebx, %edi\nsetb %al", "cmp %ebx, %edi\nsetle %dl",
                "sub %ebx, %edi\nsetg %bh", "adc %ebx, %edi\nseto %al", "shl %cl, %edi\nsetnp %al",
                "cmp %ebx, %edi\ncmovb %ebx, %eax", "cmp %ebx, %edi\ncmovge %ebx, %edi",
                "sbb %ebx, %edi\ncmovp %ebx, %eax", "and %ebx, %edi\ncmovle %ebx, %edi", "cmp %ebx, %edi\ninc %edi",
                "add %ebx, %edi\ndec %ebx", "sub %ebx, %eax\ninc %edi", "and %ebx, %edi\ndec %edi",
                "add $0x7f, %edi\ninc %eax\ndec %edi", "mov %edi, buf\nadd %ebx, buf\nmov buf, %edi",
                "mov %edi, buf\nsub %ebx, buf\nmov buf, %edi", "mov %edi, buf\nand %ebx, buf\nmov buf, %edi",
                "mov %edi, buf\norl $0x7f, buf\nmov buf, %edi", "mov %edi, buf\nxorl $-2, buf\nmov buf, %edi",
                "mov %edi, buf\nsub $0x80000000, buf\nmov buf, %edi", "mov %edi, buf\naddb %bl, buf\nmov buf, %edi",
                "mov %edi, buf\nsubb $0x80, buf\nmov buf, %edi", "mov %edi, buf\nxor %bl, buf\nmov buf, %edi",
                "shld %cl, %ebx, %edi", "shrd %cl, %ebx, %edi", "shld $1, %ebx, %edi", "shrd $1, %ebx, %edi",
                "shld $31, %ebx, %edi", "shrd $7, %ebx, %edi", "shld $0, %ebx, %edi", "shrd $32, %ebx, %edi",
                "bswap %edi", "bsf %ebx, %edi", "bsr %ebx, %edi", "bsr %edi, %edi",
                "mov %edi, buf\nincl buf\nmov buf, %edi", "mov %ebx, buf\ncmp %ebx, %edi\ndecl buf\nmov buf, %edi",
                "mov $0, %edx\nor $1, %ebx\ndiv %ebx", "mov %ebx, %edx\nshr $1, %edx\nor $1, %ebx\ndiv %ebx"));
        if (bits == 64) {
            for (String op : List.copyOf(ops)) {
                ops.add(op.replace("%e", "%r").replace("$0x80000000", "$-0x80000000"));
            }
            ops.addAll(List.of("shl $63, %rdi", "shr $63, %rdi", "sar $63, %rdi", "shl $64, %rdi", "rol $63, %rdi",
                    "adc (%rsi,%rdx,8), %rdi", "sbb 8(%rsi,%rdx,8), %edi", "mulq (%rsi,%rdx,8)",
                    "imul 8(%rsi,%rdx,8), %rdi", "imul $7, (%rsi,%rdx,8), %edi", "shl $65, %edi", "shr %cl, %r9",
                    "adc %r9, %r10", "test %rbx, %rdi\nsets %dil", "cmp %ebx, %edi\ncmova (%rsi,%rdx,8), %eax",
                    "cmp %rbx, %rdi\ncmovbe 8(%rsi,%rdx,8), %rdi", "shld $63, %rbx, %rdi", "shrd $33, %rbx, %rdi",
                    "mov %rdi, buf\nincq buf\nmov buf, %rdi", "mov %rdi, buf\nadd %rbx, %rax\ndecq buf\nmov buf, %rdi",
                    "shld %cl, %ebx, %r9d", "bswap %r10", "bsr (%rsi,%rdx,8), %rdi", "bsf 8(%rsi,%rdx,8), %edi",
                    "mov %rax, %rdx\nsar $63, %rdx\nand $0x7fffffff, %rbx\nor $1, %rbx\nidiv %rbx",
                    "and $0x7fffffff, %rbx\nor $1, %rbx\nmov %rbx, %rdx\nshr $2, %rdx\nidiv %rbx"));
        } else {
            ops.addAll(List.of("adc (%esi,%edx,4), %edi", "mull 4(%esi,%edx,4)", "imul $-2, (%esi,%edx,4), %edi",
                    "shl $33, %edi", "cmp %ebx, %edi\ncmova (%esi,%edx,4), %eax", "bsr 4(%esi,%edx,4), %edi",
                    "mov %eax, %edx\nsar $31, %edx\nand $0x7fffffff, %ebx\nor $1, %ebx\nidiv %ebx"));
        }
        return ops;
    }

    /**
     * One pass per (a, b) pair and carry-in (0, then 1), both kept on the stack (MUL writes rDX). Each form runs
     * after the pass is loaded: a in %edi and %eax (and %r9/%r10), b in %ebx and %ecx, CF from NEG of the carry-in.
     */
    private static String program(List<String> forms, int bits) {
        String w = bits == 64 ? "r" : "e";
        int sz = bits / 8;
        int n = VALUES.length * VALUES.length;
        StringBuilder sb = new StringBuilder();
        sb.append(bits == 64 ? "lea table(%rip), %rsi\n" : "mov $table, %esi\n");
        sb.append("xor %edx, %edx\nxor %ecx, %ecx\nxor %ebp, %ebp\nloop:\npush %" + w + "cx\npush %" + w + "dx\n");
        String load = "mov " + sz + "(%" + w + "sp), %" + w + "cx\nneg %" + w + "cx\n"
                + "mov (%" + w + "sp), %" + w + "dx\n"
                + "mov (%" + w + "si,%" + w + "dx," + sz + "), %" + w + "ax\n"
                + "mov " + n * sz + "(%" + w + "si,%" + w + "dx," + sz + "), %" + w + "bx\n"
                + "mov %" + w + "bx, %" + w + "cx\nmov %" + w + "ax, %" + w + "di\n"
                + (bits == 64 ? "mov %rax, %r9\nmov %rbx, %r10\n" : "");
        String hash = "add %" + w + "di, %" + w + "bp\nadd %" + w + "ax, %" + w + "bp\nadd %" + w + "dx, %" + w
                + "bp\nadd %" + w + "bx, %" + w + "bp\n" + (bits == 64 ? "add %r9, %rbp\nadd %r10, %rbp\n" : "")
                + "rol $5, %" + w + "bp\n";
        for (String op : forms) {
            for (int cc = 0; cc < 16; cc++) {
                sb.append(load).append(op).append('\n');
                sb.append("j" + CC[cc] + " 1f\nlea " + (cc + 1) + "(%" + w + "bp,%" + w + "bp,2), %" + w + "bp\n1:\n");
            }
            sb.append(load).append(op).append('\n');
            sb.append("pushf\npop %" + w + "cx\nadd %" + w + "cx, %" + w + "bp\n").append(hash);
            sb.append(load).append(op).append('\n');
            sb.append("adc $0, %" + w + "bp\n");
        }
        sb.append("pop %" + w + "dx\npop %" + w + "cx\nxor $1, %ecx\njnz 2f\ninc %edx\n");
        sb.append("2: cmp $" + n + ", %edx\njb loop\n");
        sb.append("jmp done\n.balign 8\ntable:\n");
        String d = bits == 64 ? ".quad " : ".long ";
        StringBuilder as = new StringBuilder(), bs = new StringBuilder();
        for (long a : VALUES) {
            for (long b : VALUES) {
                as.append(d).append(bits == 64 ? a : (int) a).append('\n');
                bs.append(d).append(bits == 64 ? b : (int) b).append('\n');
            }
        }
        sb.append(as).append(bs).append(d).append("0\n").append(d).append("0\ndone:\n");
        return sb.toString();
    }

    @Test
    void everyConditionAfterEveryCarryMultiplyAndShiftFormAgrees64() {
        agree(64);
    }

    @Test
    void everyConditionAfterEveryCarryMultiplyAndShiftFormAgrees32() {
        agree(32);
    }

    private static void agree(int bits) {
        for (String op : forms(bits)) {
            for (String insn : op.split("\n")) {
                assertNotNull(X86EmitTest.form(insn, bits), "emitted: " + insn);
            }
        }
        List<String> all = forms(bits);
        for (int from = 0; from < all.size(); from += 16) { // the rig's code space is 32 KiB
            List<String> part = all.subList(from, Math.min(all.size(), from + 16));
            TestRig.Result r = X86JitTest.both(program(part, bits), bits, 100_000_000, rig -> { })[1].result();
            assertNotEquals(0, r.reg(X86Cpu.RBP), "the hash saw the flags: " + part);
        }
    }
}
