package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import java.util.function.Consumer;

/** {@code -serial null} / {@code none}: output is dropped, there is never input. */
public final class NullBackend implements CharBackend {
    @Override
    public void write(byte[] data, int offset, int length) {
    }

    @Override
    public void connect(CharReceiver receiver, Consumer<Runnable> poster) {
    }
}
