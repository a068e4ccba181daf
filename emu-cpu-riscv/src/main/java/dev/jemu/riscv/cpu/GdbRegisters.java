package dev.jemu.riscv.cpu;

import java.util.ArrayList;
import java.util.List;

/**
 * The riscv64 target description gdb reads ({@code qXfer:features:read}) and its register numbering, as QEMU
 * 7.2's riscv64 stub has them: x0-x31 (0-31, GDB's ABI names), pc (32), f0-f31 (33-64, 64 bits: D), the
 * virtual register priv (65), then each CSR at 66 + its number in {@code org.gnu.gdb.riscv.csr}. The CSR
 * feature lists QEMU's set where jemu implements the CSR, and fflags/frm/fcsr (QEMU reads them at the same
 * numbers but leaves them out of its list) and Sstc's stimecmp.
 */
final class GdbRegisters {
    static final int PC = 32, FIRST_FPR = 33, PRIV = 65, FIRST_CSR = 66;
    /** The {@code g} packet: x0-x31 and pc, as QEMU's. */
    static final int GENERAL = 33;

    private static final String[] X = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2",
        "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5",
        "t6"};
    private static final String[] F = {"ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0",
        "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10",
        "fs11", "ft8", "ft9", "ft10", "ft11"};
    /** CSRs by name and number, in number order; ranges NAME3-31 etc. are expanded. */
    private static final String CSRS = "fflags 001;frm 002;fcsr 003;sstatus 100;sie 104;stvec 105;scounteren 106;"
            + "senvcfg 10a;sscratch 140;sepc 141;scause 142;stval 143;sip 144;stimecmp 14d;satp 180;mstatus 300;"
            + "misa 301;medeleg 302;mideleg 303;mie 304;mtvec 305;mcounteren 306;menvcfg 30a;mcountinhibit 320;"
            + "mhpmevent* 323 3 31;mscratch 340;mepc 341;mcause 342;mtval 343;mip 344;pmpcfg* 3a0 0 3;"
            + "pmpaddr* 3b0 0 15;tselect 7a0;tdata1 7a1;tdata2 7a2;tdata3 7a3;tinfo 7a4;mcycle b00;minstret b02;"
            + "mhpmcounter* b03 3 18;mvendorid f11;marchid f12;mimpid f13;mhartid f14;mconfigptr f15";

    private GdbRegisters() {
    }

    record Csr(String name, int number) {
    }

    static List<Csr> allCsrs() {
        List<Csr> out = new ArrayList<>();
        for (String e : CSRS.split(";")) {
            String[] f = e.split(" ");
            int num = Integer.parseInt(f[1], 16);
            if (f[0].endsWith("*")) {
                String base = f[0].substring(0, f[0].length() - 1);
                for (int i = Integer.parseInt(f[2]); i <= Integer.parseInt(f[3]); i++) {
                    out.add(new Csr(base + i, num++));
                }
            } else {
                out.add(new Csr(f[0], num));
            }
        }
        return out;
    }

    static String targetXml() {
        return "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target>"
                + "<architecture>riscv:rv64</architecture><xi:include href=\"riscv-64bit-cpu.xml\"/>"
                + "<xi:include href=\"riscv-64bit-fpu.xml\"/><xi:include href=\"riscv-64bit-virtual.xml\"/>"
                + "<xi:include href=\"riscv-csr.xml\"/></target>";
    }

    static String cpuXml() {
        StringBuilder s = feature("org.gnu.gdb.riscv.cpu");
        for (int i = 0; i < 32; i++) {
            String type = i == 1 ? "code_ptr" : i >= 2 && i <= 4 || i == 8 ? "data_ptr" : "int";
            reg(s, X[i], type, -1);
        }
        reg(s, "pc", "code_ptr", -1);
        return s.append("</feature>\n").toString();
    }

    static String fpuXml() {
        StringBuilder s = feature("org.gnu.gdb.riscv.fpu");
        s.append("  <union id=\"riscv_double\">\n    <field name=\"float\" type=\"ieee_single\"/>\n"
                + "    <field name=\"double\" type=\"ieee_double\"/>\n  </union>\n");
        for (String f : F) {
            reg(s, f, "riscv_double", -1);
        }
        return s.append("</feature>\n").toString();
    }

    static String virtualXml() {
        StringBuilder s = feature("org.gnu.gdb.riscv.virtual");
        reg(s, "priv", null, -1);
        return s.append("</feature>\n").toString();
    }

    /** The CSR feature: the CSRs of {@link #CSRS} that {@code h} implements. */
    static String csrXml(Hart h) {
        StringBuilder s = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE feature SYSTEM \"gdb-target.dtd\">"
                + "<feature name=\"org.gnu.gdb.riscv.csr\">");
        for (Csr c : allCsrs()) {
            if (implemented(h, c.number())) {
                s.append("<reg name=\"").append(c.name()).append("\" bitsize=\"64\" regnum=\"")
                        .append(FIRST_CSR + c.number()).append("\"/>");
            }
        }
        return s.append("</feature>").toString();
    }

    static boolean implemented(Hart h, int csr) {
        try {
            h.csr(csr);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static StringBuilder feature(String name) {
        return new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n<feature name=\"")
                .append(name).append("\">\n");
    }

    private static void reg(StringBuilder s, String name, String type, int regnum) {
        s.append("  <reg name=\"").append(name).append("\" bitsize=\"64\"");
        if (type != null) {
            s.append(" type=\"").append(type).append('"');
        }
        if (regnum >= 0) {
            s.append(" regnum=\"").append(regnum).append('"');
        }
        s.append("/>\n");
    }
}
