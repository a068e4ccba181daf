package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Debian's amd64 kernel from the kit on {@code -M microvm -accel kvm}: the guest runs on the host CPU through
 * /dev/kvm and reaches JEMU-BOOT-OK, finds its disk and powers off with status 0. Where /dev/kvm is missing the test
 * is skipped and says so; where it exists but cannot run the kernel (a nested /dev/kvm without two-dimensional paging
 * fails with KVM's "emulation failure" in the decompressor, as QEMU 7.2 with -accel kvm fails there too) it is
 * skipped with KVM's own line. It never passes without the boot.
 */
@Tag("boot")
class Amd64KvmBootTest {
    private static final KitGuest G = KitGuest.AMD64;

    @Test
    void bootsTheKitUnderKvm() throws Exception {
        G.requireBoard("microvm");
        Path kvm = Path.of("/dev/kvm");
        assumeTrue(Files.isReadable(kvm) && Files.isWritable(kvm), "no usable /dev/kvm on this host: KVM boot not run");
        List<String> args = Amd64BootTest.kernelArgs("jemu.info");
        args.addAll(List.of("-accel", "kvm"));
        args.addAll(Amd64BootTest.disk(G.file("root.qcow2"), true));
        JemuProcess.Result r = JemuProcess.run(JemuProcess.timeout(), args.toArray(String[]::new));
        String err = r.err().strip();
        if (r.status() == 1 && err.startsWith("jemu: KVM internal error. Suberror: 1 (emulation failure)")) {
            abort("this host's /dev/kvm cannot run Debian's amd64 kernel (KVM.md: nested, no two-dimensional paging): "
                    + err);
        }
        assertFalse(r.timedOut(), r::describe);
        String out = r.out().replace("\r", "");
        assertTrue(out.contains("JEMU-BOOT-OK x86_64 "), r::describe);
        assertTrue(out.contains("JEMU-DISK-OK"), r::describe);
        assertTrue(out.contains("JEMU-POWEROFF"), r::describe);
        assertEquals(0, r.status(), r::describe);
        System.out.printf("KVM boot: %d ms%n", r.elapsed().toMillis());
    }
}
