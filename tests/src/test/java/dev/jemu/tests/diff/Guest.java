package dev.jemu.tests.diff;

import java.nio.file.Path;
import java.util.List;

/** The machine every difftest program runs on: QEMU's flags, which jemu's CLI accepts as well. */
final class Guest {
    private Guest() {}

    static List<String> args(Path elf) {
        return List.of("-M", "virt", "-bios", "none", "-kernel", elf.toString(), "-nographic", "-m", "128M");
    }
}
