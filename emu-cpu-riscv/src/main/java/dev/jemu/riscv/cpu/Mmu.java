package dev.jemu.riscv.cpu;

import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.Region;

/**
 * Sv39/Sv48/Sv57 page-table walks. Accessed and dirty bits are set by the walker, as QEMU does, so a guest
 * never sees an A/D page fault. PTE reads and updates are checked by PMP with S-mode privilege. Svnapot and
 * Svpbmt are not implemented, so PTE bits 63:54 must be zero.
 */
final class Mmu {
    static final int FETCH = 0, LOAD = 1, STORE = 2;
    static final long PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_G = 32, PTE_A = 64, PTE_D = 128;
    static final long PPN_MASK = (1L << 44) - 1;
    static final int SATP_BARE = 0, SATP_SV39 = 8, SATP_SV48 = 9, SATP_SV57 = 10;

    private final Hart h;

    Mmu(Hart h) {
        this.h = h;
    }

    static boolean supportedMode(long mode) {
        return mode == SATP_BARE || mode == SATP_SV39 || mode == SATP_SV48 || mode == SATP_SV57;
    }

    static int pageFaultCause(int access) {
        return access == FETCH ? Trap.INSN_PAGE_FAULT : access == LOAD ? Trap.LOAD_PAGE_FAULT : Trap.STORE_PAGE_FAULT;
    }

    static int accessFaultCause(int access) {
        return access == FETCH ? Trap.INSN_ACCESS : access == LOAD ? Trap.LOAD_ACCESS : Trap.STORE_ACCESS;
    }

    /**
     * Translates {@code va} for an access by privilege {@code priv} (0 U or 1 S; the caller handles bare
     * translation). Throws the page fault or access fault the spec asks for.
     */
    long translate(long va, int access, int priv, boolean sum, boolean mxr) {
        long satp = h.satp;
        int mode = (int) (satp >>> 60);
        int levels = mode == SATP_SV39 ? 3 : mode == SATP_SV48 ? 4 : 5;
        int vaBits = 12 + 9 * levels;
        if ((va << (64 - vaBits)) >> (64 - vaBits) != va) {
            throw h.raise(pageFaultCause(access), va);
        }
        long table = (satp & PPN_MASK) << 12;
        for (int i = levels - 1; i >= 0; i--) {
            long pteAddr = table + ((va >>> (12 + 9 * i)) & 511) * 8;
            long pte = readPte(pteAddr, access, va);
            if ((pte & PTE_V) == 0 || (pte & (PTE_R | PTE_W)) == PTE_W || (pte >>> 54) != 0) {
                throw h.raise(pageFaultCause(access), va);
            }
            long ppn = (pte >>> 10) & PPN_MASK;
            if ((pte & (PTE_R | PTE_X)) == 0) {
                if ((pte & (PTE_D | PTE_A | PTE_U)) != 0) { // reserved in non-leaf PTEs
                    throw h.raise(pageFaultCause(access), va);
                }
                table = ppn << 12;
                continue;
            }
            if (!allowed(pte, access, priv, sum, mxr)) {
                throw h.raise(pageFaultCause(access), va);
            }
            long superMask = (1L << (9 * i)) - 1;
            if ((ppn & superMask) != 0) { // misaligned superpage
                throw h.raise(pageFaultCause(access), va);
            }
            long need = PTE_A | (access == STORE ? PTE_D : 0);
            if ((pte & need) != need && !updatePte(pteAddr, pte, pte | need, access, va)) {
                return translate(va, access, priv, sum, mxr); // another hart changed the PTE: walk again
            }
            long offMask = (1L << (12 + 9 * i)) - 1;
            if (i > 0) {
                h.noteSuperpage(va, i); // the TLBs may now hold slices of it (see Hart.flushTlbPage)
            }
            return (ppn << 12) & ~offMask | va & offMask;
        }
        throw h.raise(pageFaultCause(access), va);
    }

    private static boolean allowed(long pte, int access, int priv, boolean sum, boolean mxr) {
        boolean user = (pte & PTE_U) != 0;
        if (priv == 0 ? !user : user && (access == FETCH || !sum)) {
            return false;
        }
        return switch (access) {
            case FETCH -> (pte & PTE_X) != 0;
            case LOAD -> (pte & PTE_R) != 0 || mxr && (pte & PTE_X) != 0;
            default -> (pte & PTE_W) != 0;
        };
    }

    private long readPte(long pteAddr, int access, long va) {
        if (!h.pmp.check(pteAddr, 8, Pmp.R, 1)) {
            throw h.raise(accessFaultCause(access), va);
        }
        try {
            return h.readRam(pteAddr); // page tables live in RAM: no bus look-up unless they are elsewhere
        } catch (BusError e) {
            throw h.raise(accessFaultCause(access), va);
        }
    }

    /**
     * Sets A/D: {@code old} becomes {@code pte} atomically (a compare-and-set, as the privileged spec asks when
     * other harts may write the PTE); false if the PTE no longer holds {@code old}.
     */
    private boolean updatePte(long pteAddr, long old, long pte, int access, long va) {
        Region r = h.ramAt(pteAddr, 8);
        if (r == null || !h.pmp.check(pteAddr, 8, Pmp.W, 1)) {
            throw h.raise(accessFaultCause(access), va);
        }
        return h.casRam(r, pteAddr, true, old, pte);
    }
}
