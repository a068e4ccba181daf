package dev.jemu.riscv.cpu;

/**
 * The indexes of a hart's TLB entries filled since the last full flush, so that a flush (and a scan for the entries
 * of one physical page) visits those alone instead of every entry: the TLBs are large for programs with big working
 * sets (see {@link Hart#TLB_BITS}), and a Linux boot flushes them some 6000 times while using few entries between
 * two flushes. An index is noted when an entry at it is filled while the index was empty in every TLB, so every
 * index with a valid entry is in the log (it may hold an index twice, or one emptied since); past its capacity the
 * log gives up, and a flush or scan visits every index.
 */
final class TlbFillLog {
    private final int[] indexes;
    private final int size;
    private int count;

    TlbFillLog(int tlbSize, int capacity) {
        this.size = tlbSize;
        this.indexes = new int[capacity];
        this.count = capacity + 1; // overflowed: new TLB arrays hold zeros, not empty entries, until a full flush
    }

    void note(int t) {
        if (count < indexes.length) {
            indexes[count] = t;
        }
        if (count <= indexes.length) {
            count++;
        }
    }

    /** How many indexes a scan visits: the logged ones, or every index once the log overflowed. */
    int scanCount() {
        return count > indexes.length ? size : count;
    }

    /** The {@code k}th index a scan visits, {@code k < scanCount()}. */
    int scanIndex(int k) {
        return count > indexes.length ? k : indexes[k];
    }

    /** After a full flush: no entry is valid. */
    void clear() {
        count = 0;
    }
}
