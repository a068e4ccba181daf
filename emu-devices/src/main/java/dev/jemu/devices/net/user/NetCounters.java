package dev.jemu.devices.net.user;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Named event counters of a user-mode stack: frames dropped as malformed per protocol, frames refused by
 * {@code restrict=on}, queue overflows. Written by the stack's threads, read by anyone.
 */
public final class NetCounters {
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    void add(String name) {
        counters.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    /** The count of one event, 0 if it never happened. */
    public long get(String name) {
        LongAdder a = counters.get(name);
        return a == null ? 0 : a.sum();
    }

    /** Every counter that is not 0, by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** The sum of every counter whose name starts with {@code prefix}. */
    public long sum(String prefix) {
        long s = 0;
        for (Map.Entry<String, LongAdder> e : counters.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                s += e.getValue().sum();
            }
        }
        return s;
    }
}
