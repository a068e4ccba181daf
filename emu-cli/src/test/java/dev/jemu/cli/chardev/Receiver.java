package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A device end for backend tests: a small FIFO, breaks counted, and a posted-work queue run by {@link #pump}. */
final class Receiver implements CharReceiver {
    final LinkedBlockingQueue<Runnable> posted = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream got = new ByteArrayOutputStream();
    int room = 16;
    int breaks;

    @Override
    public int canReceive() {
        return room;
    }

    @Override
    public synchronized void receive(byte[] data, int offset, int length) {
        got.write(data, offset, length);
    }

    @Override
    public void receiveBreak() {
        breaks++;
    }

    synchronized String text() {
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    synchronized byte[] bytes() {
        return got.toByteArray();
    }

    /** Runs posted work (the machine thread's job) until {@code text()} contains {@code want} or 5 s pass. */
    boolean pumpUntil(String want, CharBackend backend) throws InterruptedException {
        return pumpWhile(() -> !text().contains(want), backend);
    }

    /** Runs posted work until {@code n} bytes arrived or 5 s pass. */
    boolean pumpBytes(int n, CharBackend backend) throws InterruptedException {
        return pumpWhile(() -> bytes().length < n, backend);
    }

    private boolean pumpWhile(BooleanSupplier waiting, CharBackend backend) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (waiting.getAsBoolean()) {
            Runnable r = posted.poll(20, TimeUnit.MILLISECONDS);
            if (r != null) {
                r.run();
            } else {
                backend.receiverReady();
            }
            if (System.nanoTime() > end) {
                return false;
            }
        }
        return true;
    }
}
