package dev.jemu.riscv.virt;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A developer's launcher until the CLI exists: {@code BootMain [-m MiB] [-bios F|none] [-kernel F]
 * [-initrd F] [-append S] [-no-reboot]}; serial output to stdout, exit status from the guest.
 */
public final class BootMain {
    public static void main(String[] args) throws Exception {
        MachineConfig c = new MachineConfig();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-m" -> c.ramBytes = Long.parseLong(args[++i]) << 20;
                case "-bios" -> c.bios = args[++i];
                case "-kernel" -> c.kernel = Path.of(args[++i]);
                case "-initrd" -> c.initrd = Path.of(args[++i]);
                case "-append" -> c.append = args[++i];
                case "-no-reboot" -> c.noReboot = true;
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        c.serials.add(new CharBackend() {
            @Override
            public void write(byte[] d, int off, int len) {
                System.out.write(d, off, len);
                System.out.flush();
            }

            @Override
            public void connect(CharReceiver r, Consumer<Runnable> poster) {
            }
        });
        long t0 = System.nanoTime();
        int status;
        try (Machine m = new VirtMachineType().create(c)) {
            status = m.run();
        } catch (ConfigException e) {
            System.err.println("jemu: " + e.getMessage());
            status = 1;
        }
        System.err.printf("[BootMain: exit status %d after %.2f s]%n", status, (System.nanoTime() - t0) / 1e9);
        System.exit(status);
    }
}
