package dev.jemu.devices.virtio.p9;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class P9ServerTest {
    @TempDir
    Path dir;

    private P9Client client(SecurityModel m) {
        P9Client c = new P9Client(new P9Server(new LocalFs(dir, m, false)));
        c.mount();
        return c;
    }

    @Test
    void createWriteReadBack() throws Exception {
        P9Client c = client(SecurityModel.NONE);
        c.walk(1);
        c.ok(P9Message.LCREATE, 1, "f.txt", 2, 0644, 0);
        assertEquals(5, c.ok(P9Message.WRITE, 1, 0L, 5, "hello".getBytes()).getInt());
        c.ok(P9Message.CLUNK, 1);
        assertEquals("hello", Files.readString(dir.resolve("f.txt")));
        assertEquals(1, c.walk(2, "f.txt"));
        c.ok(P9Message.LOPEN, 2, 0);
        ByteBuffer r = c.ok(P9Message.READ, 2, 1L, 100);
        assertEquals(4, r.getInt());
        byte[] d = new byte[4];
        r.get(d);
        assertEquals("ello", new String(d));
    }

    @Test
    void mkdirRenameUnlinkSymlink() throws Exception {
        P9Client c = client(SecurityModel.NONE);
        c.ok(P9Message.MKDIR, 0, "d", 0755, 0);
        assertTrue(Files.isDirectory(dir.resolve("d")));
        Files.writeString(dir.resolve("a"), "x");
        c.ok(P9Message.RENAMEAT, 0, "a", 0, "b");
        assertTrue(Files.exists(dir.resolve("b")));
        c.ok(P9Message.SYMLINK, 0, "s", "/etc/passwd", 0);
        assertEquals("/etc/passwd", Files.readSymbolicLink(dir.resolve("s")).toString());
        c.walk(3, "s");
        assertEquals("/etc/passwd", P9Client.str(c.ok(P9Message.READLINK, 3)));
        assertEquals(P9Error.ELOOP, c.error(P9Message.LOPEN, 3, 0), "a symlink is never opened on the host");
        assertEquals(P9Error.EISDIR, c.error(P9Message.UNLINKAT, 0, "d", 0));
        c.ok(P9Message.UNLINKAT, 0, "d", 0x200);
        assertFalse(Files.exists(dir.resolve("d")));
    }

    @Test
    void dotDotStaysAtTheRootAndSymlinksAreNotWalkedThrough() throws Exception {
        Files.createSymbolicLink(dir.resolve("out"), Path.of("/etc"));
        P9Client c = client(SecurityModel.NONE);
        c.walk(1, "..", "..");
        ByteBuffer root = c.ok(P9Message.GETATTR, 0, 0x7ffL);
        ByteBuffer up = c.ok(P9Message.GETATTR, 1, 0x7ffL);
        assertEquals(root.getLong(7 + 8 + 5), up.getLong(7 + 8 + 5), "qid path of .. at the root is the root's");
        // a partial walk: "out" is found (a symlink), "hostname" is not walked into through it; fid 2 not made
        assertEquals(1, c.ok(P9Message.WALK, 0, 2, (short) 2, "out", "hostname").getShort());
        assertEquals(P9Error.EBADF, c.error(P9Message.GETATTR, 2, 0x7ffL));
        c.walk(5, "out");
        assertEquals(P9Error.ENOTDIR, c.error(P9Message.WALK, 5, 6, (short) 1, "hostname"));
        assertEquals(P9Error.ENOENT, c.error(P9Message.WALK, 0, 2, (short) 1, "../etc"));
        assertEquals(P9Error.ENOENT, c.error(P9Message.LCREATE, 1, "a/b", 0, 0644, 0));
    }

    @Test
    void readdirListsEntries() throws Exception {
        Files.writeString(dir.resolve("one"), "1");
        Files.createDirectory(dir.resolve("two"));
        P9Client c = client(SecurityModel.NONE);
        c.walk(1);
        c.ok(P9Message.LOPEN, 1, 0);
        ByteBuffer r = c.ok(P9Message.READDIR, 1, 0L, 4096);
        int n = r.getInt();
        String all = new String(r.array(), r.position(), n, StandardCharsets.ISO_8859_1);
        assertTrue(all.contains("one") && all.contains("two") && all.contains(".."), all);
        ByteBuffer r2 = c.ok(P9Message.READDIR, 1, 4L, 4096);
        assertEquals(0, r2.getInt(), "past the end");
    }

    @Test
    void mappedXattrKeepsGuestOwnerInXattrs() throws Exception {
        P9Client c = client(SecurityModel.MAPPED_XATTR);
        c.ok(P9Message.ATTACH, 9, -1, "u", "", 1000);
        c.ok(P9Message.WALK, 9, 1, (short) 0);
        c.ok(P9Message.LCREATE, 1, "m", 2, 0640, 100);
        Path m = dir.resolve("m");
        UserDefinedFileAttributeView v = Files.getFileAttributeView(m, UserDefinedFileAttributeView.class);
        ByteBuffer b = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        v.read("virtfs.uid", b);
        assertEquals(1000, b.getInt(0));
        b.clear();
        v.read("virtfs.gid", b);
        assertEquals(100, b.getInt(0));
        b.clear();
        v.read("virtfs.mode", b);
        assertEquals(0100640, b.getInt(0));
        assertEquals(0600, (Integer) Files.getAttribute(m, "unix:mode") & 0777, "host mode: QEMU's 0600");
        ByteBuffer st = c.ok(P9Message.GETATTR, 1, 0x7ffL);
        st.position(7 + 8 + 13);
        assertEquals(0100640, st.getInt());
        assertEquals(1000, st.getInt());
        // a guest symlink is a plain host file holding the target
        c.ok(P9Message.SYMLINK, 0, "s", "/etc/passwd", 0);
        assertTrue(Files.isRegularFile(dir.resolve("s"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        c.walk(3, "s");
        assertEquals("/etc/passwd", P9Client.str(c.ok(P9Message.READLINK, 3)));
        // the guest cannot forge its mapped owner
        c.walk(4, "m");
        c.ok(P9Message.XATTRCREATE, 4, "user.virtfs.uid", 4L, 0);
        c.ok(P9Message.WRITE, 4, 0L, 4, new byte[4]);
        assertEquals(P9Error.EACCES, c.error(P9Message.CLUNK, 4));
    }

    @Test
    void fidsSurviveSaveAndLoad() throws Exception {
        Files.writeString(dir.resolve("f"), "saved-content");
        P9Client c = client(SecurityModel.NONE);
        c.walk(1, "f");
        c.ok(P9Message.LOPEN, 1, 0);
        c.walk(2);
        dev.jemu.core.state.StateRecord rec = new dev.jemu.core.state.StateRecord("virtio-9p", 1);
        c.server().saveState(rec);
        P9Server restored = new P9Server(new LocalFs(dir, SecurityModel.NONE, false));
        restored.loadState(rec);
        assertEquals(3, restored.fidCount());
        P9Client c2 = new P9Client(restored);
        ByteBuffer r = c2.ok(P9Message.READ, 1, 6L, 100);
        assertEquals(7, r.getInt(), "the open file was reopened by path");
        assertEquals(P9Error.EINVAL, c2.error(P9Message.LOPEN, 1, 0), "and is still open");
        c2.ok(P9Message.CLUNK, 2);
        assertEquals(2, restored.fidCount());
    }

    @Test
    void mappedFileKeepsGuestOwnerInMetadataFiles() throws Exception {
        P9Client c = client(SecurityModel.MAPPED_FILE);
        c.ok(P9Message.ATTACH, 9, -1, "u", "", 1000);
        c.ok(P9Message.WALK, 9, 1, (short) 0);
        c.ok(P9Message.LCREATE, 1, "m", 2, 0640, 100);
        Path meta = dir.resolve(".virtfs_metadata/m");
        assertEquals("virtfs.uid=1000\nvirtfs.gid=100\nvirtfs.mode=33184\n", Files.readString(meta));
        c.walk(2, "m");
        c.ok(P9Message.SETATTR, 2, 2, 0, 7, 0, 0L, 0L, 0L, 0L, 0L); // chown to uid 7
        assertTrue(Files.readString(meta).startsWith("virtfs.uid=7\n"));
        ByteBuffer st = c.ok(P9Message.GETATTR, 2, 0x7ffL);
        st.position(7 + 8 + 13);
        assertEquals(0100640, st.getInt());
        assertEquals(7, st.getInt());
        assertEquals(P9Error.ENOENT, c.error(P9Message.WALK, 0, 3, (short) 1, ".virtfs_metadata"));
        assertEquals(P9Error.EINVAL, c.error(P9Message.MKDIR, 0, ".virtfs_metadata_root", 0755, 0));
        c.walk(4);
        c.ok(P9Message.LOPEN, 4, 0);
        ByteBuffer r = c.ok(P9Message.READDIR, 4, 0L, 4096);
        String all = new String(r.array(), r.position() + 4, r.getInt(), StandardCharsets.ISO_8859_1);
        assertFalse(all.contains("virtfs"), "the metadata is hidden: " + all);
        c.ok(P9Message.RENAMEAT, 0, "m", 0, "n");
        assertFalse(Files.exists(meta));
        assertTrue(Files.readString(dir.resolve(".virtfs_metadata/n")).contains("virtfs.mode=33184"));
        c.ok(P9Message.MKDIR, 0, "d", 0755, 0);
        c.walk(5, "d");
        c.ok(P9Message.LCREATE, 5, "inner", 2, 0600, 0);
        assertTrue(Files.exists(dir.resolve("d/.virtfs_metadata/inner")));
        assertEquals(P9Error.ENOTEMPTY, c.error(P9Message.UNLINKAT, 0, "d", 0x200));
        c.ok(P9Message.UNLINKAT, 0, "n", 0);
        assertFalse(Files.exists(dir.resolve(".virtfs_metadata/n")));
        c.ok(P9Message.CLUNK, 5);
        c.walk(6, "d");
        c.ok(P9Message.UNLINKAT, 6, "inner", 0);
        c.ok(P9Message.UNLINKAT, 0, "d", 0x200);
        assertFalse(Files.exists(dir.resolve("d")));
    }

    @Test
    void readOnlyRefusesWrites() {
        P9Client c = new P9Client(new P9Server(new LocalFs(dir, SecurityModel.NONE, true)));
        c.mount();
        assertEquals(P9Error.EROFS, c.error(P9Message.MKDIR, 0, "d", 0755, 0));
        assertEquals(P9Error.EROFS, c.error(P9Message.LCREATE, 0, "f", 2, 0644, 0));
    }

    @Test
    void malformedRequestsAreRlerrors() {
        P9Client c = client(SecurityModel.NONE);
        byte[] m = P9Client.msg(P9Message.WALK, 5, 0, 1, (short) 3, "a");
        byte[] r = c.server().handle(m, m.length, 4096);
        assertEquals(P9Message.LERROR, r[4]);
        assertEquals(P9Error.EPROTO, r[7]);
        assertNull(c.server().handle(new byte[] {3, 0, 0, 0}, 4, 4096), "no header: a transport error");
        assertEquals(P9Error.EOPNOTSUPP, c.error(99));
        assertEquals(P9Error.EBADF, c.error(P9Message.CLUNK, 77));
    }
}
