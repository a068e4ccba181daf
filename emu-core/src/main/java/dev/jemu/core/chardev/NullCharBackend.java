package dev.jemu.core.chardev;

import java.util.function.Consumer;

/** {@code -serial null} / {@code none}, or a board serial port with no backend: output is dropped, there is never input. */
public final class NullCharBackend implements CharBackend {
    @Override
    public void write(byte[] data, int offset, int length) {
    }

    @Override
    public void connect(CharReceiver receiver, Consumer<Runnable> poster) {
    }
}
