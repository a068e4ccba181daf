package dev.jemu.tests.diff;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command with stdin from /dev/null, captures stdout (capped) and stderr, and enforces a timeout. */
public record ProcessRun(int status, byte[] stdout, String stderr, boolean timedOut) {

    /** Status reported when the process was killed at the timeout. */
    static final int TIMEOUT = -1;
    /** Guest output beyond this is dropped: a runaway guest must not exhaust the test JVM. */
    static final int MAX_OUTPUT = 4 << 20;

    public String stdoutText() {
        return new String(stdout, StandardCharsets.ISO_8859_1);
    }

    public static ProcessRun run(List<String> command, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(new File("/dev/null"));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.getFirst(), e);
        }
        Drain out = new Drain(p.getInputStream(), MAX_OUTPUT);
        Drain err = new Drain(p.getErrorStream(), 64 << 10);
        out.start();
        err.start();
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            out.join(5000);
            err.join(5000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.getFirst(), e);
        }
        return new ProcessRun(finished ? p.exitValue() : TIMEOUT, out.bytes(),
                new String(err.bytes(), StandardCharsets.UTF_8), !finished);
    }

    /** Reads a stream to its end on its own thread, keeping at most {@code limit} bytes. */
    private static final class Drain extends Thread {
        private final InputStream in;
        private final int limit;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Drain(InputStream in, int limit) {
            this.in = in;
            this.limit = limit;
            setDaemon(true);
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try (in) {
                for (int n; (n = in.read(chunk)) > 0; ) {
                    synchronized (buf) {
                        int keep = Math.min(n, limit - buf.size());
                        if (keep > 0) buf.write(chunk, 0, keep);
                    }
                }
            } catch (IOException ignored) {
                // the process went away; what was read so far is the result
            }
        }

        byte[] bytes() {
            synchronized (buf) {
                return buf.toByteArray();
            }
        }
    }
}
