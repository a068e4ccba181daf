package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.machine.Plugins;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code -accel kvm} on the command line, as a separate process: the one-line refusals. */
class KvmCliTest {
    private static final String NOT_X86 = "jemu: -accel kvm: KVM is only available for x86_64 guests on an x86_64 host\n";

    @Test
    void riscvAndArmBoardsRefuseKvm() throws Exception {
        for (String cpu : List.of("rv64", "cortex-a57")) {
            for (String[] accel : List.of(new String[] {"-accel", "kvm"}, new String[] {"-enable-kvm"},
                    new String[] {"-M", "virt,accel=kvm"})) {
                List<String> args = new java.util.ArrayList<>(List.of("-cpu", cpu, "-nographic", "-bios", "none"));
                args.addAll(List.of(accel));
                JemuProcess.Result r = JemuProcess.run(Duration.ofSeconds(60), args.toArray(String[]::new));
                assertEquals(1, r.status(), r::describe);
                assertEquals(NOT_X86, r.err(), r::describe);
            }
        }
    }

    @Test
    void missingDevKvmIsOneLine() throws Exception {
        assumeTrue(Plugins.machines().stream().anyMatch(m -> m.name().equals("microvm")),
                "jemu has no microvm board yet (the x86 board branch is not merged): nothing to start under kvm");
        JemuProcess.Result r = JemuProcess.run(Duration.ofSeconds(60), List.of("-Djemu.kvm.device=/nonexistent/kvm"),
                List.of(), "-M", "microvm", "-accel", "kvm", "-nographic");
        assertEquals(1, r.status(), r::describe);
        assertEquals("jemu: -accel kvm: Could not access KVM kernel module: No such file or directory\n", r.err(),
                r::describe);
    }
}
