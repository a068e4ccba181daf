package dev.jemu.tests.diff;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        String threads = "";
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                threads = javaThreads(command, p);
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
                new String(err.bytes(), StandardCharsets.UTF_8) + threads, !finished);
    }

    /**
     * A JVM (jemu) that did not end in time: its threads' stacks, twice, 3 s apart (the threads' cpu= times tell a
     * spin from a block), for the failure message, so that a hang seen once in CI says where it was. Empty for
     * other programs; what was got when jcmd cannot attach.
     */
    private static String javaThreads(List<String> command, Process p) {
        if (!command.getFirst().endsWith("/bin/java")) {
            return "";
        }
        Path jcmd = Path.of(command.getFirst()).resolveSibling("jcmd");
        StringBuilder all = new StringBuilder();
        try {
            for (int i = 1; i <= 2; i++) {
                if (i > 1) Thread.sleep(3000);
                Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(p.pid()), "Thread.print")
                        .redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
                Drain text = new Drain(dump.getInputStream(), 256 << 10);
                text.start();
                if (!dump.waitFor(30, TimeUnit.SECONDS)) {
                    dump.destroyForcibly();
                }
                text.join(5000);
                all.append("\n--- threads of the process at the timeout, dump ").append(i).append(" (jcmd Thread.print) ---\n")
                        .append(new String(text.bytes(), StandardCharsets.UTF_8));
            }
            return all.toString();
        } catch (IOException e) {
            return all + "\n(no thread dump: " + e.getMessage() + ")\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return all.toString();
        }
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
