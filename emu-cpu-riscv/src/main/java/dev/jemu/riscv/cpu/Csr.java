package dev.jemu.riscv.cpu;

/** CSR numbers and field masks, named as in the RISC-V privileged specification. */
public final class Csr {
    private Csr() {
    }

    public static final int FFLAGS = 0x001, FRM = 0x002, FCSR = 0x003;
    public static final int CYCLE = 0xc00, TIME = 0xc01, INSTRET = 0xc02, HPMCOUNTER3 = 0xc03, HPMCOUNTER31 = 0xc1f;
    public static final int SSTATUS = 0x100, SIE = 0x104, STVEC = 0x105, SCOUNTEREN = 0x106, SENVCFG = 0x10a;
    public static final int SSCRATCH = 0x140, SEPC = 0x141, SCAUSE = 0x142, STVAL = 0x143, SIP = 0x144;
    public static final int STIMECMP = 0x14d, SATP = 0x180;
    public static final int MVENDORID = 0xf11, MARCHID = 0xf12, MIMPID = 0xf13, MHARTID = 0xf14, MCONFIGPTR = 0xf15;
    public static final int MSTATUS = 0x300, MISA = 0x301, MEDELEG = 0x302, MIDELEG = 0x303, MIE = 0x304;
    public static final int MTVEC = 0x305, MCOUNTEREN = 0x306, MENVCFG = 0x30a, MCOUNTINHIBIT = 0x320;
    public static final int MHPMEVENT3 = 0x323, MHPMEVENT31 = 0x33f;
    public static final int MSCRATCH = 0x340, MEPC = 0x341, MCAUSE = 0x342, MTVAL = 0x343, MIP = 0x344;
    public static final int TSELECT = 0x7a0, TDATA1 = 0x7a1, TDATA2 = 0x7a2, TDATA3 = 0x7a3, TINFO = 0x7a4;
    public static final int PMPCFG0 = 0x3a0, PMPCFG15 = 0x3af, PMPADDR0 = 0x3b0, PMPADDR63 = 0x3ef;
    public static final int MCYCLE = 0xb00, MINSTRET = 0xb02, MHPMCOUNTER3 = 0xb03, MHPMCOUNTER31 = 0xb1f;

    // mstatus / sstatus fields
    public static final long MSTATUS_SIE = 1L << 1, MSTATUS_MIE = 1L << 3, MSTATUS_SPIE = 1L << 5;
    public static final long MSTATUS_MPIE = 1L << 7, MSTATUS_SPP = 1L << 8;
    public static final int MSTATUS_MPP_SHIFT = 11, MSTATUS_FS_SHIFT = 13;
    public static final long MSTATUS_MPP = 3L << 11, MSTATUS_FS = 3L << 13, MSTATUS_XS = 3L << 15;
    public static final long MSTATUS_MPRV = 1L << 17, MSTATUS_SUM = 1L << 18, MSTATUS_MXR = 1L << 19;
    public static final long MSTATUS_TVM = 1L << 20, MSTATUS_TW = 1L << 21, MSTATUS_TSR = 1L << 22;
    public static final long MSTATUS_UXL = 3L << 32, MSTATUS_SXL = 3L << 34, MSTATUS_SD = 1L << 63;
    /** XLEN fields are read-only 64 (2). */
    public static final long MSTATUS_XL64 = 2L << 32 | 2L << 34;
    public static final long MSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP
            | MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW
            | MSTATUS_TSR;
    public static final long SSTATUS_MASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_XS
            | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD;
    public static final long SSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM
            | MSTATUS_MXR;

    // interrupt bits (mip / mie)
    public static final int IRQ_SSI = 1, IRQ_MSI = 3, IRQ_STI = 5, IRQ_MTI = 7, IRQ_SEI = 9, IRQ_MEI = 11;
    public static final long MIP_SSIP = 1L << IRQ_SSI, MIP_MSIP = 1L << IRQ_MSI, MIP_STIP = 1L << IRQ_STI;
    public static final long MIP_MTIP = 1L << IRQ_MTI, MIP_SEIP = 1L << IRQ_SEI, MIP_MEIP = 1L << IRQ_MEI;
    public static final long S_INTERRUPTS = MIP_SSIP | MIP_STIP | MIP_SEIP;
    public static final long ALL_INTERRUPTS = S_INTERRUPTS | MIP_MSIP | MIP_MTIP | MIP_MEIP;

    // menvcfg
    public static final long MENVCFG_FIOM = 1L, MENVCFG_STCE = 1L << 63;

    /** misa: MXL=64 and extensions I M A F D C S U. */
    public static final long MISA_VALUE = 2L << 62 | 1L << ('I' - 'A') | 1L << ('M' - 'A') | 1L << ('A' - 'A')
            | 1L << ('F' - 'A') | 1L << ('D' - 'A') | 1L << ('C' - 'A') | 1L << ('S' - 'A') | 1L << ('U' - 'A');
}
