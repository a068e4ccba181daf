package dev.jemu.cli.fake;

import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineType;

/** A second, non-default test board of the fake architecture. */
public final class OtherBoard implements MachineType {
    @Override
    public String name() {
        return "otherboard";
    }

    @Override
    public String description() {
        return "Another fake board";
    }

    @Override
    public String architecture() {
        return "fakearch";
    }

    @Override
    public Machine create(MachineConfig config) {
        FakeBoard.last = config;
        return () -> 7;
    }
}
