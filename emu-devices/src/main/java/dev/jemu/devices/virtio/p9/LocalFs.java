package dev.jemu.devices.virtio.p9;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.jemu.core.host.Libc;
import dev.jemu.devices.block.HostFileStat;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * QEMU's {@code local} fsdev driver: a host directory exported to the guest. Paths are relative to the
 * root ({@code ""} is the root, components joined with '/') and were built by walks that never contain '/',
 * '.' or '..'; every access also checks that no component on the way is a host symlink and never follows the
 * last one (NOFOLLOW), so nothing the guest does reaches outside the root. A symlink's target is only a
 * string handed to the guest, which resolves it in its own namespace.
 */
public final class LocalFs {
    static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;
    /** Host modes of files and directories made by the mapped models (QEMU's defaults, fmode/dmode). */
    static final int MAPPED_FILE_MODE = 0600, MAPPED_DIR_MODE = 0700;
    static final String XATTR_PREFIX = XattrMappedAttrs.PREFIX;
    private static final MethodHandle MKNOD = Libc.function("mknod",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));

    /** struct stat as the guest sees it. */
    record Stat(int mode, int uid, int gid, long nlink, long rdev, long size, long blocks, long ino, FileTime atime,
            FileTime mtime, FileTime ctime) {
        int type() {
            return mode & S_IFMT;
        }

        P9Qid qid() {
            int t = type() == S_IFDIR ? P9Qid.DIR : type() == S_IFLNK ? P9Qid.SYMLINK : P9Qid.FILE;
            // QEMU's version: changes when the file does
            return new P9Qid(t, (int) (mtime.to(TimeUnit.SECONDS) ^ (size << 8)), ino);
        }
    }

    private final Path root;
    private final SecurityModel model;
    private final boolean readOnly;
    /** The mapped models' store of guest owners and modes; null for passthrough and none. */
    private final MappedAttrs mapped;

    public LocalFs(Path root, SecurityModel model, boolean readOnly) {
        this.root = root.toAbsolutePath().normalize();
        this.model = model;
        this.readOnly = readOnly;
        this.mapped = switch (model) {
            case MAPPED_XATTR -> new XattrMappedAttrs();
            case MAPPED_FILE -> new FileMappedAttrs();
            default -> null;
        };
    }

    /** Whether a name in a directory is the security model's own metadata, which the guest never sees. */
    boolean hidden(String name) {
        return mapped != null && mapped.hidden(name);
    }

    public Path root() {
        return root;
    }

    public SecurityModel model() {
        return model;
    }

    public boolean readOnly() {
        return readOnly;
    }

    static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    /** The host path of {@code rel}, after checking that none of its parent directories is a host symlink. */
    Path host(String rel) throws P9Error {
        Path p = root;
        if (rel.isEmpty()) {
            return p;
        }
        String[] parts = rel.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            p = p.resolve(parts[i]);
            if (!Files.isDirectory(p, NOFOLLOW_LINKS)) {
                throw new P9Error(Files.exists(p, NOFOLLOW_LINKS) ? P9Error.ENOTDIR : P9Error.ENOENT);
            }
        }
        return p.resolve(parts[parts.length - 1]);
    }

    void checkWritable() throws P9Error {
        if (readOnly) {
            throw new P9Error(P9Error.EROFS);
        }
    }

    Stat stat(String rel) throws P9Error {
        Path p = host(rel);
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:*", NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            int uid = (Integer) a.get("uid");
            int gid = (Integer) a.get("gid");
            long rdev = (Long) a.get("rdev");
            long size = (Long) a.get("size");
            if (mapped != null && (mode & S_IFMT) != S_IFLNK) {
                long[] v = mapped.load(p, rel.isEmpty());
                uid = v[0] != -1 ? (int) v[0] : uid;
                gid = v[1] != -1 ? (int) v[1] : gid;
                mode = v[2] != -1 ? (int) v[2] : mode;
                rdev = v[3] != -1 ? v[3] : rdev;
            }
            long allocated = HostFileStat.allocatedBytesNoFollow(p);
            long blocks = allocated >= 0 ? allocated / 512 : (size + 511) / 512;
            return new Stat(mode, uid, gid, ((Integer) a.get("nlink")).longValue(), rdev, size, blocks,
                    (Long) a.get("ino"), (FileTime) a.get("lastAccessTime"), (FileTime) a.get("lastModifiedTime"),
                    (FileTime) a.get("ctime"));
        } catch (IOException e) {
            throw error(e);
        }
    }

    /** Opens a regular file with Linux open(2) flags; never through a symlink. */
    FileChannel open(String rel, int flags, boolean create) throws P9Error {
        Set<OpenOption> o = new HashSet<>();
        o.add(NOFOLLOW_LINKS);
        int acc = flags & 3;
        if (acc == 0 || acc == 2) {
            o.add(StandardOpenOption.READ);
        }
        if (acc == 1 || acc == 2) {
            o.add(StandardOpenOption.WRITE);
        }
        if ((flags & 01000) != 0 && acc != 0) {
            o.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        if (create) {
            o.add(StandardOpenOption.CREATE_NEW);
        }
        if (acc != 0 || create || (flags & 01000) != 0) {
            checkWritable();
        }
        Path p = host(rel);
        try {
            return FileChannel.open(p, o);
        } catch (IOException e) {
            throw error(e);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            throw new P9Error(P9Error.EINVAL);
        }
    }

    /** Sets the new file's guest owner and mode as the security model stores them. */
    void setCredentials(String rel, int mode, int uid, int gid, long rdev) throws P9Error {
        Path p = host(rel);
        try {
            if (mapped != null) {
                mapped.store(p, rel.isEmpty(), uid, gid, mode, rdev);
            } else {
                try {
                    Files.setAttribute(p, "unix:uid", uid, NOFOLLOW_LINKS);
                    Files.setAttribute(p, "unix:gid", gid, NOFOLLOW_LINKS);
                } catch (IOException e) {
                    if (model == SecurityModel.PASSTHROUGH) {
                        throw e;
                    }
                }
                if ((mode & S_IFMT) != S_IFLNK) {
                    Files.setAttribute(p, "unix:mode", mode & 07777, NOFOLLOW_LINKS);
                }
            }
        } catch (IOException e) {
            throw error(e);
        }
    }

    /** Creates an empty regular file (mapped: a plain 0600 file, the guest's mode in xattrs). */
    void createFile(String rel, int mode, int uid, int gid) throws P9Error {
        checkWritable();
        try (FileChannel c = open(rel, 1, true)) {
            // created
        } catch (IOException e) {
            throw error(e);
        }
        hostModeForMapped(rel, MAPPED_FILE_MODE);
        setCredentials(rel, S_IFREG | (mode & 07777), uid, gid, -1);
    }

    void mkdir(String rel, int mode, int uid, int gid) throws P9Error {
        checkWritable();
        try {
            Files.createDirectory(host(rel));
        } catch (IOException e) {
            throw error(e);
        }
        hostModeForMapped(rel, MAPPED_DIR_MODE);
        setCredentials(rel, S_IFDIR | (mode & 07777), uid, gid, -1);
    }

    private void hostModeForMapped(String rel, int hostMode) throws P9Error {
        if (model.mapped()) {
            try {
                Files.setAttribute(host(rel), "unix:mode", hostMode, NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw error(e);
            }
        }
    }

    /** A symlink; the mapped models store it as a plain file holding the target, as QEMU does. */
    void symlink(String rel, String target, int uid, int gid) throws P9Error {
        checkWritable();
        Path p = host(rel);
        try {
            if (model.mapped()) {
                try (FileChannel c = open(rel, 1, true)) {
                    c.write(ByteBuffer.wrap(target.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                }
                hostModeForMapped(rel, MAPPED_FILE_MODE);
            } else {
                Files.createSymbolicLink(p, Path.of(target));
            }
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw e instanceof IOException io ? error(io) : new P9Error(P9Error.EINVAL);
        }
        setCredentials(rel, S_IFLNK | 0777, uid, gid, -1);
    }

    String readlink(String rel) throws P9Error {
        Path p = host(rel);
        try {
            if (model.mapped() && !Files.isSymbolicLink(p)) {
                if ((stat(rel).mode() & S_IFMT) != S_IFLNK) {
                    throw new P9Error(P9Error.EINVAL);
                }
                return new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.UTF_8);
            }
            return Files.readSymbolicLink(p).toString();
        } catch (NotLinkException e) {
            throw new P9Error(P9Error.EINVAL);
        } catch (IOException e) {
            throw error(e);
        }
    }

    /** A device node or FIFO: a host node with passthrough/none (needs mknod(2)), a plain file when mapped. */
    void mknod(String rel, int mode, long rdev, int uid, int gid) throws P9Error {
        checkWritable();
        if (model.mapped()) {
            createFile(rel, 0, uid, gid);
            setCredentials(rel, mode, uid, gid, rdev);
            return;
        }
        if ((mode & S_IFMT) == S_IFREG || (mode & S_IFMT) == 0) {
            createFile(rel, mode, uid, gid);
            return;
        }
        if (MKNOD == null) {
            throw new P9Error(P9Error.EOPNOTSUPP);
        }
        Path p = host(rel);
        int rc;
        try (Arena a = Arena.ofConfined()) {
            rc = (int) MKNOD.invokeExact(a.allocateFrom(p.toString()), mode, rdev);
        } catch (Throwable t) {
            throw new P9Error(P9Error.EIO);
        }
        if (rc != 0) {
            throw new P9Error(Files.exists(p, NOFOLLOW_LINKS) ? P9Error.EEXIST : P9Error.EPERM);
        }
        setCredentials(rel, mode, uid, gid, -1);
    }

    void chmod(String rel, int mode) throws P9Error {
        checkWritable();
        Stat s = stat(rel);
        if (model.mapped()) {
            try {
                mapped.store(host(rel), rel.isEmpty(), -1, -1, s.type() | (mode & 07777), -1);
            } catch (IOException e) {
                throw error(e);
            }
            return;
        }
        if (s.type() == S_IFLNK) {
            throw new P9Error(P9Error.EOPNOTSUPP); // Linux cannot chmod a symlink
        }
        try {
            Files.setAttribute(host(rel), "unix:mode", mode & 07777, NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw error(e);
        }
    }

    /** chown; -1 leaves that id unchanged. */
    void chown(String rel, int uid, int gid) throws P9Error {
        checkWritable();
        Path p = host(rel);
        try {
            if (mapped != null) {
                mapped.store(p, rel.isEmpty(), uid, gid, -1, -1);
                return;
            }
            if (uid != -1) {
                Files.setAttribute(p, "unix:uid", uid, NOFOLLOW_LINKS);
            }
            if (gid != -1) {
                Files.setAttribute(p, "unix:gid", gid, NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw error(e);
        }
    }

    void truncate(String rel, long size) throws P9Error {
        checkWritable();
        Path p = host(rel);
        if (size < 0) {
            throw new P9Error(P9Error.EINVAL);
        }
        if (!Files.isRegularFile(p, NOFOLLOW_LINKS)) {
            throw new P9Error(Files.isDirectory(p, NOFOLLOW_LINKS) ? P9Error.EISDIR : P9Error.EINVAL);
        }
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) { // checked: not a symlink
            f.setLength(size);
        } catch (IOException e) {
            throw error(e);
        }
    }

    /** Sets the times; null leaves one unchanged. */
    void utimes(String rel, FileTime atime, FileTime mtime) throws P9Error {
        checkWritable();
        try {
            Files.getFileAttributeView(host(rel), BasicFileAttributeView.class, NOFOLLOW_LINKS).setTimes(mtime, atime,
                    null);
        } catch (IOException e) {
            throw error(e);
        }
    }

    void link(String existing, String rel) throws P9Error {
        checkWritable();
        try {
            Files.createLink(host(rel), host(existing));
        } catch (IOException e) {
            throw error(e);
        }
    }

    void rename(String from, String to) throws P9Error {
        checkWritable();
        try {
            Path f = host(from), t = host(to);
            Files.move(f, t, StandardCopyOption.ATOMIC_MOVE); // rename(2): replaces the target
            if (mapped != null) {
                mapped.renamed(f, t);
            }
        } catch (IOException e) {
            throw error(e);
        }
    }

    /** unlinkat: {@code dir} as AT_REMOVEDIR asks. */
    void unlink(String rel, boolean dir) throws P9Error {
        checkWritable();
        Path p = host(rel);
        boolean isDir = Files.isDirectory(p, NOFOLLOW_LINKS);
        if (Files.exists(p, NOFOLLOW_LINKS) && isDir != dir) {
            throw new P9Error(dir ? P9Error.ENOTDIR : P9Error.EISDIR);
        }
        try {
            if (mapped != null && Files.exists(p, NOFOLLOW_LINKS)) {
                mapped.removing(p, dir);
            }
            Files.delete(p);
        } catch (IOException e) {
            throw error(e);
        }
    }

    /** The names in directory {@code rel}, "." and ".." first as readdir(3) gives them. */
    List<String> list(String rel) throws P9Error {
        Path p = host(rel);
        if (!Files.isDirectory(p, NOFOLLOW_LINKS)) {
            throw new P9Error(Files.exists(p, NOFOLLOW_LINKS) ? P9Error.ENOTDIR : P9Error.ENOENT);
        }
        List<String> names = new ArrayList<>(List.of(".", ".."));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
            for (Path e : ds) {
                String n = e.getFileName().toString();
                if (!hidden(n)) {
                    names.add(n);
                }
            }
        } catch (IOException e) {
            throw error(e);
        }
        return names;
    }

    /** The guest-visible value of extended attribute {@code name} (only the user namespace is exported). */
    byte[] getXattr(String rel, String name) throws P9Error {
        if (!name.startsWith("user.") || hiddenXattr(name)) {
            throw new P9Error(P9Error.ENODATA);
        }
        try {
            UserDefinedFileAttributeView v = Files.getFileAttributeView(host(rel), UserDefinedFileAttributeView.class,
                    NOFOLLOW_LINKS);
            String n = name.substring(5);
            if (!v.list().contains(n)) {
                throw new P9Error(P9Error.ENODATA);
            }
            ByteBuffer b = ByteBuffer.allocate(v.size(n));
            v.read(n, b);
            return b.array();
        } catch (IOException | UnsupportedOperationException e) {
            throw new P9Error(P9Error.ENODATA);
        }
    }

    /** listxattr(2)'s answer: NUL-terminated names, the mapped model's own hidden. */
    byte[] listXattrs(String rel) throws P9Error {
        StringBuilder sb = new StringBuilder();
        try {
            UserDefinedFileAttributeView v = Files.getFileAttributeView(host(rel), UserDefinedFileAttributeView.class,
                    NOFOLLOW_LINKS);
            for (String n : v.list()) {
                if (!hiddenXattr("user." + n)) {
                    sb.append("user.").append(n).append('\0');
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // a symlink or a file system without xattrs: none
        }
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** setxattr (an empty value with {@code remove}: removexattr). */
    void setXattr(String rel, String name, byte[] value, boolean remove) throws P9Error {
        checkWritable();
        if (hiddenXattr(name)) {
            throw new P9Error(P9Error.EACCES); // the guest may not forge its own mapped owner
        }
        if (!name.startsWith("user.")) {
            throw new P9Error(P9Error.EOPNOTSUPP);
        }
        try {
            UserDefinedFileAttributeView v = Files.getFileAttributeView(host(rel), UserDefinedFileAttributeView.class,
                    NOFOLLOW_LINKS);
            if (remove) {
                v.delete(name.substring(5));
            } else {
                v.write(name.substring(5), ByteBuffer.wrap(value));
            }
        } catch (IOException e) {
            throw error(e);
        } catch (UnsupportedOperationException e) {
            throw new P9Error(P9Error.EOPNOTSUPP);
        }
    }

    private boolean hiddenXattr(String name) {
        return model == SecurityModel.MAPPED_XATTR && name.startsWith("user." + XATTR_PREFIX);
    }

    /** statfs: total, free and available blocks of {@code bsize} bytes. */
    long[] statfs() throws P9Error {
        try {
            FileStore s = Files.getFileStore(root);
            long bsize = Math.max(512, s.getBlockSize());
            return new long[] {bsize, s.getTotalSpace() / bsize, s.getUnallocatedSpace() / bsize,
                    s.getUsableSpace() / bsize};
        } catch (IOException | UnsupportedOperationException e) {
            return new long[] {4096, 0, 0, 0};
        }
    }

    /** The errno for a host I/O failure. */
    static P9Error error(IOException e) {
        int errno;
        if (e instanceof NoSuchFileException) {
            errno = P9Error.ENOENT;
        } else if (e instanceof FileAlreadyExistsException) {
            errno = P9Error.EEXIST;
        } else if (e instanceof DirectoryNotEmptyException) {
            errno = P9Error.ENOTEMPTY;
        } else if (e instanceof NotDirectoryException) {
            errno = P9Error.ENOTDIR;
        } else if (e instanceof AccessDeniedException) {
            errno = P9Error.EACCES;
        } else if (e instanceof FileSystemException f && f.getReason() != null) {
            String r = f.getReason();
            errno = r.contains("symbolic links") ? P9Error.ELOOP
                    : r.contains("Not a directory") ? P9Error.ENOTDIR
                    : r.contains("Is a directory") ? P9Error.EISDIR
                    : r.contains("Read-only") ? P9Error.EROFS
                    : r.contains("No space") ? P9Error.ENOSPC
                    : r.contains("cross-device") || r.contains("Invalid cross") ? P9Error.EXDEV
                    : r.contains("not permitted") ? P9Error.EPERM
                    : r.contains("No data") ? P9Error.ENODATA
                    : r.contains("File name too long") ? P9Error.ENAMETOOLONG
                    : r.contains("Invalid argument") ? P9Error.EINVAL
                    : P9Error.EIO;
        } else {
            errno = P9Error.EIO;
        }
        return new P9Error(errno);
    }
}
