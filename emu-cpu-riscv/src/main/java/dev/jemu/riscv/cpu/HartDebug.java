package dev.jemu.riscv.cpu;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.Region;

/**
 * A monitor's or debugger's view of a hart: the register dump in the layout of QEMU's {@code info registers}
 * (without the hypervisor lines: jemu has no H extension), and guest-virtual to physical translation through
 * the current {@code satp} that changes nothing (no A/D bits set, no TLB fill, no fault raised).
 */
public final class HartDebug {
    private static final String[] ABI = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1",
        "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
        "t5", "t6"};
    private static final String[] FABI = {"ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0",
        "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10",
        "fs11", "ft8", "ft9", "ft10", "ft11"};
    private static final String[][] CSRS = {{"mhartid", "f14"}, {"mstatus", "300"}, {"mip", "344"}, {"mie", "304"},
        {"mideleg", "303"}, {"medeleg", "302"}, {"mtvec", "305"}, {"stvec", "105"}, {"mepc", "341"},
        {"sepc", "141"}, {"mcause", "342"}, {"scause", "142"}, {"mtval", "343"}, {"stval", "143"},
        {"mscratch", "340"}, {"sscratch", "140"}, {"satp", "180"}};

    private HartDebug() {
    }

    /** QEMU's {@code info registers} text for this hart ({@code \n} line ends). */
    public static String registerDump(Hart h) {
        StringBuilder s = new StringBuilder("\nCPU#").append(h.hartId()).append('\n');
        s.append(String.format(" %-8s %016x\n", "pc", h.pc()));
        for (String[] c : CSRS) {
            s.append(String.format(" %-8s %016x\n", c[0], h.csr(Integer.parseInt(c[1], 16))));
        }
        appendFile(s, "x", ABI, h::reg);
        appendFile(s, "f", FABI, h::fpr);
        return s.toString();
    }

    private static void appendFile(StringBuilder s, String prefix, String[] names, java.util.function.IntToLongFunction value) {
        for (int i = 0; i < 32; i++) {
            s.append(String.format(" %-8s %016x", prefix + i + "/" + names[i], value.applyAsLong(i)));
            s.append(i % 4 == 3 ? "\n" : "");
        }
    }

    /** Register {@code name} ("pc", "sp", "a0", "x5", "mstatus", ...) for monitor expressions, or null. */
    public static Long register(Hart h, String name) {
        if (name.equals("pc")) {
            return h.pc();
        }
        for (int i = 0; i < 32; i++) {
            if (name.equals(ABI[i]) || name.equals("x" + i) || (i == 8 && name.equals("fp"))) {
                return h.reg(i);
            }
        }
        for (String[] c : CSRS) {
            if (name.equals(c[0])) {
                return h.csr(Integer.parseInt(c[1], 16));
            }
        }
        return null;
    }

    /**
     * The physical address of {@code va} for a data load at the hart's current privilege (M-mode and a bare
     * {@code satp} map it to itself), or -1 when it is not mapped. Reads page tables only.
     */
    public static long translate(Hart h, AddressSpace bus, long va) {
        long satp = h.csr(Csr.SATP);
        int mode = (int) (satp >>> 60);
        if (h.privilege() == 3 || mode == Mmu.SATP_BARE) {
            return va;
        }
        int levels = mode == Mmu.SATP_SV39 ? 3 : mode == Mmu.SATP_SV48 ? 4 : 5;
        int vaBits = 12 + 9 * levels;
        if ((va << (64 - vaBits)) >> (64 - vaBits) != va) {
            return -1;
        }
        long table = (satp & Mmu.PPN_MASK) << 12;
        for (int i = levels - 1; i >= 0; i--) {
            long pteAddr = table + ((va >>> (12 + 9 * i)) & 511) * 8;
            Region r = bus.find(pteAddr);
            if (r == null || !r.isMemory()) {
                return -1;
            }
            long pte;
            try {
                pte = r.ram().read(pteAddr - r.base(), 8);
            } catch (BusError e) {
                return -1;
            }
            if ((pte & Mmu.PTE_V) == 0 || (pte & (Mmu.PTE_R | Mmu.PTE_W)) == Mmu.PTE_W) {
                return -1;
            }
            long ppn = (pte >>> 10) & Mmu.PPN_MASK;
            if ((pte & (Mmu.PTE_R | Mmu.PTE_X)) == 0) {
                table = ppn << 12;
                continue;
            }
            long offMask = (1L << (12 + 9 * i)) - 1;
            return (ppn << 12) & ~offMask | va & offMask;
        }
        return -1;
    }
}
