package dev.jemu.devices.virtio.p9;

import java.util.ArrayList;
import java.util.List;

/**
 * The 9P2000.L requests Linux's v9fs sends, decoded from the wire ({@code size[4] type[1] tag[2] body}) into
 * one record each, apart from their execution in {@link P9Server}. Message numbers are the protocol's (an
 * R-message is its T-message + 1).
 */
public sealed interface P9Message {
    int LERROR = 7, STATFS = 8, LOPEN = 12, LCREATE = 14, SYMLINK = 16, MKNOD = 18, RENAME = 20, READLINK = 22,
            GETATTR = 24, SETATTR = 26, XATTRWALK = 30, XATTRCREATE = 32, READDIR = 40, FSYNC = 50, LOCK = 52,
            GETLOCK = 54, LINK = 70, MKDIR = 72, RENAMEAT = 74, UNLINKAT = 76, VERSION = 100, AUTH = 102,
            ATTACH = 104, FLUSH = 108, WALK = 110, READ = 116, WRITE = 118, CLUNK = 120, REMOVE = 122;
    /** Header bytes: size[4] type[1] tag[2]. */
    int HEADER = 7;
    /** Twalk's limit on names per walk. */
    int MAX_WALK = 16;

    record Version(int msize, String version) implements P9Message { }
    record Auth(int afid, String uname, String aname, int uid) implements P9Message { }
    record Attach(int fid, int afid, String uname, String aname, int uid) implements P9Message { }
    record Flush(int oldTag) implements P9Message { }
    record Walk(int fid, int newFid, List<String> names) implements P9Message { }
    record Lopen(int fid, int flags) implements P9Message { }
    record Lcreate(int fid, String name, int flags, int mode, int gid) implements P9Message { }
    record Symlink(int fid, String name, String target, int gid) implements P9Message { }
    record Mknod(int dfid, String name, int mode, int major, int minor, int gid) implements P9Message { }
    record Rename(int fid, int dfid, String name) implements P9Message { }
    record Readlink(int fid) implements P9Message { }
    record Getattr(int fid, long mask) implements P9Message { }
    record Setattr(int fid, int valid, int mode, int uid, int gid, long size, long atimeSec, long atimeNsec,
            long mtimeSec, long mtimeNsec) implements P9Message { }
    record XattrWalk(int fid, int newFid, String name) implements P9Message { }
    record XattrCreate(int fid, String name, long size, int flags) implements P9Message { }
    record Readdir(int fid, long offset, int count) implements P9Message { }
    record Fsync(int fid, int datasync) implements P9Message { }
    record Lock(int fid, int type, int flags, long start, long length, int procId, String clientId)
            implements P9Message { }
    record GetLock(int fid, int type, long start, long length, int procId, String clientId) implements P9Message { }
    record Link(int dfid, int fid, String name) implements P9Message { }
    record Mkdir(int dfid, String name, int mode, int gid) implements P9Message { }
    record RenameAt(int oldDirFid, String oldName, int newDirFid, String newName) implements P9Message { }
    record UnlinkAt(int dirFid, String name, int flags) implements P9Message { }
    record Read(int fid, long offset, int count) implements P9Message { }
    record Write(int fid, long offset, byte[] data) implements P9Message { }
    record Clunk(int fid) implements P9Message { }
    record Remove(int fid) implements P9Message { }
    record Statfs(int fid) implements P9Message { }

    /** A request's header: what the reply needs even when the body cannot be decoded. */
    record Header(int size, int type, int tag) {
    }

    /** The header of {@code msg}, or null when it is shorter than one or its size field disagrees. */
    static Header header(byte[] msg, int length) {
        if (length < HEADER) {
            return null;
        }
        int size = (msg[0] & 0xff) | (msg[1] & 0xff) << 8 | (msg[2] & 0xff) << 16 | (msg[3] & 0xff) << 24;
        if (size < HEADER || size > length) {
            return null;
        }
        return new Header(size, msg[4] & 0xff, (msg[5] & 0xff) | (msg[6] & 0xff) << 8);
    }

    /**
     * Decodes the body of a request whose header is {@code h}: EPROTO when a field runs past the end,
     * EOPNOTSUPP for a message type 9P2000.L has no request for.
     */
    static P9Message decode(Header h, byte[] msg) throws P9Error {
        P9Reader r = new P9Reader(msg, HEADER, h.size());
        return switch (h.type()) {
            case VERSION -> new Version(r.u32(), r.str());
            case AUTH -> new Auth(r.u32(), r.str(), r.str(), r.u32());
            case ATTACH -> new Attach(r.u32(), r.u32(), r.str(), r.str(), r.u32());
            case FLUSH -> new Flush(r.u16());
            case WALK -> {
                int fid = r.u32(), newFid = r.u32(), n = r.u16();
                if (n > MAX_WALK) {
                    throw new P9Error(P9Error.EINVAL);
                }
                List<String> names = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    names.add(r.str());
                }
                yield new Walk(fid, newFid, names);
            }
            case LOPEN -> new Lopen(r.u32(), r.u32());
            case LCREATE -> new Lcreate(r.u32(), r.str(), r.u32(), r.u32(), r.u32());
            case SYMLINK -> new Symlink(r.u32(), r.str(), r.str(), r.u32());
            case MKNOD -> new Mknod(r.u32(), r.str(), r.u32(), r.u32(), r.u32(), r.u32());
            case RENAME -> new Rename(r.u32(), r.u32(), r.str());
            case READLINK -> new Readlink(r.u32());
            case GETATTR -> new Getattr(r.u32(), r.u64());
            case SETATTR -> new Setattr(r.u32(), r.u32(), r.u32(), r.u32(), r.u32(), r.u64(), r.u64(), r.u64(),
                    r.u64(), r.u64());
            case XATTRWALK -> new XattrWalk(r.u32(), r.u32(), r.str());
            case XATTRCREATE -> new XattrCreate(r.u32(), r.str(), r.u64(), r.u32());
            case READDIR -> new Readdir(r.u32(), r.u64(), r.u32());
            case FSYNC -> new Fsync(r.u32(), h.size() >= HEADER + 8 ? r.u32() : 0); // older clients omit datasync
            case LOCK -> new Lock(r.u32(), r.u8(), r.u32(), r.u64(), r.u64(), r.u32(), r.str());
            case GETLOCK -> new GetLock(r.u32(), r.u8(), r.u64(), r.u64(), r.u32(), r.str());
            case LINK -> new Link(r.u32(), r.u32(), r.str());
            case MKDIR -> new Mkdir(r.u32(), r.str(), r.u32(), r.u32());
            case RENAMEAT -> new RenameAt(r.u32(), r.str(), r.u32(), r.str());
            case UNLINKAT -> new UnlinkAt(r.u32(), r.str(), r.u32());
            case READ -> new Read(r.u32(), r.u64(), r.u32());
            case WRITE -> {
                int fid = r.u32();
                long off = r.u64();
                yield new Write(fid, off, r.bytes(r.u32() & 0xffff_ffffL));
            }
            case CLUNK -> new Clunk(r.u32());
            case REMOVE -> new Remove(r.u32());
            case STATFS -> new Statfs(r.u32());
            default -> throw new P9Error(P9Error.EOPNOTSUPP);
        };
    }

    /** The Rlerror for a request with tag {@code tag}. */
    static byte[] lerror(int tag, int errno) {
        return new P9Writer(LERROR, tag).u32(errno).finish();
    }
}
