package dev.jemu.tests.litmus;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** litmus.S's UART output: "LITMUS name cell=count ... total=n" and "COUNT name value" lines. */
record LitmusOutput(Map<String, Map<String, Long>> histograms, Map<String, Long> counts) {

    static LitmusOutput parse(String out) {
        Map<String, Map<String, Long>> histograms = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        for (String line : out.lines().toList()) {
            String[] f = line.strip().split(" ");
            if (f[0].equals("LITMUS") && f.length >= 2) {
                Map<String, Long> cells = new LinkedHashMap<>();
                for (int i = 2; i < f.length; i++) {
                    String[] kv = f[i].split("=", 2);
                    if (kv.length == 2 && !kv[0].equals("total")) cells.put(kv[0], Long.parseUnsignedLong(kv[1]));
                }
                histograms.put(f[1], cells);
            } else if (f[0].equals("COUNT") && f.length == 3) {
                counts.put(f[1], Long.parseUnsignedLong(f[2]));
            }
        }
        return new LitmusOutput(histograms, counts);
    }

    Map<String, Long> histogram(String test) {
        return histograms.get(test);
    }

    Long count(String name) {
        return counts.get(name);
    }
}
