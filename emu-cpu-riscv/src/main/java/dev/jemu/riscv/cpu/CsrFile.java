package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Csr.*;

/**
 * Reads and writes of the hart's CSRs with their WARL rules. The generic privilege and read-only checks are
 * the instruction's job (see {@code Hart.system}); {@link #checkAccess} adds the CSR-specific gates
 * (counter enables, TVM, Sstc, FS). Unknown CSRs throw {@link Trap} (illegal instruction).
 */
final class CsrFile {
    /** Exceptions that medeleg may delegate: all but ECALL from M (11) and the reserved 10 and 14. */
    static final long DELEGABLE_EXCEPTIONS = 0xb3ffL;

    private final Hart h;

    CsrFile(Hart h) {
        this.h = h;
    }

    private Trap unknown() {
        return Trap.INSTANCE;
    }

    /** Gates that depend on the current privilege and configuration, for CSR instructions only. */
    void checkAccess(int a) {
        int priv = h.priv;
        if (a == FFLAGS || a == FRM || a == FCSR) {
            if ((h.mstatus & MSTATUS_FS) == 0) {
                throw unknown();
            }
        } else if (a >= CYCLE && a <= HPMCOUNTER31) {
            int bit = a - CYCLE;
            if (priv < 3 && ((h.mcounteren >>> bit) & 1) == 0) {
                throw unknown();
            }
            if (priv == 0 && ((h.scounteren >>> bit) & 1) == 0) {
                throw unknown();
            }
        } else if (a == SATP) {
            if (priv == 1 && (h.mstatus & MSTATUS_TVM) != 0) {
                throw unknown();
            }
        } else if (a == STIMECMP) {
            if (priv < 3 && ((h.mcounteren & 2) == 0 || (h.menvcfg & MENVCFG_STCE) == 0)) {
                throw unknown();
            }
        } else if (a >= PMPCFG0 && a <= PMPCFG15 && (a & 1) != 0) {
            throw unknown(); // odd pmpcfg registers do not exist on RV64
        }
    }

    long read(int a) {
        if (a >= HPMCOUNTER3 && a <= HPMCOUNTER31 || a >= MHPMCOUNTER3 && a <= MHPMCOUNTER31
                || a >= MHPMEVENT3 && a <= MHPMEVENT31) {
            return 0;
        }
        if (a >= PMPCFG0 && a <= PMPCFG15) {
            if ((a & 1) != 0) {
                throw unknown();
            }
            return h.pmp.readCfg(a - PMPCFG0);
        }
        if (a >= PMPADDR0 && a <= PMPADDR63) {
            return h.pmp.readAddr(a - PMPADDR0);
        }
        return switch (a) {
            case FFLAGS -> h.sf.flags & 31;
            case FRM -> h.frm;
            case FCSR -> h.frm << 5 | (h.sf.flags & 31);
            case CYCLE, MCYCLE -> h.counter(true);
            case INSTRET, MINSTRET -> h.counter(false);
            case TIME -> h.timebase.ticks();
            case SSTATUS -> status() & SSTATUS_MASK;
            case SIE -> h.mie & h.mideleg;
            case STVEC -> h.stvec;
            case SCOUNTEREN -> h.scounteren;
            case SENVCFG -> h.senvcfg;
            case SSCRATCH -> h.sscratch;
            case SEPC -> h.sepc;
            case SCAUSE -> h.scause;
            case STVAL -> h.stval;
            case SIP -> mip() & h.mideleg;
            case STIMECMP -> h.stimecmp;
            case SATP -> h.satp;
            case MVENDORID, MARCHID, MIMPID, MCONFIGPTR -> 0;
            case MHARTID -> h.hartId;
            case MSTATUS -> status();
            case MISA -> MISA_VALUE;
            case MEDELEG -> h.medeleg;
            case MIDELEG -> h.mideleg;
            case MIE -> h.mie;
            case MTVEC -> h.mtvec;
            case MCOUNTEREN -> h.mcounteren;
            case MENVCFG -> h.menvcfg;
            case MCOUNTINHIBIT -> h.mcountinhibit;
            case MSCRATCH -> h.mscratch;
            case MEPC -> h.mepc;
            case MCAUSE -> h.mcause;
            case MTVAL -> h.mtval;
            case MIP -> mip();
            case TSELECT -> h.triggers.select;
            case TDATA1, TDATA2, TDATA3 -> h.triggers.readData(a - TSELECT);
            case TINFO -> Triggers.TINFO;
            default -> throw unknown();
        };
    }

    private long status() {
        long s = h.mstatus;
        return (s & MSTATUS_FS) == MSTATUS_FS ? s | MSTATUS_SD : s & ~MSTATUS_SD;
    }

    private long mip() {
        if ((h.menvcfg & MENVCFG_STCE) != 0) {
            h.refreshSstc(); // STIP follows the current time
        }
        return h.mip;
    }

    private long mipWritable() {
        return MIP_SSIP | MIP_SEIP | ((h.menvcfg & MENVCFG_STCE) != 0 ? 0 : MIP_STIP);
    }

    private long sipWritable() {
        return h.mideleg & MIP_SSIP;
    }

    /**
     * CSRRS/CSRRC ({@code set} false) of {@code bits} on a CSR that read {@code old}: only those bits are written.
     * For mip/sip that matters: the SEIP read includes the external interrupt line, and writing it back would
     * make a software SEIP that never goes away (an interrupt storm that starves every other S interrupt); and
     * other harts set SSIP meanwhile (an SBI IPI), which a whole-register write-back could undo.
     */
    void modify(int a, long old, long bits, boolean set) {
        switch (a) {
            case MIP -> h.setMipSoftware(mipWritable() & bits, set ? -1 : 0);
            case SIP -> h.setMipSoftware(sipWritable() & bits, set ? -1 : 0);
            default -> write(a, set ? old | bits : old & ~bits);
        }
    }

    void write(int a, long v) {
        if (a >= PMPCFG0 && a <= PMPCFG15) {
            if ((a & 1) != 0) {
                throw unknown();
            }
            h.pmp.writeCfg(a - PMPCFG0, v);
            h.flushTlb();
            return;
        }
        if (a >= PMPADDR0 && a <= PMPADDR63) {
            h.pmp.writeAddr(a - PMPADDR0, v);
            h.flushTlb();
            return;
        }
        if (a >= HPMCOUNTER3 && a <= HPMCOUNTER31 || a >= MHPMCOUNTER3 && a <= MHPMCOUNTER31
                || a >= MHPMEVENT3 && a <= MHPMEVENT31) {
            return; // hard-wired to zero
        }
        switch (a) {
            case FFLAGS -> {
                h.sf.flags = (int) v & 31;
                h.setFsDirty();
            }
            case FRM -> {
                h.frm = (int) v & 7;
                h.setFsDirty();
            }
            case FCSR -> {
                h.sf.flags = (int) v & 31;
                h.frm = (int) (v >>> 5) & 7;
                h.setFsDirty();
            }
            case CYCLE, TIME, INSTRET, MVENDORID, MARCHID, MIMPID, MHARTID, MCONFIGPTR, MISA -> { } // read-only
            case MCYCLE -> h.setCounter(true, v);
            case MINSTRET -> h.setCounter(false, v);
            case SSTATUS -> writeStatus((h.mstatus & ~SSTATUS_WRITABLE) | (v & SSTATUS_WRITABLE));
            case MSTATUS -> writeStatus(v);
            case SIE -> {
                long m = h.mideleg & S_INTERRUPTS;
                h.mie = (h.mie & ~m) | (v & m);
                h.updateMip();
            }
            case MIE -> {
                h.mie = v & ALL_INTERRUPTS;
                h.updateMip();
            }
            case SIP -> h.setMipSoftware(sipWritable(), v);
            case MIP -> h.setMipSoftware(mipWritable(), v);
            case STVEC -> h.stvec = tvec(h.stvec, v);
            case MTVEC -> h.mtvec = tvec(h.mtvec, v);
            case SCOUNTEREN -> h.scounteren = v & 0xffff_ffffL;
            case MCOUNTEREN -> h.mcounteren = v & 0xffff_ffffL;
            case SENVCFG -> h.senvcfg = v & MENVCFG_FIOM;
            case MENVCFG -> {
                h.menvcfg = v & (MENVCFG_FIOM | MENVCFG_STCE);
                h.updateSstc();
            }
            case MCOUNTINHIBIT -> h.setCountInhibit(v & 0xffff_fffdL);
            case SSCRATCH -> h.sscratch = v;
            case MSCRATCH -> h.mscratch = v;
            case SEPC -> h.sepc = v & ~1L;
            case MEPC -> h.mepc = v & ~1L;
            case SCAUSE -> h.scause = v;
            case MCAUSE -> h.mcause = v;
            case STVAL -> h.stval = v;
            case MTVAL -> h.mtval = v;
            case MEDELEG -> h.medeleg = v & DELEGABLE_EXCEPTIONS;
            case MIDELEG -> {
                h.mideleg = v & S_INTERRUPTS;
                h.updateMip();
            }
            case STIMECMP -> {
                h.stimecmp = v;
                h.updateSstc();
            }
            case SATP -> {
                long mode = v >>> 60;
                if (Mmu.supportedMode(mode)) { // WARL: other modes leave satp unchanged
                    h.satp = v & (0xfL << 60 | 0xffffL << 44 | Mmu.PPN_MASK);
                    h.flushTlb();
                    h.updateKeys();
                }
            }
            case TSELECT -> h.triggers.writeSelect(v);
            case TDATA1, TDATA2, TDATA3 -> {
                if (h.triggers.writeData(a - TSELECT, v)) {
                    h.triggersChanged();
                }
            }
            case TINFO -> { } // read-only in effect: QEMU ignores the write
            default -> throw unknown();
        }
    }

    private void writeStatus(long v) {
        long old = h.mstatus;
        long s = (old & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE);
        if (((s >>> MSTATUS_MPP_SHIFT) & 3) == 2) { // MPP=2 (H) does not exist: keep the old value
            s = (s & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
        }
        h.mstatus = (s & ~MSTATUS_SD) | MSTATUS_XL64;
        h.updateKeys();
    }

    /** xtvec: modes Direct (0) and Vectored (1); a write of a reserved mode is ignored, as QEMU does. */
    private static long tvec(long old, long v) {
        return (v & 3) < 2 ? v : old;
    }
}
