package dev.jemu.devices.virtio.p9;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a mapped security model keeps a file's guest owner, mode and device number, the host file itself
 * being a plain file owned by jemu: in {@code user.virtfs.*} xattrs ({@link XattrMappedAttrs}) or in
 * {@code .virtfs_metadata} files beside it ({@link FileMappedAttrs}), both in QEMU's formats.
 */
interface MappedAttrs {
    /** Stored values, in order uid, gid, mode, rdev; -1 where none is stored. */
    long[] load(Path host, boolean isRoot);

    /** Stores the values that are not -1, keeping the others. */
    void store(Path host, boolean isRoot, int uid, int gid, int mode, long rdev) throws IOException;

    /** A host file was renamed: its metadata goes along. */
    default void renamed(Path from, Path to) throws IOException {
    }

    /** A host file is about to be removed: its metadata goes too (a directory's own store as well). */
    default void removing(Path host, boolean dir) throws IOException {
    }

    /** Whether a directory entry is the model's own, hidden from the guest. */
    default boolean hidden(String name) {
        return false;
    }
}
