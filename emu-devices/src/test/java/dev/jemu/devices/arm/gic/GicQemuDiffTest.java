package dev.jemu.devices.arm.gic;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.memory.MmioDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One list of register accesses, run twice: as a bare-metal A64 program on {@code qemu-system-aarch64 -M virt}
 * (QEMU 7.2, GICv2 or GICv3 at virt's addresses; the program prints every value read on the PL011 and exits
 * through semihosting) and on the model. Every read must agree. Skipped where QEMU or binutils is missing.
 */
class GicQemuDiffTest {
    static final long GICD = 0x0800_0000L, GICC = 0x0801_0000L, GICR = 0x080a_0000L, SGI = GICR + 0x10000;

    /** kind: r/w MMIO of size bytes at addr, R/W a system register (addr = key). */
    record Op(char kind, int size, long addr, long value, long ignore) {
        Op(char kind, int size, long addr, long value) {
            this(kind, size, addr, value, 0);
        }
    }

    final List<Op> ops = new ArrayList<>();

    void r(int size, long addr) {
        ops.add(new Op('r', size, addr, 0));
    }

    void w(int size, long addr, long value) {
        ops.add(new Op('w', size, addr, value));
    }

    void mrs(int key) {
        ops.add(new Op('R', 8, key, 0));
    }

    /** SPI 33's input: on QEMU the PL011's TX interrupt (raw TX status is set, so UARTIMSC.TXIM drives it). */
    void line33(boolean high) {
        ops.add(new Op('L', 4, 33, high ? 1 : 0));
    }

    void msr(int key, long value) {
        ops.add(new Op('W', 8, key, value));
    }

    @TempDir
    Path dir;

    static boolean have(String tool) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String sysreg(long key) {
        return "S" + (key >>> 14 & 3) + "_" + (key >>> 11 & 7) + "_C" + (key >>> 7 & 15) + "_C" + (key >>> 3 & 15)
                + "_" + (key & 7);
    }

    String program() {
        StringBuilder s = new StringBuilder(".global _start\n_start:\n  ldr x1, =0x40100000\n"
                + "  ldr x4, =0x09000000\n  mov w0, #10\n  str w0, [x4]\n"); // a newline out: PL011 TX raw status
        for (Op op : ops) {
            String reg = op.size == 8 ? "x0" : "w0";
            String suffix = op.size == 1 ? "b" : op.size == 2 ? "h" : "";
            switch (op.kind) {
                case 'r' -> s.append("  ldr x4, =").append(op.addr).append("\n  ldr").append(suffix).append(' ')
                        .append(reg).append(", [x4]\n  str x0, [x1], #8\n");
                case 'w' -> s.append("  ldr x4, =").append(op.addr).append("\n  ldr x0, =").append(op.value)
                        .append("\n  str").append(suffix).append(' ').append(reg).append(", [x4]\n");
                case 'R' -> s.append("  mrs x0, ").append(sysreg(op.addr)).append("\n  str x0, [x1], #8\n");
                case 'L' -> s.append("  ldr x4, =0x09000038\n  mov w0, #").append(op.value * 0x20)
                        .append("\n  str w0, [x4]\n");
                default -> s.append("  ldr x0, =").append(op.value).append("\n  msr ").append(sysreg(op.addr))
                        .append(", x0\n");
            }
        }
        s.append("""
                  ldr x2, =0x40100000
                  ldr x3, =0x09000000
                next:
                  cmp x2, x1
                  b.eq done
                  ldr x5, [x2], #8
                  mov x6, #60
                digit:
                  lsr x7, x5, x6
                  and x7, x7, #0xf
                  add x8, x7, #48
                  add x9, x7, #87
                  cmp x7, #10
                  csel x8, x8, x9, lt
                  strb w8, [x3]
                  subs x6, x6, #4
                  b.ge digit
                  mov w8, #10
                  strb w8, [x3]
                  b next
                done:
                  mov x0, #0x18
                  adr x1, exit_block
                  hlt #0xf000
                  b .
                  .balign 8
                exit_block:
                  .quad 0x20026, 0
                """);
        return s.toString();
    }

    List<Long> runQemu(int version) throws Exception {
        return runQemu(version, 1);
    }

    /** The program runs on CPU 0; the others stay powered off (PSCI) but have their banks and frames. */
    List<Long> runQemu(int version, int cpus) throws Exception {
        assumeTrue(have("qemu-system-aarch64") && have("aarch64-linux-gnu-as") && have("aarch64-linux-gnu-ld"),
                "qemu-system-aarch64 and binutils-aarch64-linux-gnu are needed");
        Path src = dir.resolve("probe.S"), obj = dir.resolve("probe.o"), elf = dir.resolve("probe.elf");
        Files.writeString(src, program());
        exec("aarch64-linux-gnu-as", src.toString(), "-o", obj.toString());
        exec("aarch64-linux-gnu-ld", "-Ttext=0x40080000", obj.toString(), "-o", elf.toString());
        Process p = new ProcessBuilder("qemu-system-aarch64", "-M", "virt,gic-version=" + version, "-cpu",
                "cortex-a57", "-smp", Integer.toString(cpus), "-display", "none", "-monitor", "none", "-serial", "stdio", "-semihosting",
                "-kernel", elf.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "QEMU did not exit");
        String out = new String(p.getInputStream().readAllBytes());
        List<Long> values = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.strip().matches("[0-9a-f]{16}")) {
                values.add(Long.parseUnsignedLong(line.strip(), 16));
            }
        }
        assertEquals(ops.stream().filter(o -> o.kind == 'r' || o.kind == 'R').count(), values.size(), out);
        return values;
    }

    void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    interface Bus {
        MmioDevice window(long addr);

        long base(long addr);
    }

    List<Long> runModel(Bus bus, Gic gic, GicV3CpuInterface icc) {
        List<Long> values = new ArrayList<>();
        var line33 = gic.spi(33);
        for (Op op : ops) {
            switch (op.kind) {
                case 'r' -> values.add(bus.window(op.addr).read(op.addr - bus.base(op.addr), op.size));
                case 'w' -> bus.window(op.addr).write(op.addr - bus.base(op.addr), op.size, op.value);
                case 'R' -> values.add(icc.read((int) op.addr));
                case 'L' -> line33.set(op.value != 0);
                default -> icc.write((int) op.addr, op.value);
            }
        }
        return values;
    }

    void compare(List<Long> qemu, List<Long> model) {
        List<String> diffs = new ArrayList<>();
        int k = 0;
        for (Op op : ops) {
            if (op.kind == 'r' || op.kind == 'R') {
                if ((qemu.get(k) & ~op.ignore) != (model.get(k) & ~op.ignore)) {
                    diffs.add(String.format("read %d (%c 0x%x): qemu 0x%x, model 0x%x", k, op.kind, op.addr,
                            qemu.get(k), model.get(k)));
                }
                k++;
            }
        }
        assertTrue(diffs.isEmpty(), String.join("\n", diffs));
    }

    /** A level-sensitive SPI: pending while its line is high, and after it drops? (GICv2 CPU interface) */
    void levelSequence(long gicd, long gicc) {
        for (int k = 0; k < 16; k += 4) {
            w(4, gicd + 0xf10 + k, 0xffffffffL); // no SGI left pending
        }
        w(4, gicd + 0x280, 0xffffffffL);
        w(4, gicc, 0x201);
        w(4, gicc, 1);
        w(4, gicd + 0x84, 0);
        w(4, gicd + 0xc08, 0);
        w(1, gicd + 0x421, 0x60);
        w(4, gicd + 0x104, 1 << 1);
        r(4, gicd + 0x204);
        line33(true);
        r(4, gicd + 0x204);
        r(4, gicc + 0x18);
        line33(false);
        r(4, gicd + 0x204);
        r(4, gicc + 0x18);
        line33(true);
        r(4, gicc + 0x0c);
        r(4, gicd + 0x204);
        r(4, gicd + 0x304);
        line33(false);
        r(4, gicd + 0x204);
        w(4, gicc + 0x10, 33);
        r(4, gicd + 0x204);
        r(4, gicc + 0x0c);
        w(4, gicd + 0x184, 1 << 1);
        line33(true);
        line33(false);
        w(4, gicd + 0x104, 1 << 1);
        r(4, gicd + 0x204);
    }

    @Test
    void gicV2MatchesQemu() throws Exception {
        int[] regs = {0x0, 0x4, 0x8, 0x80, 0x100, 0x104, 0x180, 0x200, 0x280, 0x300, 0x400, 0x800, 0xc00, 0xc04,
                0xc08, 0xf10, 0xf20, 0xfd0, 0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc};
        for (int off : regs) {
            r(4, GICD + off);
        }
        for (int off : new int[] {0x0, 0x4, 0x8, 0x14, 0x18, 0x1c, 0xd0, 0xe0, 0xfc}) {
            r(4, GICC + off);
        }
        w(4, GICC, 0xffffffffL);
        r(4, GICC);
        w(4, GICC, 1);
        w(4, GICC + 4, 0xffffffffL);
        r(4, GICC + 4);
        w(4, GICC + 8, 0xffffffffL);
        r(4, GICC + 8);
        w(4, GICC + 8, 0);
        w(4, GICC + 0x1c, 0);
        r(4, GICC + 0x1c);
        w(4, GICD, 3);
        r(4, GICD);
        w(4, GICD, 1);
        w(4, GICD + 0x200, 0xffffffffL); // SGIs WI, PPIs pend
        r(4, GICD + 0x200);
        w(4, GICD + 0x280, 0xffffffffL);
        w(4, GICD + 0xf00, 0x02000003); // SGI 3 to myself
        r(4, GICD + 0x200);
        r(1, GICD + 0xf23);
        r(4, GICC + 0x18);
        r(4, GICC + 0x0c);
        r(4, GICC + 0x14);
        r(4, GICC + 0xd0);
        w(4, GICC + 0x10, 3);
        r(4, GICC + 0x14);
        w(4, GICD + 0xc04, 0xffffffffL);
        r(4, GICD + 0xc04);
        w(4, GICD + 0xc00, 0);
        r(4, GICD + 0xc00);
        // an SPI: priority, edge, enable, set pending, take it, nested SGI above it
        w(1, GICD + 0x428, 0xa8);
        r(1, GICD + 0x428);
        r(2, GICD + 0x428);
        w(4, GICD + 0xc08, 2 << 16);
        r(4, GICD + 0xc08);
        w(4, GICD + 0x104, 1 << 8);
        w(4, GICD + 0x204, 1 << 8);
        w(4, GICC + 8, 3);
        r(4, GICC + 0x18);
        r(4, GICC + 0x0c);
        r(4, GICC + 0x14);
        r(4, GICD + 0x304);
        r(4, GICD + 0x204);
        w(1, GICD + 0x405, 0x10);
        w(4, GICD + 0xf00, 0x02000005);
        r(4, GICC + 0x18);
        r(4, GICC + 0x0c);
        r(4, GICC + 0x14);
        r(4, GICC + 0xd0);
        r(4, GICC + 0xd4);
        w(4, GICC + 0x10, 5);
        r(4, GICC + 0x14);
        w(4, GICC + 0x10, 40);
        r(4, GICC + 0x14);
        r(4, GICD + 0x304);
        r(4, GICC + 0x0c);
        // EOImode split and DIR
        w(4, GICC, 0x201);
        r(4, GICC);
        w(4, GICD + 0x204, 1 << 8);
        r(4, GICC + 0x0c);
        w(4, GICC + 0x10, 40);
        r(4, GICC + 0x14);
        r(4, GICD + 0x304);
        w(4, GICC + 0x1000, 40);
        r(4, GICD + 0x304);
        // group 1: 1022 without AckCtl, then with it
        w(4, GICD + 0x84, 1 << 8);
        r(4, GICD + 0x84);
        w(4, GICD + 0x204, 1 << 8);
        r(4, GICC + 0x18);
        r(4, GICC + 0x0c);
        w(4, GICC, 0x207);
        r(4, GICC + 0x0c);
        r(4, GICC + 0x14);
        r(4, GICC + 0xe0);
        r(4, GICC + 0xe4);
        w(4, GICC + 0x10, 40);
        w(4, GICC + 0x1000, 40);
        r(4, GICD + 0x304);
        w(4, GICD + 0xf20, 0xffffffffL);
        r(4, GICD + 0xf20);
        w(4, GICD + 0xf10, 0x0f0f0f0fL);
        r(4, GICD + 0xf10);
        w(4, GICD + 0x180, 0xffffffffL);
        r(4, GICD + 0x100);
        w(4, GICD + 0x800, 0xffffffffL);
        r(4, GICD + 0x828);
        levelSequence(GICD, GICC);
        List<Long> qemu = runQemu(2);
        List<Long> level = qemu.subList(qemu.size() - 12, qemu.size());
        assertEquals(List.of(0L, 2L, 33L, 0L, 1023L, 33L, 2L, 2L, 0L, 0L, 1023L, 0L), level,
                "QEMU's PL011 drove SPI 33 and a level interrupt follows its line");
        GicV2 gic = new GicV2(1, 256);
        MmioDevice d = gic.distributor(), c = gic.cpuInterface(0);
        compare(qemu, runModel(new Bus() {
            public MmioDevice window(long a) {
                return a >= GICC ? c : d;
            }

            public long base(long a) {
                return a >= GICC ? GICC : GICD;
            }
        }, gic, null));
    }

    @Test
    void gicV3MatchesQemu() throws Exception {
        // GICD_TYPER.LPIS: QEMU's virt has an ITS, this GIC has no LPIs (a known difference)
        ops.add(new Op('r', 4, GICD + 4, 0, 1 << 17));
        for (int off : new int[] {0x0, 0x8, 0xc, 0x10, 0x80, 0x84, 0x100, 0x104, 0x400, 0x420, 0x800, 0xc00,
                0xc08, 0xd00, 0xffd0, 0xffe0, 0xffe4, 0xffe8, 0xffec, 0xfff0, 0xfff4, 0xfff8, 0xfffc}) {
            r(4, GICD + off);
        }
        for (int off : new int[] {0x4, 0x14, 0xffd0, 0xffe0, 0xffe4, 0xffe8, 0xfff0}) {
            r(4, GICR + off);
        }
        for (int off : new int[] {0x80, 0x100, 0x200, 0x300, 0x400, 0x41c, 0xc00, 0xc04, 0xd00}) {
            r(4, SGI + off);
        }
        int ctlr = GicV3CpuInterface.ICC_CTLR_EL1, pmr = GicV3CpuInterface.ICC_PMR_EL1,
                bpr0 = GicV3CpuInterface.ICC_BPR0_EL1, bpr1 = GicV3CpuInterface.ICC_BPR1_EL1,
                iar1 = GicV3CpuInterface.ICC_IAR1_EL1, eoir1 = GicV3CpuInterface.ICC_EOIR1_EL1,
                hppir1 = GicV3CpuInterface.ICC_HPPIR1_EL1, rpr = GicV3CpuInterface.ICC_RPR_EL1,
                ap1r0 = GicV3CpuInterface.ICC_AP1R0_EL1, dir = GicV3CpuInterface.ICC_DIR_EL1,
                igrpen1 = GicV3CpuInterface.ICC_IGRPEN1_EL1, sgi1r = GicV3CpuInterface.ICC_SGI1R_EL1;
        for (int key : new int[] {ctlr, pmr, bpr0, bpr1, GicV3CpuInterface.ICC_SRE_EL1, rpr, hppir1,
                GicV3CpuInterface.ICC_HPPIR0_EL1, GicV3CpuInterface.ICC_IGRPEN0_EL1, igrpen1, ap1r0,
                GicV3CpuInterface.ICC_AP0R0_EL1}) {
            mrs(key);
        }
        msr(pmr, 0xff);
        mrs(pmr);
        msr(bpr0, 0);
        mrs(bpr0);
        msr(bpr1, 0);
        mrs(bpr1);
        msr(ctlr, 0x12345679L);
        mrs(ctlr);
        mrs(bpr1);
        msr(ctlr, 0);
        w(4, GICR + 0x14, 0);
        r(4, GICR + 0x14);
        w(4, GICR + 0x14, 0xffffffffL);
        r(4, GICR + 0x14);
        w(4, GICR + 0x14, 0);
        w(4, GICD, 0x13);
        r(4, GICD);
        w(4, GICD + 0x84, 0xffffffffL);
        r(4, GICD + 0x84);
        w(4, GICD + 0x80, 0xffffffffL);
        r(4, GICD + 0x80);
        w(4, SGI + 0x80, 0xffffffffL);
        r(4, SGI + 0x80);
        w(4, SGI + 0xc04, 0xffffffffL);
        r(4, SGI + 0xc04);
        w(4, SGI + 0xc00, 0);
        r(4, SGI + 0xc00);
        w(4, GICD + 0xc08, 0xffffffffL);
        r(4, GICD + 0xc08);
        w(4, GICD + 0xc08, 0);
        w(8, GICD + 0x6140, -1L);
        r(8, GICD + 0x6140);
        r(4, GICD + 0x6144);
        w(8, GICD + 0x6140, 0);
        r(1, GICD + 0x104);
        // SPI 40 at 0xa8 pended by software, taken, nested SGI 5 at 0x10 above it
        w(1, GICD + 0x428, 0xa8);
        r(1, GICD + 0x428);
        w(4, GICD + 0x104, 1 << 8);
        w(4, GICD + 0x204, 1 << 8);
        msr(pmr, 0xf0);
        msr(igrpen1, 1);
        mrs(hppir1);
        mrs(iar1);
        mrs(rpr);
        mrs(ap1r0);
        r(4, GICD + 0x304);
        w(1, SGI + 0x405, 0x10);
        w(4, SGI + 0x100, 1 << 5);
        msr(sgi1r, 5L << 24 | 1);
        r(4, SGI + 0x200);
        mrs(hppir1);
        mrs(iar1);
        mrs(rpr);
        mrs(ap1r0);
        msr(eoir1, 5);
        mrs(rpr);
        msr(eoir1, 40);
        mrs(rpr);
        r(4, GICD + 0x304);
        r(4, SGI + 0x300);
        mrs(iar1);
        // EOImode split and DIR
        msr(ctlr, 2);
        w(4, GICD + 0x204, 1 << 8);
        mrs(iar1);
        msr(eoir1, 40);
        mrs(rpr);
        r(4, GICD + 0x304);
        msr(dir, 40);
        r(4, GICD + 0x304);
        // group 0 seen through the group 1 registers: spurious
        w(4, GICD + 0x84, ~(1 << 8));
        w(4, GICD + 0x204, 1 << 8);
        mrs(hppir1);
        mrs(GicV3CpuInterface.ICC_HPPIR0_EL1);
        mrs(iar1);
        msr(GicV3CpuInterface.ICC_IGRPEN0_EL1, 1);
        mrs(GicV3CpuInterface.ICC_HPPIR0_EL1);
        mrs(GicV3CpuInterface.ICC_IAR0_EL1);
        mrs(rpr);
        r(4, GICD + 0x304);
        r(4, GICD + 0x204);
        r(4, GICD);
        w(4, GICD + 0x284, 1 << 8);
        // a level-sensitive SPI through the system register interface
        msr(GicV3CpuInterface.ICC_CTLR_EL1, 0);
        w(1, GICD + 0x421, 0x60);
        w(4, GICD + 0x104, 1 << 1);
        line33(true);
        r(4, GICD + 0x204);
        mrs(hppir1);
        line33(false);
        r(4, GICD + 0x204);
        mrs(hppir1);
        line33(true);
        mrs(iar1);
        r(4, GICD + 0x204);
        line33(false);
        r(4, GICD + 0x204);
        msr(eoir1, 33);
        r(4, GICD + 0x304);
        mrs(iar1);
        // (40, taken through ICC_IAR0_EL1 above, stays active)
        List<Long> qemu = runQemu(3);
        assertEquals(List.of(2L, 33L, 0L, 1023L, 33L, 2L, 0L, 1L << 8, 1023L), qemu.subList(qemu.size() - 9, qemu.size()),
                "QEMU's PL011 drove SPI 33 and a level interrupt follows its line");
        GicV3 gic = new GicV3(1, 256);
        MmioDevice d = gic.distributor(), rd = gic.redistributors();
        compare(qemu, runModel(new Bus() {
            public MmioDevice window(long a) {
                return a >= GICR ? rd : d;
            }

            public long base(long a) {
                return a >= GICR ? GICR : GICD;
            }
        }, gic, gic.cpuInterface(0)));
    }

    @Test
    void twoCpusMatchQemu() throws Exception {
        for (int off : new int[] {0x4, 0x800, 0x804, 0x81c, 0x828}) {
            r(4, GICD + off);
        }
        w(1, GICD + 0x828, 2);
        r(4, GICD + 0x828);
        w(4, GICD + 0x800, 0);
        r(4, GICD + 0x800);
        w(4, GICD, 1);
        w(4, GICD + 0xf00, 0x00020004); // SGI 4 to CPU 1 only
        r(4, GICD + 0x200);
        w(4, GICD + 0xf00, 0x01000006); // SGI 6 to the others (CPU 1)
        r(4, GICD + 0x200);
        w(4, GICD + 0xf00, 0x02000007); // SGI 7 to myself
        r(4, GICD + 0x200);
        r(1, GICD + 0xf27);
        List<Long> qemu = runQemu(2, 2);
        GicV2 gic = new GicV2(2, 256);
        MmioDevice d = gic.distributor(), c = gic.cpuInterface(0);
        compare(qemu, runModel(new Bus() {
            public MmioDevice window(long a) {
                return a >= GICC ? c : d;
            }

            public long base(long a) {
                return a >= GICC ? GICC : GICD;
            }
        }, gic, null));

        ops.clear();
        r(8, GICR + 0x8);
        r(8, GICR + 0x20000 + 0x8);
        r(4, GICR + 0x20000 + 0x14);
        w(4, GICR + 0x20000 + 0x14, 0);
        r(4, GICR + 0x20000 + 0x14);
        w(4, GICR + 0x20000 + 0x10000 + 0x80, 0xffffffffL);
        w(4, GICR + 0x10000 + 0x80, 0xffffffffL);
        msr(GicV3CpuInterface.ICC_SGI1R_EL1, 9L << 24 | 2); // SGI 9 to Aff0 = 1
        r(4, GICR + 0x20000 + 0x10000 + 0x200);
        r(4, GICR + 0x10000 + 0x200);
        msr(GicV3CpuInterface.ICC_SGI1R_EL1, 10L << 24 | 1L << 40); // SGI 10 to the others
        r(4, GICR + 0x20000 + 0x10000 + 0x200);
        r(4, GICR + 0x10000 + 0x200);
        msr(GicV3CpuInterface.ICC_SGI1R_EL1, 11L << 24 | 3); // SGI 11 to both
        r(4, GICR + 0x20000 + 0x10000 + 0x200);
        r(4, GICR + 0x10000 + 0x200);
        List<Long> qemu3 = runQemu(3, 2);
        GicV3 gic3 = new GicV3(2, 256);
        MmioDevice d3 = gic3.distributor(), rd = gic3.redistributors();
        for (Op op : ops) {
            if (op.kind == 'r' && op.size == 8) { // GICR_TYPER.PLPIS: QEMU has LPIs
                ops.set(ops.indexOf(op), new Op('r', 8, op.addr, 0, 1));
            }
        }
        compare(qemu3, runModel(new Bus() {
            public MmioDevice window(long a) {
                return a >= GICR ? rd : d3;
            }

            public long base(long a) {
                return a >= GICR ? GICR : GICD;
            }
        }, gic3, gic3.cpuInterface(0)));
    }
}
