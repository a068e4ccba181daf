package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The system group's test harness (until the integer core's rig lands): 4 MiB of RAM at 0, an I/O port space with a
 * recording test device at ports 0x80-0x8f, one X86Cpu, snippets assembled by the host's binutils, and descriptor
 * builders. The integer instructions the snippets need (MOV r, imm) come from {@link #ensureMovImm} when the integer
 * core has not registered them.
 */
final class SysRig {
    static final long GDT = 0x800, IDT = 0x2000, TSS = 0x3000;
    /** Identity-mapping page tables for long mode (PML4, PDPT, PD of 2 MiB pages over the 4 MiB of RAM). */
    static final long PML4 = 0x380000;
    /** Selectors of the standard GDT (Linux's 64-bit layout). */
    static final int CODE32 = 0x08, CODE64 = 0x10, DATA = 0x18, UCODE32 = 0x23, UDATA = 0x2b, UCODE64 = 0x33,
            NOT_PRESENT = 0x38, TSS_SEL = 0x40;

    final GuestRam ram = new GuestRam(4 << 20);
    final AddressSpace bus = new AddressSpace();
    final AddressSpace io = new AddressSpace();
    final VirtualClock clock = VirtualClock.instructionCount(0);
    final MachineLoop loop = new MachineLoop(clock);
    final X86Cpu c;
    /** What the guest wrote to ports 0x80-0x8f: "port=value" strings. */
    final List<String> portWrites = new ArrayList<>();
    /** What reads of ports 0x80-0x8f return: 0xa0 + the port's offset, repeated per byte. */
    final MmioDevice testDevice = new MmioDevice() {
        @Override
        public long read(long offset, int size) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (0xa0 + offset + i) << (8 * i);
            }
            return v;
        }

        @Override
        public void write(long offset, int size, long value) {
            portWrites.add(Long.toHexString(0x80 + offset) + "=" + Long.toHexString(value));
        }
    };

    SysRig() {
        ensureMovImm();
        bus.addRam("ram", 0, ram);
        io.addMmio("test", 0x80, 0x10, testDevice);
        c = new X86Cpu(0, bus, io, loop, new Timebase(clock, 1_000_000_000L));
    }

    // ---------------------------------------------------------------- integer ops the snippets use

    /** MOV r, imm (B8+r; imm64 with REX.W), registered only where the integer core has not. */
    static synchronized void ensureMovImm() {
        OpcodeTable t = Decoder.TABLE;
        if (t.get(OpcodeTable.ONE, 0xb8) != null) {
            return;
        }
        for (int i = 0; i < 8; i++) {
            int low = i;
            t.put(OpcodeTable.ONE, 0xb8 + i, d -> {
                int reg = low | (d.rex & 1) << 3;
                int size = d.opsize;
                long imm = size == 64 ? d.imm64() : size == 32 ? d.imm32() : d.imm16();
                return c -> c.setReg(reg, size, imm);
            });
        }
    }

    // ---------------------------------------------------------------- code

    /** Assembles {@code source} (GNU as syntax, with its own .code16/.code32/.code64) linked at {@code base}. */
    static byte[] assemble(String source, long base) {
        try {
            Path dir = Files.createTempDirectory("x86sys");
            try {
                Path s = dir.resolve("t.s");
                Files.writeString(s, source + "\n");
                run(dir, "as", "--64", "-o", "t.o", "t.s");
                run(dir, "ld", "-m", "elf_x86_64", "-Ttext=0x" + Long.toHexString(base), "-e", "0", "--oformat",
                        "binary", "-o", "t.bin", "t.o");
                return Files.readAllBytes(dir.resolve("t.bin"));
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.delete(p);
                    }
                }
                Files.delete(dir);
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }

    /** Assembles {@code source} at {@code base} and puts it there; returns its length. */
    int code(long base, String source) {
        byte[] b = assemble(source, base);
        bus.load(base, b);
        return b.length;
    }

    /** Puts a HLT at {@code addr} (a handler that stops the run, in any mode). */
    void hltAt(long addr) {
        bus.write(addr, 1, 0xf4);
    }

    /** A 64-bit interrupt gate for {@code vector} to a HLT at {@code at}. */
    void haltOn64(int vector, long at) {
        gate64(vector, at, 0xe, 0, 0);
        hltAt(at);
    }

    /** A 32-bit interrupt gate for {@code vector} to a HLT at {@code at}. */
    void haltOn32(int vector, long at) {
        gate32(vector, at, 0xe, 0, true);
        hltAt(at);
    }

    /** The ring-0 stack of the TSS: RSP0 in long mode, SS0:ESP0 (the flat data segment) otherwise. */
    void rsp0(long sp) {
        if ((c.efer & X86Cpu.EFER_LMA) != 0) {
            bus.write(TSS + 4, 8, sp);
        } else {
            bus.write(TSS + 4, 4, sp);
            bus.write(TSS + 8, 2, DATA);
        }
    }

    /** Runs until the CPU halts (HLT or a triple fault); fails after {@code max} instructions. */
    void runToHalt(long max) {
        long n = 0;
        while (!c.halted) {
            long done = c.run(1000);
            n += done;
            assertTrue(n < max || c.halted, "no HLT after " + n + " instructions, rip=" + Long.toHexString(c.rip));
            if (done == 0 && !c.halted) {
                throw new AssertionError("the CPU made no progress at rip=" + Long.toHexString(c.rip));
            }
        }
    }

    /** Resumes after a HLT (as an interrupt or a debugger would). */
    void resume() {
        c.halted = false;
    }

    long read64(long a) {
        return bus.read(a, 8);
    }

    long read32(long a) {
        return bus.read(a, 4);
    }

    // ---------------------------------------------------------------- descriptors

    /** A code/data descriptor: type (4 bits), S=1, DPL, P, and flags L, D/B, G. */
    static long segment(long base, long limit, int type, int dpl, boolean present, boolean l, boolean db, boolean g) {
        long d = limit & 0xffff | (limit >>> 16 & 0xf) << 48;
        d |= (base & 0xffffff) << 16 | (base >>> 24 & 0xff) << 56;
        d |= (long) type << 40 | 1L << 44 | (long) dpl << 45 | (present ? 1L << 47 : 0);
        d |= (l ? 1L << 53 : 0) | (db ? 1L << 54 : 0) | (g ? 1L << 55 : 0);
        return d;
    }

    static long code32(int dpl) {
        return segment(0, 0xfffff, 0xa, dpl, true, false, true, true);
    }

    static long code64(int dpl) {
        return segment(0, 0xfffff, 0xa, dpl, true, true, false, true);
    }

    static long data(int dpl) {
        return segment(0, 0xfffff, 0x2, dpl, true, false, true, true);
    }

    /** A system descriptor's low 8 bytes (TSS, LDT, gates' segment form). */
    static long system(long base, long limit, int type, int dpl) {
        long d = limit & 0xffff | (limit >>> 16 & 0xf) << 48;
        d |= (base & 0xffffff) << 16 | (base >>> 24 & 0xff) << 56;
        return d | (long) type << 40 | (long) dpl << 45 | 1L << 47;
    }

    /** Writes the standard GDT (and a TSS descriptor of {@code tssType}: 9 for 32/64-bit) and loads GDTR. */
    void gdt(boolean longMode) {
        long[] g = {0, code32(0), code64(0), data(0), code32(3), data(3), code64(3),
            segment(0, 0xfffff, 2, 0, false, false, true, true), system(TSS, 0x67 + 0x2000 / 8 + 1, 9, 0), 0};
        for (int i = 0; i < g.length; i++) {
            bus.write(GDT + i * 8L, 8, g[i]);
        }
        c.gdtBase = GDT;
        c.gdtLimit = g.length * 8 - 1;
    }

    /** A 64-bit interrupt (type 0xe) or trap (0xf) gate at vector {@code v}. */
    void gate64(int v, long target, int type, int dpl, int ist) {
        long lo = target & 0xffff | (long) CODE64 << 16 | (long) ist << 32 | (long) type << 40 | (long) dpl << 45
                | 1L << 47 | (target >>> 16 & 0xffff) << 48;
        bus.write(IDT + v * 16L, 8, lo);
        bus.write(IDT + v * 16L + 8, 8, target >>> 32);
    }

    /** A 32-bit interrupt/trap gate at vector {@code v} into CODE32. */
    void gate32(int v, long target, int type, int dpl, boolean present) {
        long lo = target & 0xffff | (long) CODE32 << 16 | (long) type << 40 | (long) dpl << 45
                | (present ? 1L << 47 : 0) | (target >>> 16 & 0xffff) << 48;
        bus.write(IDT + v * 8L, 8, lo);
    }

    /** Loads {@code sreg} from the GDT's descriptor (what a boot loader's state hands over). */
    void load(int sreg, int sel) {
        long raw = bus.read(GDT + (sel & ~7), 8);
        Descriptors.load(c.seg[sreg], sel, raw);
    }

    /** The standard identity map ({@link #identityMap}) at {@link #PML4}; returns the CR3 value. */
    long identityPageTables() {
        identityMap(PML4);
        return PML4;
    }

    /** 64-bit mode at {@code cpl} with the standard GDT, the IDT (256 vectors) and TR loaded, RAM mapped 1:1. */
    void longMode(int cpl) {
        gdt(true);
        c.cr3 = identityPageTables();
        c.cr0 = X86Cpu.CR0_PE | X86Cpu.CR0_PG | X86Cpu.CR0_ET;
        c.cr4 = X86Cpu.CR4_PAE;
        c.efer = X86Cpu.EFER_LME | X86Cpu.EFER_LMA;
        c.mmu.flushTlb();
        load(X86Cpu.CS, cpl == 0 ? CODE64 : UCODE64);
        for (int s : new int[] {X86Cpu.DS, X86Cpu.ES, X86Cpu.SS}) {
            load(s, cpl == 0 ? DATA : UDATA);
        }
        c.idtBase = IDT;
        c.idtLimit = 256 * 16 - 1;
        ControlOps.ltr(c, TSS_SEL);
        c.cpl = cpl;
        c.updateMode();
        c.mmu.flushTlb();
    }

    /** Identity-maps (tables at {@code pml4}) the first 1 GiB with user-accessible, writable 2 MiB pages (long mode pages). */
    void identityMap(long pml4) {
        bus.write(pml4, 8, pml4 + 0x1000 | 7);
        bus.write(pml4 + 0x1000, 8, pml4 + 0x2000 | 7);
        for (int i = 0; i < 512; i++) {
            bus.write(pml4 + 0x2000 + 8L * i, 8, (long) i << 21 | 0x87);
        }
    }

    /** 32-bit protected mode at {@code cpl}, no paging. */
    void protectedMode(int cpl) {
        gdt(false);
        c.cr0 = X86Cpu.CR0_PE | X86Cpu.CR0_ET;
        load(X86Cpu.CS, cpl == 0 ? CODE32 : UCODE32);
        for (int s : new int[] {X86Cpu.DS, X86Cpu.ES, X86Cpu.SS}) {
            load(s, cpl == 0 ? DATA : UDATA);
        }
        c.idtBase = IDT;
        c.idtLimit = 256 * 8 - 1;
        ControlOps.ltr(c, TSS_SEL);
        c.cpl = cpl;
        c.updateMode();
    }
}
