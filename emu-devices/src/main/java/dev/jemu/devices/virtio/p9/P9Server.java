package dev.jemu.devices.virtio.p9;

import static dev.jemu.devices.virtio.p9.P9Error.*;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.devices.virtio.p9.P9Message.*;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A 9P2000.L file server over a {@link LocalFs}: executes decoded {@link P9Message}s against the fid table
 * and answers each with its R-message or an Rlerror. Never throws: a malformed request is an Rlerror
 * (EPROTO, EINVAL...). Not thread-safe: one thread serves all requests, in order, so Tflush always finds
 * the request it names already answered.
 */
public final class P9Server {
    public static final int MAX_MSIZE = 512 << 10;
    static final int MIN_MSIZE = 4096;
    static final int NOFID = -1;
    static final int V9FS_MAGIC = 0x01021997;
    static final int AT_REMOVEDIR = 0x200;
    static final int E2BIG = 7;
    static final long XATTR_SIZE_MAX = 65536;
    static final int ATTR_MODE = 1, ATTR_UID = 2, ATTR_GID = 4, ATTR_SIZE = 8, ATTR_ATIME = 16, ATTR_MTIME = 32,
            ATTR_ATIME_SET = 128, ATTR_MTIME_SET = 256;
    static final long GETATTR_BASIC = 0x7ff;

    private final LocalFs fs;
    private final Map<Integer, P9Fid> fids = new HashMap<>();
    private int msize = MAX_MSIZE;

    public P9Server(LocalFs fs) {
        this.fs = fs;
    }

    public LocalFs fs() {
        return fs;
    }

    /** Fids in use (tests). */
    public int fidCount() {
        return fids.size();
    }

    /**
     * Serves one request of {@code length} bytes; the reply, at most {@code maxReply} bytes (Tread and
     * Treaddir are cut to fit), or null when the request has no valid header (the transport's error).
     */
    public byte[] handle(byte[] msg, int length, int maxReply) {
        P9Message.Header h = P9Message.header(msg, length);
        if (h == null) {
            return null;
        }
        try {
            P9Message m = P9Message.decode(h, msg);
            return execute(m, h.tag(), Math.min(maxReply, msize));
        } catch (P9Error e) {
            return P9Message.lerror(h.tag(), e.errno());
        } catch (RuntimeException e) { // a bug must cost the guest one request, not the device
            if (System.getenv("JEMU_DEBUG") != null) {
                e.printStackTrace();
            }
            return P9Message.lerror(h.tag(), EIO);
        }
    }

    private byte[] execute(P9Message m, int tag, int limit) throws P9Error {
        int type = typeOf(m);
        P9Writer w = new P9Writer(type + 1, tag);
        switch (m) {
            case Version v -> {
                clunkAll();
                if (v.msize() < MIN_MSIZE) {
                    throw new P9Error(EMSGSIZE);
                }
                msize = Math.min(v.msize(), MAX_MSIZE);
                w.u32(msize).str(v.version().startsWith("9P2000.L") ? "9P2000.L" : "unknown");
            }
            case Auth a -> throw new P9Error(EOPNOTSUPP);
            case Attach a -> {
                if (fids.containsKey(a.fid())) {
                    throw new P9Error(EINVAL);
                }
                P9Fid f = new P9Fid("", a.uid() == NOFID ? 0 : a.uid());
                P9Qid q = fs.stat("").qid();
                fids.put(a.fid(), f);
                w.qid(q);
            }
            case Flush f -> { } // requests are served in order: the one it names is answered already
            case Walk wk -> walk(wk, w);
            case Lopen o -> {
                P9Fid f = unopened(o.fid());
                LocalFs.Stat s = fs.stat(f.path);
                open(f, s, o.flags());
                w.qid(s.qid()).u32(iounit());
            }
            case Lcreate c -> {
                P9Fid f = unopened(c.fid());
                String p = child(f, c.name());
                fs.createFile(p, c.mode(), f.uid, c.gid());
                f.path = p;
                open(f, fs.stat(p), c.flags() & ~(0100 | 0200 | 01000)); // created already: no O_CREAT/EXCL/TRUNC
                w.qid(fs.stat(p).qid()).u32(iounit());
            }
            case Symlink s -> {
                P9Fid d = fid(s.fid());
                String p = child(d, s.name());
                fs.symlink(p, s.target(), d.uid, s.gid());
                w.qid(fs.stat(p).qid());
            }
            case Mknod n -> {
                P9Fid d = fid(n.dfid());
                String p = child(d, n.name());
                long rdev = ((n.major() & 0xfffL) << 8) | (n.minor() & 0xffL) | ((n.minor() & ~0xffL & 0xffff_ffffL) << 12)
                        | ((n.major() & ~0xfffL & 0xffff_ffffL) << 32);
                fs.mknod(p, n.mode(), rdev, d.uid, n.gid());
                w.qid(fs.stat(p).qid());
            }
            case Rename r -> {
                P9Fid f = fid(r.fid());
                if (f.path.isEmpty()) {
                    throw new P9Error(EBUSY_ROOT);
                }
                String to = child(fid(r.dfid()), r.name());
                rename(f.path, to);
            }
            case Readlink r -> w.str(fs.readlink(fid(r.fid()).path));
            case Getattr g -> getattr(fs.stat(fid(g.fid()).path), w, iounit());
            case Setattr s -> setattr(fid(s.fid()), s);
            case XattrWalk x -> {
                P9Fid f = fid(x.fid());
                P9Fid n = newFid(x.fid(), x.newFid(), f.path);
                n.kind = P9Fid.Kind.XATTR_READ;
                n.xattrValue = x.name().isEmpty() ? fs.listXattrs(f.path) : fs.getXattr(f.path, x.name());
                fids.put(x.newFid(), n);
                w.u64(n.xattrValue.length);
            }
            case XattrCreate x -> {
                P9Fid f = unopened(x.fid());
                if (x.size() < 0 || x.size() > XATTR_SIZE_MAX) {
                    throw new P9Error(E2BIG);
                }
                fs.checkWritable();
                f.kind = P9Fid.Kind.XATTR_WRITE;
                f.xattrName = x.name();
                f.xattrSize = x.size();
                f.xattrFlags = x.flags();
                f.xattrWritten = new ByteArrayOutputStream();
            }
            case Readdir r -> readdir(r, w, limit);
            case Fsync s -> {
                P9Fid f = fid(s.fid());
                if (f.channel != null) {
                    try {
                        f.channel.force(s.datasync() == 0);
                    } catch (IOException e) {
                        throw LocalFs.error(e);
                    }
                }
            }
            case Lock l -> {
                fid(l.fid());
                w.u8(0); // P9_LOCK_SUCCESS: one guest, nothing to contend with (QEMU grants the same way)
            }
            case GetLock g -> {
                fid(g.fid());
                w.u8(2).u64(g.start()).u64(g.length()).u32(g.procId()).str(g.clientId()); // F_UNLCK: no conflict
            }
            case Link l -> {
                P9Fid d = fid(l.dfid());
                fs.link(fid(l.fid()).path, child(d, l.name()));
            }
            case Mkdir md -> {
                P9Fid d = fid(md.dfid());
                String p = child(d, md.name());
                fs.mkdir(p, md.mode(), d.uid, md.gid());
                w.qid(fs.stat(p).qid());
            }
            case RenameAt r -> rename(child(fid(r.oldDirFid()), r.oldName()), child(fid(r.newDirFid()), r.newName()));
            case UnlinkAt u -> {
                P9Fid d = fid(u.dirFid());
                if (u.name().equals(".")) {
                    throw new P9Error(EINVAL);
                }
                if (u.name().equals("..")) {
                    throw new P9Error(ENOTEMPTY);
                }
                fs.unlink(child(d, u.name()), (u.flags() & AT_REMOVEDIR) != 0);
            }
            case Read r -> read(r, w, limit);
            case Write wr -> w.u32(write(wr));
            case Clunk c -> {
                P9Fid f = fids.remove(c.fid());
                if (f == null) {
                    throw new P9Error(EBADF);
                }
                f.close();
                if (f.kind == P9Fid.Kind.XATTR_WRITE) {
                    commitXattr(f);
                }
            }
            case Remove r -> {
                P9Fid f = fids.remove(r.fid());
                if (f == null) {
                    throw new P9Error(EBADF);
                }
                f.close();
                if (f.path.isEmpty()) {
                    throw new P9Error(EBUSY_ROOT);
                }
                fs.unlink(f.path, fs.stat(f.path).type() == LocalFs.S_IFDIR);
            }
            case Statfs s -> {
                fid(s.fid());
                long[] st = fs.statfs();
                w.u32(V9FS_MAGIC).u32(st[0]).u64(st[1]).u64(st[2]).u64(st[3]).u64(0).u64(0).u64(0).u32(255);
            }
        }
        if (w.size() > limit) {
            throw new P9Error(ERANGE);
        }
        return w.finish();
    }

    /** EBUSY: the export root cannot be renamed or removed. */
    private static final int EBUSY_ROOT = 16;

    private static int typeOf(P9Message m) {
        return switch (m) {
            case Version v -> P9Message.VERSION;
            case Auth a -> P9Message.AUTH;
            case Attach a -> P9Message.ATTACH;
            case Flush f -> P9Message.FLUSH;
            case Walk w -> P9Message.WALK;
            case Lopen o -> P9Message.LOPEN;
            case Lcreate c -> P9Message.LCREATE;
            case Symlink s -> P9Message.SYMLINK;
            case Mknod n -> P9Message.MKNOD;
            case Rename r -> P9Message.RENAME;
            case Readlink r -> P9Message.READLINK;
            case Getattr g -> P9Message.GETATTR;
            case Setattr s -> P9Message.SETATTR;
            case XattrWalk x -> P9Message.XATTRWALK;
            case XattrCreate x -> P9Message.XATTRCREATE;
            case Readdir r -> P9Message.READDIR;
            case Fsync f -> P9Message.FSYNC;
            case Lock l -> P9Message.LOCK;
            case GetLock g -> P9Message.GETLOCK;
            case Link l -> P9Message.LINK;
            case Mkdir m2 -> P9Message.MKDIR;
            case RenameAt r -> P9Message.RENAMEAT;
            case UnlinkAt u -> P9Message.UNLINKAT;
            case Read r -> P9Message.READ;
            case Write w -> P9Message.WRITE;
            case Clunk c -> P9Message.CLUNK;
            case Remove r -> P9Message.REMOVE;
            case Statfs s -> P9Message.STATFS;
        };
    }

    private P9Fid fid(int n) throws P9Error {
        P9Fid f = fids.get(n);
        if (f == null) {
            throw new P9Error(EBADF);
        }
        return f;
    }

    private P9Fid unopened(int n) throws P9Error {
        P9Fid f = fid(n);
        if (f.opened()) {
            throw new P9Error(EINVAL);
        }
        return f;
    }

    /** A fid for {@code newFid} at {@code path}; {@code newFid} may only be in use if it is {@code fid} itself. */
    private P9Fid newFid(int fid, int newFid, String path) throws P9Error {
        if (newFid != fid && fids.containsKey(newFid)) {
            throw new P9Error(EINVAL);
        }
        P9Fid old = fids.get(fid);
        return old.copy(path);
    }

    /**
     * The path of {@code name} in directory fid {@code d}: a single component, never '.', '..' or containing
     * '/', so that no name leads out of the export.
     */
    private String child(P9Fid d, String name) throws P9Error {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new P9Error(ENOENT);
        }
        if (name.equals(".") || name.equals("..")) {
            throw new P9Error(EEXIST);
        }
        if (fs.hidden(name)) {
            throw new P9Error(EINVAL); // the security model's own metadata
        }
        if (fs.stat(d.path).type() != LocalFs.S_IFDIR) {
            throw new P9Error(ENOTDIR);
        }
        return LocalFs.join(d.path, name);
    }

    private void walk(Walk wk, P9Writer w) throws P9Error {
        P9Fid from = fid(wk.fid());
        if (from.opened()) {
            throw new P9Error(EINVAL);
        }
        newFid(wk.fid(), wk.newFid(), from.path);
        String path = from.path;
        P9Qid[] qids = new P9Qid[wk.names().size()];
        int done = 0;
        try {
            for (String name : wk.names()) {
                if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0 || fs.hidden(name)) {
                    throw new P9Error(ENOENT);
                }
                if (fs.stat(path).type() != LocalFs.S_IFDIR) {
                    throw new P9Error(ENOTDIR); // a host symlink is not a directory: never walked through
                }
                if (name.equals("..")) {
                    int slash = path.lastIndexOf('/');
                    path = slash < 0 ? "" : path.substring(0, slash); // at the root, '..' is the root
                } else if (!name.equals(".")) {
                    path = LocalFs.join(path, name);
                }
                P9Qid q = fs.stat(path).qid();
                qids[done++] = q;
            }
        } catch (P9Error e) {
            if (done == 0) {
                throw e;
            }
        }
        if (done == wk.names().size()) {
            P9Fid n = from.copy(path);
            P9Fid old = fids.put(wk.newFid(), n);
            if (old != null && old != from) {
                old.close();
            }
        }
        w.u16(done);
        for (int i = 0; i < done; i++) {
            w.qid(qids[i]);
        }
    }

    private void open(P9Fid f, LocalFs.Stat s, int flags) throws P9Error {
        int acc = flags & 3;
        switch (s.type()) {
            case LocalFs.S_IFDIR -> {
                if (acc != 0) {
                    throw new P9Error(EISDIR);
                }
                f.kind = P9Fid.Kind.DIR;
            }
            case LocalFs.S_IFLNK -> throw new P9Error(ELOOP);
            default -> {
                if (s.type() != LocalFs.S_IFREG) {
                    throw new P9Error(EOPNOTSUPP); // device nodes and FIFOs are not opened through the share
                }
                f.channel = fs.open(f.path, flags, false);
                f.kind = P9Fid.Kind.FILE;
            }
        }
        f.openFlags = flags;
    }

    /** QEMU's st_blksize and iounit: the most whole 4 KiB blocks one Tread/Twrite carries. */
    private int iounit() {
        return 4096 * Math.max(1, (msize - 24) / 4096);
    }

    private static void getattr(LocalFs.Stat s, P9Writer w, int blksize) {
        w.u64(GETATTR_BASIC).qid(s.qid()).u32(s.mode()).u32(s.uid()).u32(s.gid()).u64(s.nlink()).u64(s.rdev())
                .u64(s.size()).u64(blksize).u64(s.blocks());
        for (FileTime t : new FileTime[] {s.atime(), s.mtime(), s.ctime()}) {
            long ns = t.to(TimeUnit.NANOSECONDS);
            w.u64(Math.floorDiv(ns, 1_000_000_000L)).u64(Math.floorMod(ns, 1_000_000_000L));
        }
        w.u64(0).u64(0).u64(0).u64(0); // btime, gen, data_version: not in the basic set
    }

    private void setattr(P9Fid f, Setattr s) throws P9Error {
        int v = s.valid();
        if ((v & ATTR_MODE) != 0) {
            fs.chmod(f.path, s.mode());
        }
        if ((v & (ATTR_UID | ATTR_GID)) != 0) {
            fs.chown(f.path, (v & ATTR_UID) != 0 ? s.uid() : -1, (v & ATTR_GID) != 0 ? s.gid() : -1);
        }
        if ((v & ATTR_SIZE) != 0) {
            fs.truncate(f.path, s.size());
        }
        if ((v & (ATTR_ATIME | ATTR_MTIME)) != 0) {
            FileTime now = FileTime.fromMillis(System.currentTimeMillis());
            FileTime a = (v & ATTR_ATIME) == 0 ? null : (v & ATTR_ATIME_SET) != 0 ? time(s.atimeSec(), s.atimeNsec()) : now;
            FileTime m = (v & ATTR_MTIME) == 0 ? null : (v & ATTR_MTIME_SET) != 0 ? time(s.mtimeSec(), s.mtimeNsec()) : now;
            fs.utimes(f.path, a, m);
        }
    }

    private static FileTime time(long sec, long nsec) {
        return FileTime.from(java.time.Instant.ofEpochSecond(sec, Math.floorMod(nsec, 1_000_000_000L)));
    }

    private void readdir(Readdir r, P9Writer w, int limit) throws P9Error {
        P9Fid f = fid(r.fid());
        if (f.kind != P9Fid.Kind.DIR) {
            throw new P9Error(f.kind == P9Fid.Kind.PATH ? EINVAL : ENOTDIR);
        }
        if (r.offset() == 0 || f.listing == null) {
            f.listing = fs.list(f.path);
        }
        int room = Math.min(r.count() < 0 ? Integer.MAX_VALUE : r.count(), limit - 11);
        P9Writer entries = new P9Writer(0, 0);
        int start = entries.size();
        for (long i = Math.max(0, r.offset()); i < f.listing.size(); i++) {
            String name = f.listing.get((int) i);
            String p = name.equals(".") ? f.path : name.equals("..") ? parent(f.path) : LocalFs.join(f.path, name);
            LocalFs.Stat s;
            try {
                s = fs.stat(p);
            } catch (P9Error e) {
                continue; // removed since it was listed
            }
            int len = 13 + 8 + 1 + 2 + name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (entries.size() - start + len > room) {
                break;
            }
            entries.qid(s.qid()).u64(i + 1).u8(s.type() >> 12).str(name);
        }
        byte[] e = entries.finish();
        w.u32(e.length - start).bytes(e, start, e.length - start);
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    private void read(Read r, P9Writer w, int limit) throws P9Error {
        P9Fid f = fid(r.fid());
        int n = (int) Math.min(r.count() & 0xffff_ffffL, limit - 11L);
        if (n < 0 || r.offset() < 0) {
            throw new P9Error(EINVAL);
        }
        switch (f.kind) {
            case FILE -> {
                if ((f.openFlags & 3) == 1) {
                    throw new P9Error(EBADF);
                }
                ByteBuffer b = ByteBuffer.allocate(n);
                try {
                    while (b.hasRemaining()) {
                        int got = f.channel.read(b, r.offset() + b.position());
                        if (got <= 0) {
                            break;
                        }
                    }
                } catch (IOException e) {
                    throw LocalFs.error(e);
                }
                w.u32(b.position()).bytes(b.array(), 0, b.position());
            }
            case XATTR_READ -> {
                byte[] v = f.xattrValue;
                int off = (int) Math.min(r.offset(), v.length);
                int len = Math.min(n, v.length - off);
                w.u32(len).bytes(v, off, len);
            }
            case DIR -> throw new P9Error(EISDIR);
            default -> throw new P9Error(EBADF);
        }
    }

    private int write(Write wr) throws P9Error {
        P9Fid f = fid(wr.fid());
        byte[] d = wr.data();
        switch (f.kind) {
            case FILE -> {
                if ((f.openFlags & 3) == 0) {
                    throw new P9Error(EBADF);
                }
                if (wr.offset() < 0) {
                    throw new P9Error(EINVAL);
                }
                ByteBuffer b = ByteBuffer.wrap(d);
                try {
                    while (b.hasRemaining()) {
                        f.channel.write(b, wr.offset() + b.position());
                    }
                } catch (IOException e) {
                    throw LocalFs.error(e);
                }
                return d.length;
            }
            case XATTR_WRITE -> {
                if (wr.offset() != f.xattrWritten.size() || f.xattrWritten.size() + (long) d.length > f.xattrSize) {
                    throw new P9Error(EINVAL);
                }
                f.xattrWritten.write(d, 0, d.length);
                return d.length;
            }
            case DIR -> throw new P9Error(EISDIR);
            default -> throw new P9Error(EBADF);
        }
    }

    private void commitXattr(P9Fid f) throws P9Error {
        byte[] v = f.xattrWritten.toByteArray();
        if (v.length != f.xattrSize) {
            throw new P9Error(EINVAL);
        }
        fs.setXattr(f.path, f.xattrName, v, v.length == 0 && f.xattrFlags == 0);
    }

    /** Renames on the host and moves every fid at or below the old path along, as the guest expects. */
    private void rename(String from, String to) throws P9Error {
        fs.rename(from, to);
        for (P9Fid f : fids.values()) {
            if (f.path.equals(from)) {
                f.path = to;
            } else if (f.path.startsWith(from + "/")) {
                f.path = to + f.path.substring(from.length());
            }
        }
    }

    private void clunkAll() {
        for (P9Fid f : fids.values()) {
            f.close();
        }
        fids.clear();
    }

    /** Device reset: every fid is gone. */
    public void reset() {
        clunkAll();
        msize = MAX_MSIZE;
    }

    /** The fid table by path (open files reopen by path on load, as their host files are still there). */
    public void saveState(StateWriter out) {
        TreeMap<Integer, P9Fid> sorted = new TreeMap<>(fids);
        int[] ids = new int[sorted.size()], uids = new int[ids.length], flags = new int[ids.length],
                kinds = new int[ids.length];
        StringBuilder paths = new StringBuilder();
        int i = 0;
        for (Map.Entry<Integer, P9Fid> e : sorted.entrySet()) {
            P9Fid f = e.getValue();
            ids[i] = e.getKey();
            uids[i] = f.uid;
            flags[i] = f.openFlags;
            kinds[i] = f.kind == P9Fid.Kind.FILE || f.kind == P9Fid.Kind.DIR ? f.kind.ordinal() : 0;
            paths.append(f.path).append('\0');
            i++;
        }
        out.putInt("msize", msize).putInts("fids", ids).putInts("fid_uids", uids).putInts("fid_flags", flags)
                .putInts("fid_kinds", kinds).putString("fid_paths", paths.toString());
    }

    public void loadState(StateReader in) {
        clunkAll();
        msize = in.getInt("msize", MAX_MSIZE);
        if (!in.has("fids")) {
            return;
        }
        int[] ids = in.getInts("fids"), uids = in.getInts("fid_uids"), flags = in.getInts("fid_flags"),
                kinds = in.getInts("fid_kinds");
        String[] paths = in.getString("fid_paths").split("\0", -1);
        for (int i = 0; i < ids.length; i++) {
            P9Fid f = new P9Fid(paths[i], uids[i]);
            try {
                if (kinds[i] != 0) {
                    open(f, fs.stat(f.path), flags[i] & ~(01000 | 0100 | 0200)); // no truncation on reopen
                }
            } catch (P9Error e) {
                // gone from the host meanwhile: the fid stays, its next use fails as a removed file would
            }
            fids.put(ids[i], f);
        }
    }
}
