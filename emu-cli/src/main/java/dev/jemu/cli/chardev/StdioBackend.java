package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * {@code -serial stdio}, {@code -chardev stdio} (and, under a {@link MuxBackend}, {@code mon:stdio}, the
 * {@code -nographic} default). Output goes through an {@link OutputBuffer}; input is read on a daemon thread
 * and reaches the device through an {@link InputPump}. On a terminal, stdin is switched to raw mode while
 * connected; {@code signals} off (QEMU's {@code signal=off}, implied by {@code mon:stdio}) sends Ctrl-C and
 * Ctrl-Z to the guest too. End of input is not an error: the guest just gets no more.
 */
public final class StdioBackend implements CharBackend {
    private final InputStream in;
    private final OutputBuffer out;
    private final boolean terminal;
    private final boolean signals;
    private InputPump pump;
    private Terminal rawMode;

    /**
     * @param terminal stdin is a terminal: raw mode
     * @param signals  Ctrl-C and Ctrl-Z stay the terminal's signals (QEMU's {@code signal=on})
     */
    public StdioBackend(InputStream in, OutputStream out, boolean terminal, boolean signals) {
        this.in = in;
        this.out = new OutputBuffer(out, "jemu-stdout");
        this.terminal = terminal;
        this.signals = signals;
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        out.write(data, offset, length);
    }

    @Override
    public void connect(CharReceiver receiver, Consumer<Runnable> poster) {
        if (pump != null) {
            throw new IllegalStateException("stdio is already connected");
        }
        pump = new InputPump(receiver, poster);
        if (terminal) {
            rawMode = Terminal.raw(signals);
        }
        Thread.ofPlatform().name("jemu-stdin").daemon().start(this::readLoop);
    }

    private void readLoop() {
        byte[] buf = new byte[4096];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return;
                }
                pump.offer(Arrays.copyOf(buf, n));
            }
        } catch (IOException e) {
            LoggerFactory.getLogger(StdioBackend.class).warn("stdin: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void receiverReady() {
        InputPump.push(pump);
    }

    /** Flushes output and gives the terminal back; call before printing anything else to the terminal. */
    @Override
    public void close() {
        out.close();
        if (rawMode != null) {
            rawMode.close();
            rawMode = null;
        }
    }
}
