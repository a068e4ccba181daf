package dev.jemu.devices.virtio.p9;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * One fid: a path under the export root ({@code ""} is the root) the guest walked to, and what it opened
 * there: a file channel, a directory listing being read, or an extended attribute being read or written.
 */
final class P9Fid {
    /** Not opened; an open file; an open directory; an xattr read (Txattrwalk); an xattr write (Txattrcreate). */
    enum Kind { PATH, FILE, DIR, XATTR_READ, XATTR_WRITE }

    String path;
    /** The attaching user (n_uname): owner of what is created through this fid. */
    final int uid;
    Kind kind = Kind.PATH;
    /** Linux open flags of an opened file or directory. */
    int openFlags;
    FileChannel channel;
    /** The directory's names, listed when the guest reads it from offset 0. */
    List<String> listing;
    /** Xattr: the value read, or the one being written and its name, declared size and flags. */
    byte[] xattrValue;
    ByteArrayOutputStream xattrWritten;
    String xattrName;
    long xattrSize;
    int xattrFlags;

    P9Fid(String path, int uid) {
        this.path = path;
        this.uid = uid;
    }

    /** A new fid at the same place, not opened (Twalk with no names, or the start of a walk). */
    P9Fid copy(String newPath) {
        return new P9Fid(newPath, uid);
    }

    boolean opened() {
        return kind != Kind.PATH;
    }

    void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // a close error loses nothing more than the write already reported
            }
            channel = null;
        }
        listing = null;
    }
}
