package dev.jemu.x86.cpu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs SSE/x87 instructions on the host's own x86-64 CPU, the oracle for results, MXCSR flags and RFLAGS:
 * builds one static program with binutils ({@code as}, {@code ld}) that, for each case, loads XMM0, XMM1, a
 * 16-byte aligned memory operand at RDI, RAX and MXCSR from a table, calls the instruction under test, and
 * writes back the state after it together with the instruction's bytes, so jemu can run exactly the same
 * bytes on the same state.
 */
final class HostOracle {
    /**
     * The state around one instruction: XMM0, XMM1 (lo, hi), 32 bytes of memory at RDI, RAX (RDX = RAX >>> 8),
     * MXCSR, RFLAGS.
     */
    record State(long x0, long x1, long y0, long y1, long m0, long m1, long m2, long m3, long rax, int mxcsr,
            long rflags) {
    }

    record Case(String insn, State in) {
    }

    record Result(byte[] code, State out) {
    }

    /** Bytes per result record and per code record (a length byte, then up to 32 instruction bytes). */
    private static final int REC = 88, CODE = 33;

    /** Whether the host can run the oracle (x86-64 with binutils). */
    static boolean available() {
        return System.getProperty("os.arch").equals("amd64") && Files.isExecutable(Path.of("/usr/bin/as"))
                && Files.isExecutable(Path.of("/usr/bin/ld"));
    }

    static List<Result> run(List<Case> cases) throws IOException, InterruptedException {
        List<String> insns = new ArrayList<>();
        StringBuilder s = new StringBuilder();
        s.append(".text\n.globl _start\n_start:\n");
        s.append("  lea table(%rip), %rbx\n  mov $").append(cases.size()).append(", %r12\n  lea out(%rip), %r13\n");
        s.append("1:\n  mov 8(%rbx), %r15\n  movdqu (%r15), %xmm0\n  movdqu 16(%r15), %xmm1\n");
        s.append("  movdqu 32(%r15), %xmm2\n  movdqa %xmm2, mem(%rip)\n  movdqu 48(%r15), %xmm2\n");
        s.append("  movdqa %xmm2, mem+16(%rip)\n  lea mem(%rip), %rdi\n");
        s.append("  mov 64(%r15), %rax\n  mov %rax, %rdx\n  shr $8, %rdx\n  ldmxcsr 72(%r15)\n  fninit\n  pushq $2\n  popfq\n  call *(%rbx)\n");
        s.append("  pushfq\n  pop %rcx\n  stmxcsr 72(%r13)\n  movdqu %xmm0, (%r13)\n  movdqu %xmm1, 16(%r13)\n");
        s.append("  movdqa mem(%rip), %xmm2\n  movdqu %xmm2, 32(%r13)\n  movdqa mem+16(%rip), %xmm2\n");
        s.append("  movdqu %xmm2, 48(%r13)\n  mov %rax, 64(%r13)\n  mov %rcx, 80(%r13)\n");
        s.append("  add $" + REC + ", %r13\n  add $16, %rbx\n  dec %r12\n  jnz 1b\n");
        s.append("  mov $1, %eax\n  mov $1, %edi\n  lea out(%rip), %rsi\n  mov $").append(REC * cases.size())
                .append(", %edx\n  syscall\n");
        s.append("  mov $1, %eax\n  mov $1, %edi\n  lea codes(%rip), %rsi\n  mov $").append(CODE * cases.size())
                .append(", %edx\n  syscall\n");
        s.append("  mov $60, %eax\n  xor %edi, %edi\n  syscall\n");
        for (Case c : cases) {
            int i = insns.indexOf(c.insn());
            if (i < 0) {
                insns.add(c.insn());
            }
        }
        for (int i = 0; i < insns.size(); i++) {
            s.append(".balign 16\nf").append(i).append(":\n  ").append(insns.get(i)).append("\ne").append(i)
                    .append(":\n  ret\n");
        }
        s.append(".skip 64, 0xcc\n");
        s.append(".data\n.balign 16\nmem: .quad 0, 0, 0, 0\ntable:\n");
        for (int k = 0; k < cases.size(); k++) {
            s.append("  .quad f").append(insns.indexOf(cases.get(k).insn())).append(", in").append(k).append('\n');
        }
        s.append("codes:\n");
        for (Case c : cases) {
            int i = insns.indexOf(c.insn());
            s.append("  .byte e").append(i).append(" - f").append(i).append('\n');
            s.append("  .quad 0, 0, 0, 0\n");
        }
        for (int k = 0; k < cases.size(); k++) {
            State in = cases.get(k).in();
            s.append("in").append(k).append(": .quad ").append(in.x0()).append(", ").append(in.x1()).append(", ")
                    .append(in.y0()).append(", ").append(in.y1()).append(", ").append(in.m0()).append(", ")
                    .append(in.m1()).append(", ").append(in.m2()).append(", ").append(in.m3()).append(", ")
                    .append(in.rax()).append(", ").append(in.mxcsr()).append('\n');
        }
        s.append(".bss\n.balign 16\nout: .skip ").append(REC * cases.size()).append('\n');
        // copy the instruction bytes into "codes" at start-up (text is readable)
        String asm = s.toString().replace("_start:\n", "_start:\n" + copyCodes(cases, insns));

        Path dir = Files.createTempDirectory("jemu-x86fp");
        try {
            Files.writeString(dir.resolve("t.s"), asm);
            exec(dir, "as", "-o", "t.o", "t.s");
            exec(dir, "ld", "-static", "-o", "t", "t.o");
            Process p = new ProcessBuilder(dir.resolve("t").toString()).redirectErrorStream(false).start();
            byte[] outBytes = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("oracle program failed: " + p.exitValue());
            }
            ByteBuffer b = ByteBuffer.wrap(outBytes).order(ByteOrder.LITTLE_ENDIAN);
            List<Result> results = new ArrayList<>();
            int codeBase = REC * cases.size();
            for (int k = 0; k < cases.size(); k++) {
                b.position(REC * k);
                State out = new State(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(),
                        b.getLong(), b.getLong(), b.getLong(), (int) b.getLong(), b.getLong());
                int len = outBytes[codeBase + CODE * k];
                if (len > CODE - 1) {
                    throw new IOException("instruction sequence too long: " + cases.get(k).insn());
                }
                byte[] code = new byte[len];
                System.arraycopy(outBytes, codeBase + CODE * k + 1, code, 0, len);
                results.add(new Result(code, out));
            }
            return results;
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    private static String copyCodes(List<Case> cases, List<String> insns) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < cases.size(); k++) {
            int i = insns.indexOf(cases.get(k).insn());
            s.append("  movdqu f").append(i).append("(%rip), %xmm0\n  movdqu %xmm0, codes+").append(CODE * k + 1)
                    .append("(%rip)\n  movdqu f").append(i).append("+16(%rip), %xmm0\n  movdqu %xmm0, codes+")
                    .append(CODE * k + 17).append("(%rip)\n");
        }
        return s.toString();
    }

    private static void exec(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }
}
