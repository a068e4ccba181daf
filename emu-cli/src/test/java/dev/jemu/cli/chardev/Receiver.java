package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharReceiver;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
    boolean pumpUntil(String want, dev.jemu.core.chardev.CharBackend backend) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!text().contains(want)) {
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

    /** Runs posted work until {@code n} bytes arrived or 5 s pass. */
    boolean pumpBytes(int n, dev.jemu.core.chardev.CharBackend backend) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (bytes().length < n) {
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
