package dev.jemu.tests.litmus;

import java.util.LinkedHashMap;
import java.util.Map;

/** The values litmus.S's counters must end with when every one of {@code harts} harts did {@code n} updates. */
final class Counters {
    private Counters() {}

    static Map<String, Long> expected(int harts, long n) {
        Map<String, Long> want = new LinkedHashMap<>();
        want.put("lrsc.d", harts * n);
        want.put("lrsc.w", (long) (int) (harts * n));                 // lw sign-extends the word
        long addW = 0;
        for (int h = 0; h < harts; h++) addW += (h + 1) * n;          // hart h adds h + 1
        want.put("amoadd.w", (long) (int) addW);
        want.put("amoadd.d", 0xfffffff0L + harts * n * 0x1_0000_0001L);
        long or = 0;
        for (int h = 0; h < harts; h++) {
            for (long i = 0; i < Math.min(n, 16); i++) or |= 1L << (16 * h + i);   // bit 16h + (i & 15)
        }
        want.put("amoor.d", or);
        long last = (n - 1) * harts + (harts - 1);                     // the largest i * harts + h
        want.put("amomax.d", last - (1L << 40));
        want.put("amomin.w", (long) (int) -last);
        return want;
    }
}
