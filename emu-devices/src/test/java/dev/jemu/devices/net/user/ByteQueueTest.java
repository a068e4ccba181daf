package dev.jemu.devices.net.user;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteQueueTest {
    @Test
    void keepsOrderThroughCompactionAndGrowthUpToItsCapacity() {
        ByteQueue q = new ByteQueue(100_000);
        Random rnd = new Random(3);
        int written = 0;
        int read = 0;
        for (int step = 0; step < 20_000; step++) {
            if (rnd.nextBoolean()) {
                int n = Math.min(rnd.nextInt(5000), q.free());
                byte[] b = new byte[n];
                for (int i = 0; i < n; i++) {
                    b[i] = (byte) (written + i);
                }
                q.append(b, 0, n);
                written += n;
            } else {
                int n = Math.min(rnd.nextInt(5000), q.size());
                for (int i = 0; i < n; i++) {
                    assertEquals((byte) (read + i), q.array()[q.offset(i)]);
                }
                q.consume(n);
                read += n;
            }
            assertEquals(written - read, q.size());
            assertEquals(100_000 - q.size(), q.free());
            assertTrue(q.array().length <= 100_000);
        }
        assertTrue(written > 1_000_000);
    }
}
