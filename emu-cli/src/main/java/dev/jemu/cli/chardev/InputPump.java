package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharReceiver;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Input from a backend's reader thread to the device, one chunk at a time: the reader blocks in
 * {@link #offer} until the previous chunk was taken, and the machine thread hands the device only what it
 * says it has room for. The guest's flow control thus reaches the host (a socket client that types faster
 * than the guest reads is held back by TCP, not dropped).
 */
final class InputPump {
    private final CharReceiver receiver;
    private final Consumer<Runnable> poster;
    private final Semaphore chunkFree = new Semaphore(1);
    // machine thread only: the chunk being delivered
    private byte[] chunk;
    private int chunkPos;

    InputPump(CharReceiver receiver, Consumer<Runnable> poster) {
        this.receiver = receiver;
        this.poster = poster;
    }

    /** Reader thread: queues {@code data} (not copied) for the device; waits while a chunk is pending. */
    void offer(byte[] data) throws InterruptedException {
        if (data.length == 0) {
            return;
        }
        chunkFree.acquire();
        poster.accept(() -> deliver(data));
    }

    /** Reader thread: a break condition for the device (after the bytes offered before it). */
    void offerBreak() throws InterruptedException {
        chunkFree.acquire();
        poster.accept(() -> {
            receiver.receiveBreak();
            chunkFree.release();
        });
    }

    private void deliver(byte[] data) {
        chunk = data;
        chunkPos = 0;
        push();
    }

    /** {@link #push} on a backend's pump, if it is connected yet. */
    static void push(InputPump pump) {
        if (pump != null) {
            pump.push();
        }
    }

    /** Machine thread: hands the device as much of the current chunk as it has room for. */
    void push() {
        while (chunk != null) {
            int room = receiver.canReceive();
            if (room <= 0) {
                return;
            }
            int n = Math.min(room, chunk.length - chunkPos);
            receiver.receive(chunk, chunkPos, n);
            chunkPos += n;
            if (chunkPos == chunk.length) {
                chunk = null;
                chunkFree.release();
            }
        }
    }
}
