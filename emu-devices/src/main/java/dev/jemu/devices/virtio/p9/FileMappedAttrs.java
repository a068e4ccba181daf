package dev.jemu.devices.virtio.p9;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * security_model=mapped-file: the values of {@code dir/name} in the text file
 * {@code dir/.virtfs_metadata/name} ({@code virtfs.uid=N} lines), the export root's in
 * {@code .virtfs_metadata_root}, as QEMU keeps them; both names are hidden from the guest.
 */
final class FileMappedAttrs implements MappedAttrs {
    static final String DIR = ".virtfs_metadata", ROOT_FILE = ".virtfs_metadata_root";
    private static final String[] KEYS = {"virtfs.uid", "virtfs.gid", "virtfs.mode", "virtfs.rdev"};

    private static Path metaFile(Path host, boolean isRoot) {
        return isRoot ? host.resolve(ROOT_FILE) : host.getParent().resolve(DIR).resolve(host.getFileName());
    }

    @Override
    public long[] load(Path host, boolean isRoot) {
        long[] v = {-1, -1, -1, -1};
        Path m = metaFile(host, isRoot);
        if (!Files.isRegularFile(m, NOFOLLOW_LINKS)) {
            return v;
        }
        try {
            for (String line : Files.readAllLines(m, StandardCharsets.UTF_8)) {
                for (int i = 0; i < 4; i++) {
                    if (line.startsWith(KEYS[i] + "=")) {
                        v[i] = Long.parseLong(line.substring(KEYS[i].length() + 1).strip());
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unreadable: the host's own values
        }
        return v;
    }

    @Override
    public void store(Path host, boolean isRoot, int uid, int gid, int mode, long rdev) throws IOException {
        long[] v = load(host, isRoot);
        long[] n = {uid, gid, mode, rdev};
        for (int i = 0; i < 4; i++) {
            if (n[i] != -1) {
                v[i] = n[i];
            }
        }
        Path m = metaFile(host, isRoot);
        if (!isRoot && !Files.isDirectory(m.getParent(), NOFOLLOW_LINKS)) {
            Files.createDirectory(m.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.isSymbolicLink(m)) {
            throw new NoSuchFileException(m.toString()); // never write through a link
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            if (v[i] != -1) {
                sb.append(KEYS[i]).append('=').append(v[i]).append('\n');
            }
        }
        if (!Files.exists(m, NOFOLLOW_LINKS)) {
            Files.createFile(m, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(m, sb.toString(), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void renamed(Path from, Path to) throws IOException {
        Path m = metaFile(from, false);
        if (Files.isRegularFile(m, NOFOLLOW_LINKS)) {
            Path t = metaFile(to, false);
            if (!Files.isDirectory(t.getParent(), NOFOLLOW_LINKS)) {
                Files.createDirectory(t.getParent());
            }
            Files.move(m, t, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    @Override
    public void removing(Path host, boolean dir) throws IOException {
        if (dir) { // the directory's own (by now empty) store of its entries' metadata, so that rmdir can succeed
            Path inner = host.resolve(DIR);
            if (Files.isDirectory(inner, NOFOLLOW_LINKS)) {
                Files.delete(inner); // not empty: ENOTEMPTY, as the directory itself is not
            }
        }
        Files.deleteIfExists(metaFile(host, false));
    }

    @Override
    public boolean hidden(String name) {
        return name.equals(DIR) || name.equals(ROOT_FILE);
    }
}
