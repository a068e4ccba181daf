package dev.jemu.devices.snapshot;

import dev.jemu.core.snapshot.StateOutput;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Drive;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Writes a machine state into a drive's VM state area from offset 0: small writes are gathered, guest RAM
 * runs go from their segment to the image without a copy.
 */
final class VmStateOutput extends StateOutput {
    private static final int BUFFER = 1 << 20;
    private final Drive drive;
    private final byte[] buf = new byte[BUFFER];
    private int used;
    private long pos;

    VmStateOutput(Drive drive) {
        this.drive = drive;
    }

    /** Bytes written so far: the snapshot's vm_state_size once closed. */
    long size() {
        return pos + used;
    }

    @Override
    public void write(int b) throws IOException {
        if (used == BUFFER) {
            flush();
        }
        buf[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len > BUFFER - used) {
            flush();
        }
        if (len >= BUFFER) {
            put(MemorySegment.ofArray(b).asSlice(off, len));
            return;
        }
        System.arraycopy(b, off, buf, used, len);
        used += len;
    }

    @Override
    public void write(MemorySegment src) throws IOException {
        if (src.byteSize() < 64 << 10) {
            super.write(src);
            return;
        }
        flush();
        put(src);
    }

    @Override
    public void flush() throws IOException {
        if (used > 0) {
            int n = used;
            used = 0;
            put(MemorySegment.ofArray(buf).asSlice(0, n));
        }
    }

    private void put(MemorySegment src) throws IOException {
        try {
            drive.writeVmState(pos, src);
        } catch (BlockException e) {
            throw new IOException(e.getMessage(), e);
        }
        pos += src.byteSize();
    }
}
