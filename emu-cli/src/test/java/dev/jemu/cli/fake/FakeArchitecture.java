package dev.jemu.cli.fake;

import dev.jemu.core.machine.CpuArchitecture;
import dev.jemu.core.machine.CpuModel;
import java.util.List;

/** A test-only architecture, so the CLI can be tested without a real CPU on the class path. */
public final class FakeArchitecture implements CpuArchitecture {
    @Override
    public String name() {
        return "fakearch";
    }

    @Override
    public String description() {
        return "Fake architecture for CLI tests";
    }

    @Override
    public List<CpuModel> models() {
        return List.of(new CpuModel("fake1", "first fake CPU", List.of("f1")),
                new CpuModel("fake2", "second fake CPU", List.of()));
    }
}
