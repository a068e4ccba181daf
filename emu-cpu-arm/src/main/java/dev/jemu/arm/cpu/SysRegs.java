package dev.jemu.arm.cpu;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * The system registers: their storage, the MRS/MSR access checks per EL, and the registers reached through
 * a {@link SysRegDevice}. Placeholder: the system register work fills it in.
 */
public final class SysRegs {
    private final ArmCpu c;
    SysRegDevice device;

    SysRegs(ArmCpu c) {
        this.c = c;
    }

    void reset() {
    }

    void saveState(StateWriter out) {
    }

    void loadState(StateReader in) {
    }
}
