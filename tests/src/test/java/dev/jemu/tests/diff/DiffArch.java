package dev.jemu.tests.diff;

import dev.jemu.core.machine.Plugins;
import java.nio.file.Path;
import java.util.List;

/**
 * What differs between the architectures the differential tests cover: where the programs are (test
 * resources {@code <dir>/*.S} with {@code common.inc} and {@code link.ld}), how binutils builds them, and
 * the machine both QEMU and jemu run them on (QEMU's flags, which jemu's CLI accepts as well).
 */
enum DiffArch {
    RISCV64("riscv", "riscv64", "riscv64-unknown-elf-", List.of("-march=rv64gc_zba_zbb_zbs"), "qemu-system-riscv64",
            List.of("-M", "virt", "-bios", "none", "-kernel", "ELF", "-nographic", "-m", "128M"), "difftest"),
    AARCH64("aarch64", "aarch64", "aarch64-linux-gnu-", List.of(), "qemu-system-aarch64",
            List.of("-M", "virt", "-cpu", "cortex-a57", "-nographic", "-m", "128M", "-kernel", "ELF"), "difftest-aarch64"),
    X86_64("x86", "x86_64", "", List.of("--64"), "qemu-system-x86_64",
            List.of("-M", "microvm", "-nographic", "-m", "128M", "-kernel", "ELF"), "difftest-x86");

    /** Test resource directory of the programs. */
    final String dir;
    /** jemu's architecture name (a board plugin's {@code architecture()}). */
    final String architecture;
    final String as;
    final String ld;
    final List<String> asFlags;
    final String qemu;
    private final List<String> machine;
    /** Directory under the tests module's target/ for build products and outputs. */
    final String workDirName;

    DiffArch(String dir, String architecture, String binutilsPrefix, List<String> asFlags, String qemu,
            List<String> machine, String workDirName) {
        this.dir = dir;
        this.architecture = architecture;
        this.as = binutilsPrefix + "as";
        this.ld = binutilsPrefix + "ld";
        this.asFlags = asFlags;
        this.qemu = qemu;
        this.machine = machine;
        this.workDirName = workDirName;
    }

    /** The machine flags with the program as -kernel. */
    List<String> guestArgs(Path elf) {
        return guestArgs(elf, null);
    }

    /**
     * The machine flags with the program as -kernel and, when {@code board} is not null, that {@code -M} value
     * instead of the default one (a program's {@code // machine: virt,gic-version=3} line, see Programs).
     */
    List<String> guestArgs(Path elf, String board) {
        List<String> args = new java.util.ArrayList<>();
        for (int i = 0; i < machine.size(); i++) {
            String a = machine.get(i);
            args.add(a.equals("ELF") ? elf.toString() : board != null && i > 0 && machine.get(i - 1).equals("-M") ? board : a);
        }
        return args;
    }

    /** The board the programs run on ({@code virt}, x86's {@code microvm}). */
    String board() {
        return machine.get(machine.indexOf("-M") + 1);
    }

    /** Whether jemu on the class path has this architecture's board (its CPU module merged). */
    boolean jemuHasBoard() {
        return Plugins.machines().stream().anyMatch(m -> m.architecture().equals(architecture) && m.name().equals(board()));
    }
}
