package dev.jemu.devices.virtio.p9;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.devices.virtio.FakeDriver;
import dev.jemu.devices.virtio.Virtio;
import dev.jemu.devices.virtio.VirtioMmio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 seeded malformed 9P requests through the virtio device: every one gets a reply (an Rlerror or the
 * request's R-message) or, for a request without a valid header, DEVICE_NEEDS_RESET; never an exception on
 * either thread (a dead device thread would leave the request without a completion), never a hang.
 */
class Virtio9pFuzzTest {
    static final long REQ = FakeDriver.DATA, REPLY = FakeDriver.DATA + 0x10000;
    static final int[] TYPES = {8, 12, 14, 16, 18, 20, 22, 24, 26, 30, 32, 40, 50, 52, 54, 70, 72, 74, 76, 100, 102,
        104, 108, 110, 116, 118, 120, 122};

    @TempDir
    Path dir;

    /** Sends one request; the reply type, or -1 when the device asked for a reset. */
    private static int send(FakeDriver d, byte[] msg, int replyRoom) throws Exception {
        d.ram.load(REQ - FakeDriver.RAM_BASE, msg);
        d.desc(FakeDriver.DESC, 0, REQ, msg.length, Virtio.VIRTQ_DESC_F_NEXT, 1);
        d.desc(FakeDriver.DESC, 1, REPLY, replyRoom, Virtio.VIRTQ_DESC_F_WRITE, 0);
        int used = d.usedIdx();
        d.offer(0);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (d.usedIdx() == used) {
            if ((d.reg(VirtioMmio.Status) & Virtio.STATUS_DEVICE_NEEDS_RESET) != 0) {
                return -1;
            }
            Runnable r = d.posted.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (r != null) {
                r.run();
            }
            assertTrue(System.nanoTime() < deadline, "no completion within 10 s");
        }
        return d.ram.readByte(REPLY - FakeDriver.RAM_BASE + 4) & 0xff;
    }

    private static FakeDriver start(Path dir) {
        FakeDriver d = new FakeDriver(post -> new Virtio9p(new P9Server(new LocalFs(dir, SecurityModel.MAPPED_XATTR,
                false)), "fuzz", post, "virtio-9p-fuzz"));
        d.queueSize = 16;
        assertEquals(0, d.start(Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(Virtio9p.F_MOUNT_TAG))
                & Virtio.STATUS_DEVICE_NEEDS_RESET);
        return d;
    }

    @Test
    void mountTagInConfigSpace() throws Exception {
        try (FakeDriver d = start(dir)) {
            assertEquals(4, d.t.read(VirtioMmio.Config, 2));
            assertEquals('f', d.t.read(VirtioMmio.Config + 2, 1));
            assertEquals(9, d.reg(VirtioMmio.DeviceID));
        }
    }

    @Test
    void thousandMalformedRequests() throws Exception {
        Files.writeString(dir.resolve("file"), "content");
        Files.createDirectory(dir.resolve("sub"));
        Random rnd = new Random(9);
        FakeDriver d = start(dir);
        try {
            send(d, P9Client.msg(100, 0xffff, 8192, "9P2000.L"), 4096);
            send(d, P9Client.msg(104, 1, 0, -1, "u", "", 0), 4096);
            int replies = 0, errors = 0, resets = 0;
            for (int i = 0; i < 1000; i++) {
                int type = rnd.nextInt(8) == 0 ? rnd.nextInt(256) : TYPES[rnd.nextInt(TYPES.length)];
                byte[] body = new byte[rnd.nextInt(64)];
                rnd.nextBytes(body);
                if (rnd.nextBoolean() && body.length >= 4) { // a fid that exists, so the operation runs
                    body[0] = (byte) rnd.nextInt(3);
                    body[1] = body[2] = body[3] = 0;
                }
                byte[] msg = new byte[7 + body.length];
                int size = switch (rnd.nextInt(10)) {
                    case 0 -> rnd.nextInt(7);            // shorter than a header
                    case 1 -> msg.length + 1 + rnd.nextInt(100); // longer than the buffer
                    default -> msg.length;
                };
                msg[0] = (byte) size;
                msg[1] = (byte) (size >> 8);
                msg[4] = (byte) type;
                msg[5] = (byte) i;
                System.arraycopy(body, 0, msg, 7, body.length);
                int replyRoom = rnd.nextInt(20) == 0 ? 1 + rnd.nextInt(16) : 4096;
                int t = send(d, msg, replyRoom);
                if (t < 0) {
                    resets++;
                    d.close();
                    d = start(dir);
                    send(d, P9Client.msg(100, 0xffff, 8192, "9P2000.L"), 4096);
                    send(d, P9Client.msg(104, 1, 0, -1, "u", "", 0), 4096);
                } else if (t == P9Message.LERROR) {
                    errors++;
                } else {
                    assertEquals(type + 1, t, "request " + i + ": reply type");
                    replies++;
                }
            }
            assertEquals(1000, replies + errors + resets);
            assertTrue(errors > 500, "most malformed requests are Rlerrors: " + errors);
            assertTrue(resets > 0, "requests without a header reset the device");
            assertEquals(0, d.guardWrites);
        } finally {
            d.close();
        }
    }
}
