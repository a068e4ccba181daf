package dev.jemu.devices.virtio.p9;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/**
 * security_model=mapped-xattr: {@code user.virtfs.uid}, {@code .gid}, {@code .mode} (4 bytes each) and
 * {@code .rdev} (8 bytes), little-endian, as QEMU stores them.
 */
final class XattrMappedAttrs implements MappedAttrs {
    static final String PREFIX = "virtfs.";
    private static final String[] NAMES = {"uid", "gid", "mode", "rdev"};

    @Override
    public long[] load(Path host, boolean isRoot) {
        long[] v = {-1, -1, -1, -1};
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(host, UserDefinedFileAttributeView.class,
                    NOFOLLOW_LINKS);
            for (int i = 0; i < 4; i++) {
                int n = i == 3 ? 8 : 4;
                ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                try {
                    if (view.read(PREFIX + NAMES[i], b) == n) {
                        v[i] = n == 4 ? b.getInt(0) & 0xffff_ffffL : b.getLong(0);
                    }
                } catch (IOException e) {
                    // not stored (a file the host made): the host's own value
                }
            }
        } catch (RuntimeException e) {
            // no xattr support here
        }
        return v;
    }

    @Override
    public void store(Path host, boolean isRoot, int uid, int gid, int mode, long rdev) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(host, UserDefinedFileAttributeView.class,
                NOFOLLOW_LINKS);
        long[] v = {uid, gid, mode, rdev};
        for (int i = 0; i < 4; i++) {
            if (v[i] != -1) {
                int n = i == 3 ? 8 : 4;
                ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
                if (n == 4) {
                    b.putInt((int) v[i]);
                } else {
                    b.putLong(v[i]);
                }
                view.write(PREFIX + NAMES[i], b.flip());
            }
        }
    }
}
