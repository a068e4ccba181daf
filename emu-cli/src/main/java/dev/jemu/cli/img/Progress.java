package dev.jemu.cli.img;

import java.util.Locale;

/** qemu-img's -p progress line, "    (NN.NN/100%)" rewritten in place, on stdout. */
final class Progress {
    private final boolean on;
    private int last = -1;

    Progress(boolean on) {
        this.on = on;
        if (on) at(0, 1);
    }

    void at(long done, long total) {
        if (!on) return;
        int pct = (int) (done * 10000 / Math.max(1, total));
        if (pct == last) return;
        last = pct;
        JemuImg.Context.OUT.get().printf(Locale.ROOT, "    (%.2f/100%%)\r", pct / 100.0);
    }

    void done() {
        if (!on) return;
        at(1, 1);
        JemuImg.Context.OUT.get().println();
    }
}
