package dev.jemu.core.chardev;

import java.util.function.Consumer;

/** A backend that passes everything to another one; subclasses watch or copy what goes by. */
public abstract class ForwardingCharBackend implements CharBackend {
    protected final CharBackend inner;

    protected ForwardingCharBackend(CharBackend inner) {
        this.inner = inner;
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        inner.write(data, offset, length);
    }

    @Override
    public void connect(CharReceiver receiver, Consumer<Runnable> poster) {
        inner.connect(receiver, poster);
    }

    @Override
    public void receiverReady() {
        inner.receiverReady();
    }

    @Override
    public void close() {
        inner.close();
    }
}
