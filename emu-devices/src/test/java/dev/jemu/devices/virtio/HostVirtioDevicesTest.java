package dev.jemu.devices.virtio;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.devices.virtio.p9.SecurityModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * -object / -fsdev / -virtfs / -device mistakes for virtio-rng and virtio-9p: the same line QEMU 7.2 prints
 * for each (QEMU run side by side when installed), and good options giving the devices QEMU would make.
 */
class HostVirtioDevicesTest {
    @TempDir
    Path dir;

    private static MachineConfig config(List<String> args) {
        MachineConfig c = new MachineConfig();
        for (int i = 0; i < args.size(); i += 2) {
            List<String> to = switch (args.get(i)) {
                case "-object" -> c.objects;
                case "-fsdev" -> c.fsdevs;
                case "-virtfs" -> c.virtfs;
                case "-device" -> c.devices;
                default -> throw new IllegalArgumentException(args.get(i));
            };
            to.add(args.get(i + 1));
        }
        return c;
    }

    private static String jemuError(List<String> args) {
        try {
            HostVirtioDevices.resolve(config(args));
            return "(accepted)";
        } catch (ConfigException e) {
            return e.getMessage();
        }
    }

    private static String qemuError(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-system-riscv64", "-M", "virt", "-nographic", "-bios", "none",
                "-S", "-display", "none", "-monitor", "none", "-serial", "none"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "(accepted)";
        }
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return err.replace("qemu-system-riscv64: ", "");
    }

    private static boolean hasQemu() {
        try {
            return new ProcessBuilder("qemu-system-riscv64", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private List<List<String>> cases() {
        String d = dir.toString();
        String longTag = "t".repeat(40);
        return List.of(
                List.of("-virtfs", "local,path=" + d + ",mount_tag=t"),
                List.of("-virtfs", "local,path=" + d + ",security_model=none"),
                List.of("-virtfs", "local,mount_tag=t,security_model=none"),
                List.of("-virtfs", "local,path=/nonexistent-9p,mount_tag=t,security_model=none"),
                List.of("-virtfs", "foo,path=" + d + ",mount_tag=t,security_model=none"),
                List.of("-virtfs", "local,path=" + d + ",mount_tag=t,security_model=bad"),
                List.of("-virtfs", "local,path=" + d + ",mount_tag=t,security_model=none,foo=1"),
                List.of("-fsdev", "local,id=f,path=" + d + ",security_model=none", "-device", "virtio-9p-device,fsdev=f"),
                List.of("-fsdev", "local,id=f,path=" + d + ",security_model=none", "-device",
                        "virtio-9p-device,fsdev=g,mount_tag=t"),
                List.of("-fsdev", "local,path=" + d + ",security_model=none"),
                List.of("-device", "virtio-9p-device,mount_tag=t"),
                List.of("-fsdev", "local,id=f,path=" + d + ",security_model=none", "-device",
                        "virtio-9p-device,fsdev=f,mount_tag=" + longTag),
                List.of("-object", "rng-random,id=r,filename=/nonexistent-rng", "-device", "virtio-rng-device,rng=r"),
                List.of("-object", "rng-random,id=r", "-device", "virtio-rng-device,rng=x"),
                List.of("-object", "rng-foo,id=r"),
                List.of("-object", "rng-builtin"),
                List.of("-object", "rng-builtin,id=r,foo=1"),
                List.of("-object", "rng-builtin,id=r", "-object", "rng-builtin,id=r"),
                List.of("-device", "virtio-rng-device,period=0"),
                List.of("-device", "virtio-rng-device,foo=1"),
                List.of("-device", "virtio-rng-device,max-bytes=abc"));
    }

    @Test
    void errorsAreQemus() throws Exception {
        for (List<String> c : cases()) {
            String j = jemuError(c);
            assertNotEquals("(accepted)", j, c.toString());
            assertFalse(j.contains("Exception"), j);
        }
        assumeTrue(hasQemu(), "qemu-system-riscv64 not installed: not compared");
        for (List<String> c : cases()) {
            assertEquals(qemuError(c), jemuError(c), c.toString());
        }
    }

    @Test
    void goodOptions() throws Exception {
        String d = dir.toString();
        List<HostVirtioDevices.Plan> plans = HostVirtioDevices.resolve(config(List.of(
                "-object", "rng-random,id=r0,filename=/dev/urandom",
                "-device", "virtio-rng-device,rng=r0,max-bytes=1024,period=500",
                "-device", "virtio-rng-device",
                "-fsdev", "local,id=f0,path=" + d + ",security_model=passthrough,readonly=on",
                "-device", "virtio-9p-device,fsdev=f0,mount_tag=share0",
                "-virtfs", "local,path=" + d + ",mount_tag=share1,security_model=mapped")));
        assertEquals(4, plans.size());
        HostVirtioDevices.Rng r = (HostVirtioDevices.Rng) plans.get(0);
        assertEquals(1024, r.maxBytes());
        assertEquals(500, r.periodMs());
        assertEquals(Long.MAX_VALUE, ((HostVirtioDevices.Rng) plans.get(1)).maxBytes());
        HostVirtioDevices.NineP p0 = (HostVirtioDevices.NineP) plans.get(2);
        assertEquals("share0", p0.tag());
        assertTrue(p0.fs().readOnly());
        assertEquals(SecurityModel.PASSTHROUGH, p0.fs().model());
        assertEquals(SecurityModel.MAPPED_XATTR, ((HostVirtioDevices.NineP) plans.get(3)).fs().model());
        for (HostVirtioDevices.Plan p : plans) {
            if (p instanceof HostVirtioDevices.Rng rng) {
                rng.backend().close();
            }
        }
    }
}
