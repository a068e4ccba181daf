package dev.jemu.cli.chardev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class MuxBackendTest {
    /** An inner backend the test types into directly. */
    static final class Inner implements CharBackend {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        CharReceiver receiver;

        @Override
        public void write(byte[] data, int offset, int length) {
            out.write(data, offset, length);
        }

        @Override
        public void connect(CharReceiver r, Consumer<Runnable> poster) {
            receiver = r;
        }

        void type(String s) {
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            assertTrue(receiver.canReceive() >= b.length);
            receiver.receive(b, 0, b.length);
        }

        String text() {
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private final Inner inner = new Inner();
    private long now = 5_000;
    private final MuxBackend mux = new MuxBackend(inner, () -> now);
    private final Receiver guest = new Receiver();
    private final ArrayDeque<Runnable> posted = new ArrayDeque<>();
    private int flushes;

    MuxBackendTest() {
        mux.connect(guest, posted::add);
        mux.onFlushDisks(() -> flushes++);
    }

    private void runPosted() {
        Runnable r;
        while ((r = posted.poll()) != null) {
            r.run();
        }
    }

    private void print(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        mux.write(b, 0, b.length);
    }

    @Test
    void ctrlATTogglesQemuStyleTimestampsFromTheNextLine() {
        print("before\n");
        inner.type("\u0001t");
        print("rest of a line\nfirst\n");
        now += 3_723_456;   // 1 h 2 min 3.456 s later
        print("second\npart");
        print("ial\n");
        inner.type("\u0001t");
        print("plain\n");
        assertEquals("before\nrest of a line\n[00:00:00.000] first\n[01:02:03.456] second\n[01:02:03.456] partial\n"
                + "plain\n", inner.text());
        assertEquals("", guest.text(), "the keys are not input");
    }

    @Test
    void ctrlABSendsABreakToTheDeviceAndCtrlASFlushesTheDisks() {
        inner.type("a\u0001bz\u0001s");
        assertEquals(0, guest.breaks, "actions run as posted work, not inside the filter");
        runPosted();
        assertEquals(1, guest.breaks);
        assertEquals(1, flushes);
        assertEquals("az", guest.text());
    }

    @Test
    void ctrlAHListsTheKeysAsQemuAndCtrlAXQuits() {
        inner.type("\u0001h");
        assertTrue(inner.text().startsWith("\n\rC-a h    print this help\n\rC-a x    exit emulator\n\r"), inner.text());
        for (String key : new String[] {"C-a s", "C-a t    toggle console timestamps", "C-a b    send break (magic sysrq)",
                "C-a C-a  sends C-a"}) {
            assertTrue(inner.text().contains(key), key);
        }
        inner.type("\u0001x");
        assertThrows(UserQuit.class, this::runPosted);
    }

    @Test
    void theKeysWorkWhileTheGuestIsNotReading() {
        guest.room = 0;
        inner.type("abc");
        assertEquals(MuxBackend.BUFFER - 3, inner.receiver.canReceive(), "held in the mux's own buffer");
        inner.type("\u0001b");
        runPosted();
        assertEquals(1, guest.breaks);
        guest.room = 16;
        mux.receiverReady();
        assertEquals("abc", guest.text());
    }
}
