package dev.jemu.x86.cpu;

/**
 * Decodes the interpreter's instructions into a decoded page ({@link CodeCache.Page}) once: an instruction inside
 * the page into its slot ({@code ops}/{@code len}), from the page's snapshot; one that crosses the page end into
 * the page's crossing slots, from the snapshot and from the next page's bytes fetched through the MMU, which the
 * slot keeps. A crossing instruction is reused only while fetching those bytes again gives them (a few fetch-TLB
 * hits): the next page may be remapped or written without this page knowing. Before, such an instruction was
 * decoded afresh at every run, after a failed in-page decode that cost an exception: a loop whose body crosses a
 * page end ran about a million of them in one phase of the amd64 boot.
 */
final class SlotDecoder {
    private final Decoder decoder;
    private final Mmu mmu;
    /** The page and the linear address of its first byte while {@link #decode} runs (read by {@link #byteAt}). */
    private CodeCache.Page page;
    private long pageLin;
    /** The next page's bytes the decode took, in order. */
    private final byte[] tail = new byte[Insn.MAX_LENGTH];
    private final Insn.Fetcher bytes = this::byteAt;
    /** The length of the instruction {@link #decode} returned last. */
    int length;

    SlotDecoder(Decoder decoder, Mmu mmu) {
        this.decoder = decoder;
        this.mmu = mmu;
    }

    /**
     * The op at offset {@code off} of {@code page} (live, of code size {@code mode}), at linear address {@code lin},
     * whose slot is empty: a crossing instruction's slot when its next-page bytes still match, else decoded and
     * kept. Fetch faults of the next page propagate, as the instruction's fetch would raise them.
     */
    X86Op decode(CodeCache.Page page, int off, long lin, int mode) {
        if (off >= CodeCache.CROSS_FIRST && page.crossOps != null) {
            X86Op op = page.crossOps[off - CodeCache.CROSS_FIRST];
            if (op != null && tailMatches(page, off, lin)) {
                length = page.crossLen[off - CodeCache.CROSS_FIRST];
                return op;
            }
        }
        this.page = page;
        this.pageLin = lin - off;
        X86Op op = decoder.decode(bytes, off, mode);
        int len = decoder.length();
        length = len;
        if (off + len <= 4096) {
            page.ops[off] = op;
            page.len[off] = (byte) len;
            if (X86Stats.ON) {
                X86Stats.decodedInPage++;
            }
        } else {
            if (page.crossOps == null) {
                page.crossOps = new X86Op[4096 - CodeCache.CROSS_FIRST];
                page.crossLen = new byte[4096 - CodeCache.CROSS_FIRST];
                page.crossTail = new byte[4096 - CodeCache.CROSS_FIRST][];
            }
            int i = off - CodeCache.CROSS_FIRST;
            page.crossOps[i] = op;
            page.crossLen[i] = (byte) len;
            page.crossTail[i] = java.util.Arrays.copyOf(tail, off + len - 4096);
            if (X86Stats.ON) {
                X86Stats.decodedCrossing++;
            }
        }
        return op;
    }

    /** Whether the next page still holds the bytes the crossing instruction at {@code off} was decoded from. */
    private boolean tailMatches(CodeCache.Page page, int off, long lin) {
        byte[] t = page.crossTail[off - CodeCache.CROSS_FIRST];
        long at = lin + (4096 - off); // as the decoder fetches: start + position
        for (int k = 0; k < t.length; k++) {
            if ((byte) mmu.fetch8(at + k) != t[k]) {
                return false;
            }
        }
        return true;
    }

    /** A byte of the instruction: the page's snapshot inside it, the next page through the MMU (fetch checks). */
    private int byteAt(long off) {
        if (off < 4096) {
            return page.byteAt(off);
        }
        int b = (int) mmu.fetch8(pageLin + off);
        tail[(int) off - 4096] = (byte) b;
        return b;
    }
}
