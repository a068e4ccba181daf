package dev.jemu.x86.cpu;

import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs x86 snippets on jemu's interpreter and, for 64-bit code, natively on the host CPU (the oracle for flags).
 *
 * <p>A snippet is GNU as source. It is loaded at {@link #ORG} (1 MiB) in a 4 MiB RAM; {@code buf} (4 KiB of data at ORG + 0x8000,
 * after the code) and {@code stack_top} are symbols the snippet may use. The rig appends the terminator: for jemu
 * a {@code hlt} (before the system ops exist, the #UD at that address counts as the stop), natively an epilogue that
 * dumps RAX..R15, RFLAGS and {@code buf} to stdout. Because the native program is linked at the same address
 * ({@code ld -N -Ttext}), pointers into the snippet compare equal too.
 *
 * <p>64-bit mode runs with paging on, through identity 2 MiB page tables at 0x1000 (user-accessible); 32-bit mode is flat protected mode without paging; 16-bit mode is real mode with all bases 0.
 * A fault stops the run with its vector ({@link Result#fault}, -1 when none) and rip at the faulting instruction.
 */
public final class TestRig {
    public static final long ORG = 0x100000;
    /** Where 16-bit snippets load (linked at offset 0 of a segment based here). */
    public static final long ORG16 = 0x10000;
    public static final int BUF_SIZE = 4096;
    /** The arithmetic flags and DF: what the rig compares. */
    public static final long FLAG_MASK = X86Cpu.CF | X86Cpu.PF | X86Cpu.AF | X86Cpu.ZF | X86Cpu.SF | X86Cpu.OF
            | X86Cpu.DF;

    /** Registers, flags and buf after a run. */
    public record Result(long[] regs, long rflags, byte[] buf, int fault, long rip) {
        public long reg(int n) {
            return regs[n];
        }

        public long flags() {
            return rflags & FLAG_MASK;
        }

        public long bufLong(int off) {
            long v = 0;
            for (int i = 7; i >= 0; i--) {
                v = v << 8 | (buf[off + i] & 0xff);
            }
            return v;
        }
    }

    public final VirtualClock clock = VirtualClock.instructionCount(0);
    public final GuestRam ram = new GuestRam(4 << 20);
    public final AddressSpace bus = new AddressSpace();
    public final X86Cpu cpu;
    public int fault = -1;
    private long bufAddr;
    private long endAddr;

    public TestRig() {
        bus.addRam("ram", 0, ram);
        cpu = new X86Cpu(0, bus, new AddressSpace(), new MachineLoop(clock), new Timebase(clock, 1_000_000_000L));
        cpu.faultTrap = v -> fault = v;
    }

    // ---------------------------------------------------------------- assembling

    private static final String LAYOUT = """

            .org 0x8000
            buf: .fill %d, 1, 0
            .fill 4096, 1, 0
            stack_top:
            """.formatted(BUF_SIZE);

    /** A flat binary and its symbols. */
    record Image(byte[] bin, java.util.Map<String, Long> symbols) {
        long symbol(String name) {
            Long v = symbols.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no symbol " + name);
            }
            return v;
        }
    }

    /** Assembles {@code src} at code size {@code bits} to a flat binary starting at {@link #ORG} (16-bit: at 0). */
    public static Image assemble(String src, int bits) {
        String head = switch (bits) {
            case 64 -> ".code64\n";
            case 32 -> ".code32\n";
            default -> ".code16\n";
        };
        String full = head + "_start:\n" + src + "\nrig_end: hlt\n" + LAYOUT;
        Path dir = tmpDir();
        try {
            Files.writeString(dir.resolve("t.s"), full);
            exec(dir, "as", bits == 64 ? "--64" : "--32", "-o", "t.o", "t.s");
            exec(dir, "ld", "-N", "-Ttext=0x" + Long.toHexString(bits == 16 ? 0 : ORG), bits == 64 ? "-melf_x86_64"
                    : "-melf_i386", "-o", "t.elf", "t.o");
            exec(dir, "objcopy", "-O", "binary", "t.elf", "t.bin");
            java.util.Map<String, Long> syms = new java.util.HashMap<>();
            for (String line : exec(dir, "nm", "t.elf").split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3) {
                    syms.put(f[2], Long.parseUnsignedLong(f[0], 16));
                }
            }
            return new Image(Files.readAllBytes(dir.resolve("t.bin")), syms);
        } catch (IOException e) {
            throw new RuntimeException(e);
        } finally {
            deleteAll(dir);
        }
    }

    // ---------------------------------------------------------------- running on jemu

    /** Loads and runs {@code src} in a mode of code size {@code bits} (64, 32, 16) until its end or a fault. */
    public Result run(String src, int bits) {
        load(src, bits);
        return go(10_000_000);
    }

    /** Loads {@code src} and puts the CPU in the mode, with rip at its start; registers are zero, RSP = stack_top. */
    public void load(String src, int bits) {
        Image img = assemble(src, bits);
        bus.load(bits == 16 ? ORG16 : ORG, img.bin());
        bufAddr = img.symbol("buf");
        endAddr = img.symbol("rig_end");
        cpu.reset();
        setMode(bits);
        cpu.rip = bits == 16 ? 0 : ORG;
        if (bits == 16) {
            for (int s = 0; s < 6; s++) {
                cpu.seg[s].set((int) (ORG16 >>> 4), ORG16, 0xffff, s == X86Cpu.CS ? Segment.REAL_CODE
                        : Segment.REAL_DATA);
            }
        }
        java.util.Arrays.fill(cpu.r, 0);
        long stackTop = bufAddr + BUF_SIZE + 4096;
        cpu.r[X86Cpu.RSP] = bits == 16 ? stackTop & 0xffff : stackTop;
        cpu.setRflags(2);
        fault = -1;
    }

    public void setMode(int bits) {
        int code = Segment.P | Segment.S | 0xb << Segment.TYPE_SHIFT;
        int data = Segment.P | Segment.S | 3 << Segment.TYPE_SHIFT;
        if (bits == 64) {
            // identity map of the first 1 GiB with 2 MiB pages: PML4 0x1000, PDPT 0x2000, PD 0x3000
            // user-accessible (U/S set at every level) so that snippets may also run at CPL 3
            bus.write(0x1000, 8, 0x2000 | 7);
            bus.write(0x2000, 8, 0x3000 | 7);
            for (int i = 0; i < 512; i++) {
                bus.write(0x3000 + 8L * i, 8, (long) i << 21 | 0x87);
            }
            cpu.cr3 = 0x1000;
            cpu.cr4 = X86Cpu.CR4_PAE | X86Cpu.CR4_OSFXSR;
            cpu.efer = X86Cpu.EFER_LME | X86Cpu.EFER_LMA | X86Cpu.EFER_SCE | X86Cpu.EFER_NXE;
            cpu.cr0 = X86Cpu.CR0_PE | X86Cpu.CR0_PG | X86Cpu.CR0_ET | X86Cpu.CR0_NE | X86Cpu.CR0_MP;
            cpu.seg[X86Cpu.CS].set(8, 0, 0xffffffffL, code | Segment.L | Segment.G);
            for (int s : new int[] {X86Cpu.ES, X86Cpu.SS, X86Cpu.DS, X86Cpu.FS, X86Cpu.GS}) {
                cpu.seg[s].set(16, 0, 0xffffffffL, data | Segment.DB | Segment.G);
            }
        } else if (bits == 32) {
            cpu.cr0 = X86Cpu.CR0_PE | X86Cpu.CR0_ET | X86Cpu.CR0_NE;
            cpu.seg[X86Cpu.CS].set(8, 0, 0xffffffffL, code | Segment.DB | Segment.G);
            for (int s : new int[] {X86Cpu.ES, X86Cpu.SS, X86Cpu.DS, X86Cpu.FS, X86Cpu.GS}) {
                cpu.seg[s].set(16, 0, 0xffffffffL, data | Segment.DB | Segment.G);
            }
        } else {
            cpu.cr0 = X86Cpu.CR0_ET;
        }
        cpu.updateMode();
        cpu.mmu.flushTlb();
    }

    /** Runs at most {@code max} instructions, until the terminating hlt or a fault. */
    public Result go(long max) {
        long done = 0;
        while (done < max) {
            done += cpu.run(Math.min(100_000, max - done));
            if (fault >= 0 || cpu.isHalted()) {
                break;
            }
        }
        long ripLinear = cpu.linear(X86Cpu.CS, cpu.rip);
        int f = fault;
        long end = cpu.codeBits == 16 ? ORG16 + endAddr : endAddr;
        if ((f == Vectors.UD || f == Vectors.GP && cpu.cpl > 0) && ripLinear == end) {
            f = -1; // the terminating hlt: #UD before the system ops implement it, #GP at CPL 3
        } else if (f < 0 && !(cpu.isHalted() && ripLinear == end + 1)) {
            throw new AssertionError("snippet did not reach its end: rip " + Long.toHexString(ripLinear));
        }
        byte[] buf = new byte[BUF_SIZE];
        bus.copyOut(cpu.codeBits == 16 ? ORG16 + bufAddr : bufAddr, buf, 0, BUF_SIZE);
        return new Result(cpu.r.clone(), cpu.rflags(), buf, f, cpu.rip);
    }

    /** Runs the loaded snippet again from its start in the current mode, registers as they are. */
    public Result rerun() {
        return rerun(10_000_000);
    }

    public Result rerun(long max) {
        cpu.halted = false;
        cpu.rip = cpu.codeBits == 16 ? 0 : ORG;
        fault = -1;
        return go(max);
    }

    public long bufAddr() {
        return bufAddr;
    }

    // ---------------------------------------------------------------- running natively (64-bit only)

    private static final String NATIVE_EPILOGUE = """
            native_end:
            mov %rax, dump+0(%rip)
            mov %rcx, dump+8(%rip)
            mov %rdx, dump+16(%rip)
            mov %rbx, dump+24(%rip)
            mov %rsp, dump+32(%rip)
            mov %rbp, dump+40(%rip)
            mov %rsi, dump+48(%rip)
            mov %rdi, dump+56(%rip)
            mov %r8, dump+64(%rip)
            mov %r9, dump+72(%rip)
            mov %r10, dump+80(%rip)
            mov %r11, dump+88(%rip)
            mov %r12, dump+96(%rip)
            mov %r13, dump+104(%rip)
            mov %r14, dump+112(%rip)
            mov %r15, dump+120(%rip)
            pushfq
            pop %rax
            mov %rax, dump+128(%rip)
            mov $1, %eax
            mov $1, %edi
            lea dump(%rip), %rsi
            mov $136, %edx
            syscall
            mov $1, %eax
            mov $1, %edi
            lea buf(%rip), %rsi
            mov $BUFSIZE, %edx
            syscall
            mov $60, %eax
            xor %edi, %edi
            syscall
            rig_init:
            mov $10, %eax
            mov $0x100000, %edi
            mov $0xa000, %esi
            mov $7, %edx
            syscall
            ret
            .balign 16
            dump: .fill 136, 1, 0
            """.replace("BUFSIZE", Integer.toString(BUF_SIZE));

    /**
     * The start both runNative and runSame give a snippet: rig_init (natively: make the text writable), zero
     * registers, rsp = stack_top, the arithmetic flags and DF clear. Identical bytes on both sides, so the snippet
     * sits at the same address in both.
     */
    private static final String SAME_PROLOGUE = """
            call rig_init
            lea stack_top(%rip), %rsp
            xor %eax, %eax
            push %rax
            popfq
            xor %ecx, %ecx
            xor %edx, %edx
            xor %ebx, %ebx
            xor %ebp, %ebp
            xor %esi, %esi
            xor %edi, %edi
            xor %r8d, %r8d
            xor %r9d, %r9d
            xor %r10d, %r10d
            xor %r11d, %r11d
            xor %r12d, %r12d
            xor %r13d, %r13d
            xor %r14d, %r14d
            xor %r15d, %r15d
            snippet:
            """;

    /**
     * Runs {@code src} natively on the host CPU with the same start state as {@link #load} (registers zero, RSP =
     * stack_top, RFLAGS with only bit 1... as far as user mode allows), at the same addresses.
     */
    public static Result runNative(String src) {
        // the prologue's instructions shift the snippet: jemu runs the same prologue (see runSame), so both agree
        String full = ".code64\n.globl _start\n_start:\n" + SAME_PROLOGUE + src + "\njmp rig_end\nrig_end:\n"
                + NATIVE_EPILOGUE + LAYOUT;
        return runProgram(full, 64);
    }

    /**
     * Runs {@code src} (64-bit) on jemu with the same prologue and at the same addresses as {@link #runNative}, so
     * that the two results compare register for register.
     */
    public Result runSame(String src) {
        return run(SAME_PROLOGUE + src + "\njmp rig_end\nrig_init: ret", 64);
    }

    // ---------------------------------------------------------------- 32-bit code natively (the host runs i386 ELF)

    private static final String SAME_PROLOGUE32 = """
            call rig_init
            lea stack_top, %esp
            xor %eax, %eax
            push %eax
            popfl
            xor %ecx, %ecx
            xor %edx, %edx
            xor %ebx, %ebx
            xor %ebp, %ebp
            xor %esi, %esi
            xor %edi, %edi
            snippet:
            """;

    private static final String NATIVE_EPILOGUE32 = """
            mov %eax, dump+0
            mov %ecx, dump+4
            mov %edx, dump+8
            mov %ebx, dump+12
            mov %esp, dump+16
            mov %ebp, dump+20
            mov %esi, dump+24
            mov %edi, dump+28
            pushfl
            pop %eax
            mov %eax, dump+32
            mov $4, %eax
            mov $1, %ebx
            mov $dump, %ecx
            mov $36, %edx
            int $0x80
            mov $4, %eax
            mov $1, %ebx
            mov $buf, %ecx
            mov $BUFSIZE, %edx
            int $0x80
            mov $1, %eax
            xor %ebx, %ebx
            int $0x80
            rig_init:
            mov $125, %eax
            mov $0x100000, %ebx
            mov $0xa000, %ecx
            mov $7, %edx
            int $0x80
            ret
            .balign 16
            dump: .fill 36, 1, 0
            """.replace("BUFSIZE", Integer.toString(BUF_SIZE));

    private static Boolean i386;

    /** Whether the host runs i386 programs (a kernel without IA32 emulation does not). */
    public static synchronized boolean nativeI386Works() {
        if (i386 == null) {
            try {
                i386 = runNative32("mov $1, %eax").reg(X86Cpu.RAX) == 1;
            } catch (RuntimeException | AssertionError e) {
                i386 = false;
            }
        }
        return i386;
    }

    /** {@link #runNative} for 32-bit code: EAX..EDI in regs[0..7], as an i386 Linux program. */
    public static Result runNative32(String src) {
        String full = ".code32\n.globl _start\n_start:\n" + SAME_PROLOGUE32 + src + "\njmp rig_end\nrig_end:\n"
                + NATIVE_EPILOGUE32 + LAYOUT;
        return runProgram(full, 32);
    }

    /**
     * Assembles, links at ORG and runs a whole native program whose epilogue writes the registers (8 bytes each for
     * 64-bit, 4 for 32-bit: 16 or 8 of them), RFLAGS and buf to stdout.
     */
    private static Result runProgram(String full, int bits) {
        int w = bits / 8, nregs = bits == 64 ? 16 : 8, dump = (nregs + 1) * w;
        Path dir = tmpDir();
        try {
            Files.writeString(dir.resolve("t.s"), full);
            exec(dir, "as", bits == 64 ? "--64" : "--32", "-o", "t.o", "t.s");
            // not -N (its unaligned segment does not load): rig_init makes the text writable with mprotect
            exec(dir, "ld", bits == 64 ? "-melf_x86_64" : "-melf_i386", "-Ttext=0x" + Long.toHexString(ORG), "-o",
                    "t.elf", "t.o");
            Process p = new ProcessBuilder(dir.resolve("t.elf").toString()).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0 || out.length != dump + BUF_SIZE) {
                throw new AssertionError("native " + bits + "-bit run failed: status " + p.exitValue() + ", "
                        + out.length + " bytes");
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long[] regs = new long[16];
            for (int i = 0; i < nregs; i++) {
                regs[i] = w == 8 ? b.getLong() : b.getInt() & 0xffffffffL;
            }
            long flags = w == 8 ? b.getLong() : b.getInt() & 0xffffffffL;
            return new Result(regs, flags, java.util.Arrays.copyOfRange(out, dump, out.length), -1, 0);
        } catch (IOException e) {
            throw new RuntimeException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        } finally {
            deleteAll(dir);
        }
    }

    /** {@link #runSame} for 32-bit code (flat protected mode), comparable with {@link #runNative32}. */
    public Result runSame32(String src) {
        return run(SAME_PROLOGUE32 + src + "\njmp rig_end\nrig_init: ret", 32);
    }

    // ---------------------------------------------------------------- tools

    private static Path tmpDir() {
        try {
            return Files.createTempDirectory("x86rig");
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static String exec(Path dir, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new IllegalArgumentException(String.join(" ", cmd) + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
        return out;
    }

    private static void deleteAll(Path dir) {
        try (var s = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(s.toList());
            java.util.Collections.reverse(all);
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // temp files: best effort
        }
    }
}
