package dev.jemu.tests.fuzz;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link GuestFuzzTest} for the aarch64 {@code virt} board: {@code aarch64-fuzz/mmio_fuzz.S} makes {@link
 * GuestFuzzTest#ACCESSES} pseudo-random loads and stores over the board's device windows (the table generated
 * here from its address space) at EL1 with the MMU off, skipping data aborts in its exception handler and
 * printing a PL011 heartbeat, then powers off through PSCI. A few seeds, each under jemu with the interpreter
 * and with the JIT, and under QEMU 7.2 as the reference of what completes; the checks are GuestFuzzTest's.
 */
@Tag("fuzz")
class GuestFuzzArm64Test {
    static final String AS = "aarch64-linux-gnu-as", LD = "aarch64-linux-gnu-ld";

    static Path work;

    @BeforeAll
    static void generateTheWindowTable() throws Exception {
        assumeTrue(GuestFuzzTest.onPath(AS) && GuestFuzzTest.onPath(LD), "binutils-aarch64-linux-gnu not installed");
        assumeTrue(FuzzImages.present(), FuzzImages.QEMU_IMG + " not installed");
        work = Files.createDirectories(source().getParent().getParent().getParent().resolve("guestfuzz-aarch64"));
        List<Window> windows = GuestFuzzTest.virtWindows("aarch64", work);
        // the program and its tables sit in the first 64 KiB of RAM: no device is pointed there
        String equs = ".equ UART, 0x" + Long.toHexString(GuestFuzzTest.find(windows, "pl011@").base()) + "\n"
                + ".equ GUARD_LO, 0x40000000\n.equ GUARD_SIZE, 0x10000\n";
        Files.writeString(work.resolve("windows.inc"), GuestFuzzTest.windowTable("//", "aarch64", windows, equs));
    }

    private static Path disk(String name) throws IOException {
        return GuestFuzzTest.disk(work, name);
    }

    private static Path source() throws URISyntaxException {
        return Paths.get(GuestFuzzArm64Test.class.getClassLoader().getResource("aarch64-fuzz/mmio_fuzz.S").toURI());
    }

    /** The program for one seed: target/guestfuzz-aarch64/mmio_fuzz-SEED.elf, linked as the difftests are. */
    static Path build(int seed) throws Exception {
        Path src = source();
        return GuestFuzzTest.build(List.of(AS), LD, src, src.getParent().getParent().resolve("aarch64/link.ld"), work,
                seed);
    }

    /** QEMU's flags, which jemu takes as well: the ELF as -kernel (entered at EL1), two virtio-blk disks. */
    static List<String> guestArgs(Path elf, Path a, Path b) {
        List<String> args = new ArrayList<>(List.of("-M", "virt", "-cpu", "cortex-a57", "-kernel", elf.toString()));
        args.addAll(GuestFuzzTest.commonArgs(a, b));
        return args;
    }

    @ParameterizedTest(name = "seed {0} {1}")
    @CsvSource({"1, interpreter", "1, jit", "2, interpreter", "2, jit", "3, interpreter", "3, jit"})
    void underJemu(int seed, String mode) throws Exception {
        Path elf = build(seed);
        Path a = disk("jemu-" + seed + "-" + mode + "-a"), b = disk("jemu-" + seed + "-" + mode + "-b");
        GuestFuzzTest.underJemu("aarch64 jemu (" + mode + ") seed " + seed, mode, guestArgs(elf, a, b),
                work.resolve("jemu-" + seed + "-" + mode + ".log"), a, b);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3})
    void underQemu(int seed) throws Exception {
        assumeTrue(GuestFuzzTest.onPath("qemu-system-aarch64"), "qemu-system-aarch64 not installed");
        Path elf = build(seed);
        Path a = disk("qemu-" + seed + "-a"), b = disk("qemu-" + seed + "-b");
        List<String> cmd = new ArrayList<>(List.of("qemu-system-aarch64"));
        cmd.addAll(guestArgs(elf, a, b));
        GuestFuzzTest.check("aarch64 qemu seed " + seed, cmd, a, b);
    }
}
