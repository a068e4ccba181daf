package dev.jemu.tests.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The x86 difftest programs (resources x86/) on the host CPU through jemu's KVM accelerator, against QEMU 7.2's
 * TCG on microvm: where /dev/kvm works the real CPU is the oracle, so a difference is QEMU's (or, once jemu's
 * interpreter runs them too, a hint for it). Lines labelled in x86/accepted-differences-kvm.txt (where
 * QEMU's TCG and this host's CPU legitimately differ: model-specific results) are not compared. Skipped, with
 * the reason, where /dev/kvm cannot be used. Outputs: tests/target/difftest-x86/NAME.{qemu,kvm}.out.
 */
@Tag("diff")
class X86KvmDiffTest {
    static Stream<String> programs() {
        return Programs.names(DiffArch.X86_64).stream();
    }

    @ParameterizedTest(name = "kvm {0}")
    @MethodSource("programs")
    void kvmMatchesQemu(String name) throws Exception {
        DiffArch arch = DiffArch.X86_64;
        assumeTrue(Programs.toolchainPresent(arch), "as/ld (binutils) not installed");
        String why = KvmProgramRunner.unavailable();
        assumeTrue(why == null, () -> "KVM half of " + name + " skipped: " + why);
        // pvh checks the board's PVH loader (hvm_start_info), which KvmProgramRunner does not build: not a CPU result
        assumeTrue(!name.equals("pvh"), "pvh tests the microvm board's PVH loader, which the KVM runner has not");
        Path elf = Programs.build(arch, name);
        ProcessRun got = KvmProgramRunner.run(elf);
        Files.write(Programs.workDir(arch).resolve(name + ".kvm.out"), got.stdout());
        // KVM without nested paging (this project's CI hosts) emulates some instructions after its own exits
        // and its emulator has no x87/SSE (QEMU 7.2 -accel kvm stops with the same "KVM internal error.
        // Suberror: 1" on these programs there): the host cannot run them, which is not a result
        assumeTrue(!got.stderr().contains("emulation failure"), () -> "this host's KVM cannot run " + name
                + " (" + got.stderr() + "; QEMU -accel kvm fails the same way here): KVM half skipped");
        boolean passed = !got.timedOut() && got.stdoutText().endsWith("END\n");
        // where the host's KVM itself stops the program (e.g. this CI host's nested KVM raises #GP on SYSRETQ),
        // QEMU -accel kvm stops at the same place with the same output: a limit of the host, not a result
        if (!passed && QemuReference.present(arch)) {
            List<String> cmd = new ArrayList<>(List.of(arch.qemu, "-accel", "kvm"));
            cmd.addAll(arch.guestArgs(elf));
            ProcessRun qemuKvm = ProcessRun.run(cmd, QemuReference.TIMEOUT);
            assumeTrue(!qemuKvm.stdoutText().equals(got.stdoutText()), () -> "this host's KVM cannot run " + name
                    + " (QEMU -accel kvm stops the same way: " + lastLine(got.stdoutText()) + "): KVM half skipped");
        }
        assertTrue(passed, () -> name + " does not pass under KVM ("
                + (got.timedOut() ? "timed out" : "status " + got.status()) + "):\n" + got.stdoutText());
        assumeTrue(QemuReference.present(arch), arch.qemu + " not installed: only the KVM half of " + name + " ran");
        ProcessRun ref = QemuReference.run(arch, name, elf);
        Files.write(Programs.workDir(arch).resolve(name + ".qemu.out"), ref.stdout());
        // where QEMU departs from the architecture (accepted-differences.txt: the CPU is jemu's evidence there)
        // and where CPU models may differ (accepted-differences-kvm.txt)
        var accepted = new java.util.HashSet<>(AcceptedDifferences.load(Programs.sourceDir(arch)
                .resolve("accepted-differences.txt")).labelsFor(name));
        accepted.addAll(AcceptedDifferences.load(Programs.sourceDir(arch).resolve("accepted-differences-kvm.txt"))
                .labelsFor(name));
        String expected = AcceptedDifferences.filter(ref.stdoutText(), accepted);
        String actual = AcceptedDifferences.filter(got.stdoutText(), accepted);
        String diff = OutputDiff.describe(expected, actual);
        if (diff != null || ref.status() != got.status()) {
            fail(name + ": QEMU differs from the host CPU (KVM; the \"jemu:\" lines below)\n  status qemu "
                    + ref.status() + ", kvm " + got.status() + "\n  " + diff);
        }
    }

    private static String lastLine(String s) {
        var lines = s.lines().toList();
        return lines.isEmpty() ? "no output" : String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
}
