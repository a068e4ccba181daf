package dev.jemu.devices.snapshot;

import dev.jemu.core.snapshot.StateInput;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Drive;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Reads a snapshot's VM state ({@code size} bytes, its vm_state_size) through the snapshot's own L1 table:
 * small reads from a read-ahead buffer, guest RAM runs straight from the image into RAM.
 */
final class VmStateInput extends StateInput {
    private static final int BUFFER = 256 << 10;
    private final Drive drive;
    private final String snapshot;
    private final long size;
    private final byte[] buf = new byte[BUFFER];
    private int bufPos, bufLen;
    private long pos; // image offset of buf[bufLen]

    VmStateInput(Drive drive, String snapshot, long size) {
        this.drive = drive;
        this.snapshot = snapshot;
        this.size = size;
    }

    @Override
    public int read() throws IOException {
        if (bufPos == bufLen && !fill()) {
            return -1;
        }
        return buf[bufPos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (bufPos == bufLen && !fill()) {
            return -1;
        }
        int n = Math.min(len, bufLen - bufPos);
        System.arraycopy(buf, bufPos, b, off, n);
        bufPos += n;
        return n;
    }

    @Override
    public void readFully(MemorySegment dst) throws IOException {
        long len = dst.byteSize();
        int buffered = (int) Math.min(len, bufLen - bufPos);
        MemorySegment.copy(MemorySegment.ofArray(buf), bufPos, dst, 0, buffered);
        bufPos += buffered;
        long rest = len - buffered;
        if (rest == 0) {
            return;
        }
        if (pos + rest > size) {
            throw new EOFException();
        }
        get(pos, dst.asSlice(buffered, rest));
        pos += rest;
    }

    private boolean fill() throws IOException {
        int n = (int) Math.min(BUFFER, size - pos);
        if (n <= 0) {
            return false;
        }
        get(pos, MemorySegment.ofArray(buf).asSlice(0, n));
        pos += n;
        bufPos = 0;
        bufLen = n;
        return true;
    }

    private void get(long at, MemorySegment dst) throws IOException {
        try {
            drive.readSnapshotVmState(snapshot, at, dst);
        } catch (BlockException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
