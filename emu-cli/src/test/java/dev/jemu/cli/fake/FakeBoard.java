package dev.jemu.cli.fake;

import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test-only board driven by its kernel command line: {@code config-error} fails creation, {@code boom}
 * throws inside run, {@code status=N} is the exit status, {@code echo} reads serial0 input up to a newline
 * (through a small posted-work loop, like the real machine loop) and prints it back.
 */
public final class FakeBoard implements MachineType {
    /** The last configuration a test run created a machine from. */
    public static volatile MachineConfig last;

    @Override
    public String name() {
        return "fakeboard";
    }

    @Override
    public String description() {
        return "Fake board for CLI tests";
    }

    @Override
    public String architecture() {
        return "fakearch";
    }

    @Override
    public boolean isDefault() {
        return true;
    }

    @Override
    public Machine create(MachineConfig config) throws ConfigException {
        last = config;
        if (config.append.contains("config-error")) {
            throw new ConfigException("board says no");
        }
        return () -> run(config);
    }

    private static int run(MachineConfig config) {
        if (config.append.contains("boom")) {
            throw new IllegalStateException("boom");
        }
        var serial = config.serials.isEmpty() ? null : config.serials.get(0);
        if (serial != null) {
            byte[] hello = "hello from fakeboard\n".getBytes(StandardCharsets.US_ASCII);
            serial.write(hello, 0, hello.length);
        }
        if (serial != null && config.append.contains("echo")) {
            LinkedBlockingQueue<Runnable> posted = new LinkedBlockingQueue<>();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int[] room = {3};   // a tiny FIFO, to exercise flow control
            serial.connect(new CharReceiver() {
                @Override
                public int canReceive() {
                    return room[0];
                }

                @Override
                public void receive(byte[] data, int offset, int length) {
                    got.write(data, offset, length);
                    room[0] -= length;
                }
            }, posted::add);
            try {
                while (!got.toString(StandardCharsets.US_ASCII).contains("\n")) {
                    Runnable r = posted.poll(5, TimeUnit.SECONDS);
                    if (r == null) {
                        break;
                    }
                    r.run();
                    while (room[0] == 0) {   // the guest drains its full FIFO; the backend refills it
                        room[0] = 3;
                        serial.receiverReady();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] echo = ("got: " + got.toString(StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
            serial.write(echo, 0, echo.length);
        }
        int i = config.append.indexOf("status=");
        return i < 0 ? 0 : Integer.parseInt(config.append.substring(i + 7).split(" ")[0]);
    }
}
