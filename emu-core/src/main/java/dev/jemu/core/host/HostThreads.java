package dev.jemu.core.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host's id of the calling thread (Linux's TID, as QEMU reports a vCPU's {@code thread-id}). */
public final class HostThreads {
    private HostThreads() {
    }

    /** The calling thread's TID from /proc/thread-self ("PID/task/TID"), or the JVM's thread id elsewhere. */
    public static long currentTid() {
        try {
            Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            return Long.parseLong(link.getFileName().toString());
        } catch (IOException | UnsupportedOperationException | NumberFormatException | SecurityException e) {
            return Thread.currentThread().threadId();
        }
    }
}
