package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.machine.Plugins;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The guest kit that scripts/jemu-kit builds: {@code $JEMU_KIT_DIR/ARCH}, else ~/.cache/jemu/kit/ARCH.
 * Without a kit the boot tests are skipped on a developer machine and fail under CI (where .ci/run builds it).
 * ARCH is the kit's (Debian's) name: {@link #RISCV64}, {@link #ARM64} (whose jemu architecture is "aarch64").
 */
final class Kit {
    private Kit() {
    }

    /** Debian riscv64: Image, OpenSBI fw_jump/fw_dynamic, U-Boot (S-mode), initrd, root and boot disks. */
    static final String RISCV64 = "riscv64";
    /** Debian arm64: Image (and vmlinuz), U-Boot qemu_arm64 for -bios, initrd, root and boot disks; console ttyAMA0. */
    static final String ARM64 = "arm64";
    /** Debian amd64: bzImage, initrd, root and boot disks (extlinux.conf naming /boot/vmlinuz-KVER); console ttyS0. */
    static final String AMD64 = "amd64";

    static Path dir(String arch) {
        String env = System.getenv("JEMU_KIT_DIR");
        Path base = env != null && !env.isEmpty() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "jemu", "kit");
        return base.resolve(arch);
    }

    /** The kit file {@code name}, or a skip (failure under CI) when the kit is not built. */
    static Path file(String arch, String name) {
        Path p = dir(arch).resolve(name);
        if (!Files.isRegularFile(p)) {
            String msg = "no guest kit at " + dir(arch) + " (missing " + name + "): run scripts/jemu-kit " + arch;
            if (System.getenv("CI") != null) {
                fail(msg);
            }
            assumeTrue(false, msg);
        }
        return p;
    }

    /** Skips until a board of that name for that architecture is on the class path (the board branch merged). */
    static void requireBoard(String arch, String board) {
        assumeTrue(Plugins.machines().stream().anyMatch(m -> m.architecture().equals(arch) && m.name().equals(board)),
                "no " + arch + " '" + board + "' board on the class path yet");
    }
}
