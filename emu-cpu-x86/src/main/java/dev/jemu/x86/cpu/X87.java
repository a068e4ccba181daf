package dev.jemu.x86.cpu;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/** The x87 FPU's state (owner: the FP work): control/status/tag words, the 8 data registers. Skeleton. */
public final class X87 {
    public int fcw = 0x37f, fsw, ftw;

    void reset() {
        fcw = 0x37f;
        fsw = 0;
        ftw = 0;
    }

    void saveState(StateWriter out) {
        out.putInt("x87.fcw", fcw);
        out.putInt("x87.fsw", fsw);
        out.putInt("x87.ftw", ftw);
    }

    void loadState(StateReader in) {
        fcw = in.getInt("x87.fcw");
        fsw = in.getInt("x87.fsw");
        ftw = in.getInt("x87.ftw");
    }
}
