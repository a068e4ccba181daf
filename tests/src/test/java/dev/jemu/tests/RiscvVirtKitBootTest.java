package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineType;
import dev.jemu.core.machine.Plugins;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Boots Debian's riscv64 kernel and the kit's initramfs on the virt board, under the built-in SBI and under
 * OpenSBI fw_jump and fw_dynamic, and expects /init's {@code JEMU-BOOT-OK} and a clean poweroff (status 0).
 * Slow (minutes each), so it runs only when {@code JEMU_KIT_RISCV64} names a kit directory (Image,
 * initrd.cpio.gz, fw_jump.bin, fw_dynamic.bin).
 */
@EnabledIfEnvironmentVariable(named = "JEMU_KIT_RISCV64", matches = ".+")
class RiscvVirtKitBootTest {
    @ParameterizedTest(name = "bios={0}")
    @ValueSource(strings = {"builtin", "fw_jump.bin", "fw_dynamic.bin"})
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void bootsToInitAndPowersOff(String bios) throws Exception {
        Path kit = Path.of(System.getenv("JEMU_KIT_RISCV64"));
        assertTrue(Files.isRegularFile(kit.resolve("Image")), "no Image in " + kit);
        MachineType virt = Plugins.machines().stream()
                .filter(m -> m.architecture().equals("riscv64") && m.name().equals("virt")).findFirst().orElseThrow();
        MachineConfig c = new MachineConfig();
        c.ramBytes = 512L << 20;
        c.kernel = kit.resolve("Image");
        c.initrd = kit.resolve("initrd.cpio.gz");
        c.append = "console=ttyS0";
        c.noReboot = true;
        if (!bios.equals("builtin")) {
            c.bios = kit.resolve(bios).toString();
        }
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        c.serials.add(new CharBackend() {
            @Override
            public void write(byte[] d, int off, int len) {
                serial.write(d, off, len);
            }

            @Override
            public void connect(CharReceiver r, Consumer<Runnable> poster) {
            }
        });
        int status;
        try (Machine m = virt.create(c)) {
            status = m.run();
        }
        String out = serial.toString();
        assertTrue(out.contains("JEMU-BOOT-OK riscv64"), () -> tail(out));
        assertTrue(out.contains("JEMU-POWEROFF"), () -> tail(out));
        assertEquals(0, status, () -> tail(out));
    }

    private static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}
