package dev.jemu.devices.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A read-only ext2/ext3/ext4 reader, enough to load a kernel from {@code /boot}: superblock, group
 * descriptors (32- and 64-bit, meta_bg), inodes, extent trees and classic block maps, directories (an htree
 * index is read as the linear directory it also is), fast and slow symbolic links. The journal is not
 * replayed. Every structure is checked against the device size; a corrupt file system is an
 * {@link FsException}.
 */
public final class Ext4 implements FileSystem {
    static final int MAGIC = 0xEF53;
    static final int ROOT_INODE = 2;
    static final long INCOMPAT_FILETYPE = 0x2, INCOMPAT_META_BG = 0x10, INCOMPAT_64BIT = 0x80;
    static final long RO_COMPAT_SPARSE_SUPER = 0x1;
    static final int EXTENTS_FL = 0x80000, INLINE_DATA_FL = 0x10000000;
    static final int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFLNK = 0xA000;
    /** Largest file we read into memory. */
    static final long MAX_FILE = 1L << 30;
    static final int MAX_SYMLINKS = 40;

    private final ByteSource src;
    private final int blockSize;
    private final long blocksCount, firstDataBlock, blocksPerGroup, inodesPerGroup, inodesCount, groupCount;
    private final int inodeSize, descSize;
    private final long incompat, roCompat, firstMetaBg;

    private Ext4(ByteSource src, byte[] sb) throws FsException {
        this.src = src;
        long logBlock = Le.u32(sb, 0x18);
        if (logBlock > 6) {
            throw new FsException("ext4: bad block size 2^(10+" + logBlock + ")");
        }
        blockSize = 1024 << logBlock;
        incompat = Le.u32(sb, 0x60);
        roCompat = Le.u32(sb, 0x64);
        blocksCount = Le.u32(sb, 0x04) | ((incompat & INCOMPAT_64BIT) != 0 ? Le.u32(sb, 0x150) << 32 : 0);
        firstDataBlock = Le.u32(sb, 0x14);
        blocksPerGroup = Le.u32(sb, 0x20);
        inodesPerGroup = Le.u32(sb, 0x28);
        inodesCount = Le.u32(sb, 0x00);
        inodeSize = Le.u32(sb, 0x4C) == 0 ? 128 : Le.u16(sb, 0x58);
        descSize = (incompat & INCOMPAT_64BIT) != 0 ? Le.u16(sb, 0xFE) : 32;
        firstMetaBg = Le.u32(sb, 0x104);
        if (blocksPerGroup == 0 || inodesPerGroup == 0 || inodeSize < 128 || inodeSize > blockSize
                || Integer.bitCount(inodeSize) != 1 || descSize < 32 || descSize > blockSize
                || Integer.bitCount(descSize) != 1 || firstDataBlock >= blocksCount) {
            throw new FsException("ext4: inconsistent superblock");
        }
        groupCount = (blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
    }

    public static boolean probe(ByteSource src) throws IOException {
        if (src.size() < 2048) {
            return false;
        }
        return Le.u16(src.read(1024 + 0x38, 2), 0) == MAGIC;
    }

    public static Ext4 open(ByteSource src) throws IOException {
        if (!probe(src)) {
            throw new FsException("not an ext2/3/4 file system");
        }
        return new Ext4(src, src.read(1024, 1024));
    }

    @Override
    public String type() {
        return "ext4";
    }

    public int blockSize() {
        return blockSize;
    }

    private byte[] block(long b) throws IOException {
        return blocks(b, 1);
    }

    private byte[] blocks(long b, int n) throws IOException {
        if (b < 0 || b + n > blocksCount || (b + n) * blockSize > src.size()) {
            throw new FsException("ext4: block " + b + " is outside the file system");
        }
        return src.read(b * blockSize, n * blockSize);
    }

    private boolean hasSuper(long group) {
        if ((roCompat & RO_COMPAT_SPARSE_SUPER) == 0 || group <= 1) {
            return true;
        }
        for (long base : new long[] {3, 5, 7}) {
            long p = base;
            while (p < group) {
                p *= base;
            }
            if (p == group) {
                return true;
            }
        }
        return false;
    }

    /** The block holding group descriptor block number {@code i}. */
    private long descBlock(long i) {
        if ((incompat & INCOMPAT_META_BG) == 0 || i < firstMetaBg) {
            return firstDataBlock + 1 + i;
        }
        long group = i * (blockSize / descSize);
        return firstDataBlock + group * blocksPerGroup + (hasSuper(group) ? 1 : 0);
    }

    /** An inode's raw bytes. */
    byte[] inode(long ino) throws IOException {
        if (ino < 1 || ino > inodesCount) {
            throw new FsException("ext4: inode number " + ino + " out of range");
        }
        long group = (ino - 1) / inodesPerGroup, index = (ino - 1) % inodesPerGroup;
        if (group >= groupCount) {
            throw new FsException("ext4: inode " + ino + " is in a group that does not exist");
        }
        int perBlock = blockSize / descSize;
        byte[] gd = block(descBlock(group / perBlock));
        int o = (int) (group % perBlock) * descSize;
        long table = Le.u32(gd, o + 8) | (descSize >= 64 ? Le.u32(gd, o + 0x28) << 32 : 0);
        long off = table * blockSize + index * inodeSize;
        if (table == 0 || table >= blocksCount || off + inodeSize > src.size()) {
            throw new FsException("ext4: inode table of group " + group + " is outside the file system");
        }
        return src.read(off, inodeSize);
    }

    static int mode(byte[] inode) {
        return Le.u16(inode, 0);
    }

    static long size(byte[] inode) {
        return Le.u32(inode, 4) | Le.u32(inode, 0x6C) << 32;
    }

    static int flags(byte[] inode) {
        return (int) Le.u32(inode, 0x20);
    }

    /** A run of file blocks: logical block, physical block (0 = hole or unwritten), count. */
    private record Run(long logical, long physical, long count) {
    }

    /** The whole content of an inode. */
    byte[] content(byte[] inode) throws IOException {
        long size = size(inode);
        if (size > MAX_FILE) {
            throw new FsException("ext4: file of " + size + " bytes is too large to load");
        }
        byte[] out = new byte[(int) size];
        if ((flags(inode) & INLINE_DATA_FL) != 0) {
            if (size > 60) {
                throw new FsException("ext4: inline data larger than the inode is not supported");
            }
            System.arraycopy(inode, 0x28, out, 0, (int) size);
            return out;
        }
        long fileBlocks = (size + blockSize - 1) / blockSize;
        List<Run> runs = new ArrayList<>();
        if ((flags(inode) & EXTENTS_FL) != 0) {
            extents(java.util.Arrays.copyOfRange(inode, 0x28, 0x28 + 60), 0, runs);
        } else {
            blockMap(inode, fileBlocks, runs);
        }
        for (Run r : runs) {
            if (r.physical == 0 || r.logical >= fileBlocks) {
                continue; // a hole or unwritten extent reads as zeroes
            }
            long n = Math.min(r.count, fileBlocks - r.logical);
            for (long done = 0; done < n; ) {
                int chunk = (int) Math.min(n - done, Math.max(1, (8 << 20) / blockSize));
                byte[] data = blocks(r.physical + done, chunk);
                long pos = (r.logical + done) * blockSize;
                int len = (int) Math.min(data.length, size - pos);
                System.arraycopy(data, 0, out, (int) pos, len);
                done += chunk;
            }
        }
        return out;
    }

    private void extents(byte[] node, int depth, List<Run> runs) throws IOException {
        if (Le.u16(node, 0) != 0xF30A) {
            throw new FsException("ext4: bad extent header");
        }
        int entries = Le.u16(node, 2), treeDepth = Le.u16(node, 6);
        if (depth > 5 || treeDepth > 5 || 12 + entries * 12 > node.length) {
            throw new FsException("ext4: corrupt extent tree");
        }
        for (int i = 0; i < entries; i++) {
            int e = 12 + i * 12;
            if (treeDepth == 0) {
                long logical = Le.u32(node, e);
                int len = Le.u16(node, e + 4);
                boolean unwritten = len > 32768;
                if (unwritten) {
                    len -= 32768;
                }
                long physical = Le.u16(node, e + 6) << 32 | Le.u32(node, e + 8);
                runs.add(new Run(logical, unwritten ? 0 : physical, len));
            } else {
                long leaf = Le.u32(node, e + 4) | (long) Le.u16(node, e + 8) << 32;
                extents(block(leaf), depth + 1, runs);
            }
        }
    }

    private void blockMap(byte[] inode, long fileBlocks, List<Run> runs) throws IOException {
        long[] next = {0};
        for (int i = 0; i < 12 && next[0] < fileBlocks; i++) {
            addBlock(runs, next[0]++, Le.u32(inode, 0x28 + 4 * i));
        }
        for (int level = 1; level <= 3 && next[0] < fileBlocks; level++) {
            indirect(Le.u32(inode, 0x28 + 4 * (11 + level)), level, fileBlocks, next, runs);
        }
    }

    private void indirect(long b, int level, long fileBlocks, long[] next, List<Run> runs) throws IOException {
        long span = 1;
        for (int i = 0; i < level; i++) {
            span *= blockSize / 4;
        }
        if (b == 0) {
            next[0] += span; // a hole
            return;
        }
        byte[] ptrs = block(b);
        for (int i = 0; i < blockSize / 4 && next[0] < fileBlocks; i++) {
            long p = Le.u32(ptrs, 4 * i);
            if (level == 1) {
                addBlock(runs, next[0]++, p);
            } else {
                indirect(p, level - 1, fileBlocks, next, runs);
            }
        }
    }

    private static void addBlock(List<Run> runs, long logical, long physical) {
        if (!runs.isEmpty()) {
            Run last = runs.get(runs.size() - 1);
            if (physical != 0 && last.physical != 0 && last.logical + last.count == logical
                    && last.physical + last.count == physical) {
                runs.set(runs.size() - 1, new Run(last.logical, last.physical, last.count + 1));
                return;
            }
        }
        runs.add(new Run(logical, physical, 1));
    }

    /** A directory entry: name and inode number. */
    public record Entry(String name, long inode) {
    }

    /** The entries of a directory inode, in on-disk order. */
    List<Entry> list(byte[] dir) throws IOException {
        byte[] data = content(dir);
        boolean fileType = (incompat & INCOMPAT_FILETYPE) != 0;
        List<Entry> out = new ArrayList<>();
        for (int blockStart = 0; blockStart < data.length; blockStart += blockSize) {
            int end = Math.min(data.length, blockStart + blockSize);
            int p = blockStart;
            while (p + 8 <= end) {
                long ino = Le.u32(data, p);
                int recLen = Le.u16(data, p + 4);
                int nameLen = fileType ? Le.u8(data, p + 6) : Le.u16(data, p + 6);
                if (recLen == 0 && blockSize == 65536) {
                    recLen = 65536; // rec_len 0 encodes 64 KiB
                }
                if (recLen < 8 || p + recLen > end || 8 + nameLen > recLen) {
                    throw new FsException("ext4: corrupt directory entry");
                }
                if (ino != 0 && nameLen > 0) {
                    out.add(new Entry(new String(data, p + 8, nameLen, StandardCharsets.UTF_8), ino));
                }
                p += recLen;
            }
        }
        return out;
    }

    /** Lists the directory at {@code path}, or null if it is not a directory. */
    public List<Entry> listDirectory(String path) throws IOException {
        long ino = resolve(path, true);
        if (ino == 0) {
            return null;
        }
        byte[] inode = inode(ino);
        return (mode(inode) & S_IFMT) == S_IFDIR ? list(inode) : null;
    }

    @Override
    public byte[] readFile(String path) throws IOException {
        long ino = resolve(path, true);
        if (ino == 0) {
            return null;
        }
        byte[] inode = inode(ino);
        return (mode(inode) & S_IFMT) == S_IFREG ? content(inode) : null;
    }

    /** The inode number {@code path} names (0 if none), following symbolic links. */
    long resolve(String path, boolean followLast) throws IOException {
        int[] links = {0};
        return walk(ROOT_INODE, path, followLast, links);
    }

    private long walk(long start, String path, boolean followLast, int[] links) throws IOException {
        long cur = path.startsWith("/") ? ROOT_INODE : start;
        String[] parts = path.split("/");
        for (int i = 0; i < parts.length; i++) {
            String name = parts[i];
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            byte[] dir = inode(cur);
            if ((mode(dir) & S_IFMT) != S_IFDIR) {
                return 0;
            }
            long found = 0;
            for (Entry e : list(dir)) {
                if (e.name().equals(name)) {
                    found = e.inode();
                    break;
                }
            }
            if (found == 0) {
                return 0;
            }
            boolean last = isLast(parts, i);
            byte[] node = inode(found);
            if ((mode(node) & S_IFMT) == S_IFLNK && (!last || followLast)) {
                if (++links[0] > MAX_SYMLINKS) {
                    throw new FsException("ext4: too many levels of symbolic links at " + path);
                }
                found = walk(cur, symlinkTarget(node), true, links);
                if (found == 0) {
                    return 0;
                }
            }
            cur = found;
        }
        return cur;
    }

    private static boolean isLast(String[] parts, int i) {
        for (int j = i + 1; j < parts.length; j++) {
            if (!parts[j].isEmpty() && !parts[j].equals(".")) {
                return false;
            }
        }
        return true;
    }

    String symlinkTarget(byte[] node) throws IOException {
        long size = size(node);
        if (size > 4096) {
            throw new FsException("ext4: symbolic link target too long");
        }
        if (size < 60 && (flags(node) & EXTENTS_FL) == 0) {
            return new String(node, 0x28, (int) size, StandardCharsets.UTF_8); // fast symlink: in i_block
        }
        return new String(content(node), StandardCharsets.UTF_8);
    }
}
