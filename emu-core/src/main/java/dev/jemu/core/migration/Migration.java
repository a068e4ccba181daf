package dev.jemu.core.migration;

import dev.jemu.core.control.MachineControl;
import dev.jemu.core.control.RunState;
import dev.jemu.core.memory.DirtyLog;
import dev.jemu.core.snapshot.MachineState;
import dev.jemu.core.snapshot.MigrationStream;
import dev.jemu.core.snapshot.StateInput;
import dev.jemu.core.snapshot.StateOutput;
import dev.jemu.core.state.StateException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Live migration of one machine, both ways, as QEMU 7.2 does pre-copy: the parameters and status that the
 * monitors set and query, the outgoing migration's thread, and the incoming side of {@code -incoming}.
 *
 * <p>Outgoing: the header goes first (a destination that refuses it answers at once), then RAM in rounds while
 * the guest runs (every page in the first, then the pages the dirty log caught), until what is left would take
 * no longer than {@code downtime-limit} at the bandwidth measured in the last round (or after
 * {@link #MAX_PASSES}); then, in {@link MachineControl#finishMigration}, the devices are drained and captured,
 * the disks handed over (flushed, locks released), the last dirty pages and the devices sent. Every failure
 * (connection, destination refusal, cancel) leaves the guest running and the status {@code failed} or
 * {@code cancelled}.
 */
public final class Migration {
    /** QEMU 7.2's defaults: 128 MiB/s, 300 ms. */
    public static final long DEFAULT_MAX_BANDWIDTH = 128L << 20, DEFAULT_DOWNTIME_LIMIT = 300;
    /** Pre-copy rounds before stop-and-copy whatever is left (a guest dirtying faster than the link). */
    static final int MAX_PASSES = 30;
    private static final int RUN_PAGES = 256;                  // 1 MiB per page record: cancel and throttle react fast
    private static final long ACK_TIMEOUT_SECONDS = 60;

    private final MachineControl control;
    private final MachineState machine;
    private final boolean autostart;
    private final PrintStream err;

    private volatile long maxBandwidth = DEFAULT_MAX_BANDWIDTH;
    private volatile long downtimeLimit = DEFAULT_DOWNTIME_LIMIT;
    private volatile boolean events;
    private volatile MigrationStatus status = MigrationStatus.NONE;
    private volatile String errorDesc;
    private volatile MigrationStats stats = new MigrationStats();
    private volatile MigrationUri.Connection connection;
    private volatile boolean cancelled;
    // incoming: the URI given to -incoming ("defer" until migrate-incoming), whether it has been started
    private volatile String incoming;
    private volatile boolean incomingStarted;
    // whether the status is the incoming migration's (query-migrate shows only its status), and where it listens
    private volatile boolean incomingSide;
    private volatile List<SocketAddress> listening = List.of();

    /**
     * @param autostart whether an incoming migration resumes the guest ({@code -S} absent), as QEMU's destination
     * @param err       where one-line errors go (a failed connect on the source, a refused stream on the
     *                  destination), as QEMU reports them on stderr
     */
    public Migration(MachineControl control, MachineState machine, boolean autostart, PrintStream err) {
        this.control = control;
        this.machine = machine;
        this.autostart = autostart;
        this.err = err;
        control.beforeCont(() -> {
            if (control.state() == RunState.POSTMIGRATE) {
                machine.activateDisks(); // QEMU's cont takes the images back (fails while the destination has them)
            }
        });
    }

    // ------------------------------------------------------------------ parameters and status

    public long maxBandwidth() {
        return maxBandwidth;
    }

    public long downtimeLimit() {
        return downtimeLimit;
    }

    /**
     * {@code max-bandwidth} in bytes per second, a uint64 (QEMU takes any: a negative long is above 2^63, and
     * like 0 means no limit here).
     */
    public void setMaxBandwidth(long bytesPerSecond) {
        maxBandwidth = bytesPerSecond;
    }

    /** {@code downtime-limit} in milliseconds (QEMU allows 0 to 2000 seconds). */
    public void setDowntimeLimit(long ms) {
        if (ms < 0 || ms > 2_000_000) {
            throw new MigrationException("Parameter 'downtime_limit' expects an integer in the range of 0 to (2000 * 1000) ms");
        }
        downtimeLimit = ms;
    }

    public boolean events() {
        return events;
    }

    /** The {@code events} capability: MIGRATION and MIGRATION_PASS events are sent only with it, as in QEMU. */
    public void setEvents(boolean on) {
        if (status.running()) {
            throw new MigrationException("There's a migration process in progress");
        }
        events = on;
    }

    public MigrationStatus status() {
        return status;
    }

    public String errorDesc() {
        return errorDesc;
    }

    public MigrationStats stats() {
        return stats;
    }

    /** Whether {@link #status} is an incoming migration's (QEMU's destination reports only its status). */
    public boolean incomingSide() {
        return incomingSide;
    }

    /** Where the incoming migration listens until it has ended (query-migrate's socket-address). */
    public List<SocketAddress> listening() {
        return listening;
    }

    // ------------------------------------------------------------------ outgoing

    /**
     * {@code migrate URI}: checks what QEMU checks before it starts (one-line {@link MigrationException}), then
     * runs the migration on its own thread; connecting is part of it (a refused connection fails the migration,
     * not the command, as in QEMU).
     */
    public synchronized void migrate(String uri) {
        if (status.running()) {
            throw new MigrationException("There's a migration process in progress");
        }
        RunState s = control.state();
        if (s == RunState.INMIGRATE) {
            throw new MigrationException("Guest is waiting for an incoming migration");
        }
        if (s == RunState.POSTMIGRATE) {
            throw new MigrationException("Can't migrate the vm that was paused due to previous migration");
        }
        MigrationUri target;
        String refused = null;
        try {
            target = MigrationUri.parse(uri);
        } catch (MigrationUri.UnknownProtocol e) {
            target = null;
        } catch (IllegalArgumentException e) { // a malformed address: QEMU fails the migration with it
            target = null;
            refused = e.getMessage();
        }
        stats = new MigrationStats();
        stats.startMillis = System.currentTimeMillis();
        stats.totalBytes = machine.ram().size();
        stats.remainingBytes = stats.totalBytes; // every page is still to send, as QEMU counts it
        stats.expectedDowntimeMillis = downtimeLimit; // QEMU's estimate until a pass has been measured
        errorDesc = null;
        cancelled = false;
        incomingSide = false;
        setStatus(MigrationStatus.SETUP);
        if (target == null) { // as QEMU: the migration was set up, and failed (error-desc: the address's fault)
            errorDesc = refused;
            setStatus(MigrationStatus.FAILED);
            throw new MigrationException(refused != null ? refused : "Parameter 'uri' expects a valid migration protocol");
        }
        MigrationUri to = target;
        Thread.ofPlatform().name("jemu-migration").daemon().start(() -> send(to));
    }

    /** {@code migrate_cancel}: the connection is closed under the migration thread; the guest runs on. */
    public synchronized void cancel() {
        if (!status.running()) {
            return;
        }
        cancelled = true;
        setStatus(MigrationStatus.CANCELLING);
        MigrationUri.Connection c = connection;
        if (c != null) {
            c.close();
        }
    }

    private void send(MigrationUri target) {
        DirtyLog log = machine.ram().dirtyLog();
        MigrationStats st = stats;
        try {
            MigrationUri.Connection c = target.connect();
            connection = c;
            if (cancelled) {
                throw new IOException("cancelled");
            }
            BufferedOutputStream buffered = new BufferedOutputStream(c.out(), 1 << 20);
            // counted as written (into the buffer), so that query-migrate follows a slow link page by page
            OutputStream counted = new FilterOutputStream(buffered) {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    sent(1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    sent(len);
                }

                private void sent(int n) {
                    st.transferred += n;
                    if (!st.switchingOver) {
                        st.precopyBytes += n;
                    }
                }
            };
            MigrationStream.Writer w = new MigrationStream.Writer(StateOutput.of(counted));
            DataInputStream answers = c.twoWay() ? new DataInputStream(c.in()) : null;
            w.header(machine);
            buffered.flush();
            if (answers != null) {
                expect(answers, MigrationStream.ACK_HEADER, c);
            }
            // every CPU stopped meanwhile (CPU threads): no store between the take and the drop goes unmarked
            long[] dirty = onMachine(() -> control.withCpusStopped(() -> {
                log.start();
                machine.dropWriteMappings();
                return log.take();
            }));
            st.setupMillis = System.currentTimeMillis() - st.startMillis;
            int pass = 1;
            pass(pass); // the first sync is part of the setup, as in QEMU
            setStatus(MigrationStatus.ACTIVE);
            Throttle throttle = new Throttle(buffered);
            boolean first = true;
            while (true) {
                long t0 = System.nanoTime(), b0 = st.transferred;
                sendPages(w, dirty, first, throttle, st);
                w.round(pass);
                buffered.flush();
                first = false;
                double bytesPerMs = Math.max(1, (st.transferred - b0) / Math.max(0.001, (System.nanoTime() - t0) / 1e6));
                st.mbps = bytesPerMs * 8 * 1000 / 1e6;
                long elapsed = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
                dirty = onMachine(() -> control.withCpusStopped(() -> {
                    long[] d = log.take();
                    machine.dropWriteMappings();
                    return d;
                }));
                pass++;
                pass(pass);
                long remaining = DirtyLog.count(dirty) * MigrationStream.PAGE;
                st.remainingBytes = remaining;
                st.dirtyPagesRate = DirtyLog.count(dirty) * 1000 / elapsed;
                st.expectedDowntimeMillis = (long) (remaining / bytesPerMs);
                if (cancelled) {
                    throw new IOException("cancelled");
                }
                if (remaining <= bytesPerMs * downtimeLimit || pass > MAX_PASSES) {
                    break;
                }
            }
            long[] left = dirty;
            boolean ok = control.finishMigration(running -> finish(w, buffered, answers, c, left, log, st, running))
                    .get(ACK_TIMEOUT_SECONDS * 2, TimeUnit.SECONDS);
            if (!ok) {
                throw new IOException("cancelled");
            }
            st.totalMillis = System.currentTimeMillis() - st.startMillis;
            st.remainingBytes = 0;
            st.mbps = st.transferred * 8 / 1e6 / Math.max(0.001, st.totalMillis / 1000.0);
            c.close();
            setStatus(MigrationStatus.COMPLETED);
        } catch (Exception e) {
            log.stop();
            MigrationUri.Connection c = connection;
            if (c != null) {
                c.close();
            }
            if (cancelled) {
                setStatus(MigrationStatus.CANCELLED);
            } else {
                errorDesc = message(e);
                err.println("jemu: " + errorDesc);
                setStatus(MigrationStatus.FAILED);
            }
        } finally {
            connection = null;
        }
    }

    /** Stop-and-copy, on the machine thread with the CPUs stopped; true when the destination has the guest. */
    private boolean finish(MigrationStream.Writer w, BufferedOutputStream buffered, DataInputStream answers,
                           MigrationUri.Connection c, long[] left, DirtyLog log, MigrationStats st, boolean running)
            throws IOException {
        long t0 = System.nanoTime(), b0 = st.transferred;
        if (cancelled) {
            return false;
        }
        st.switchingOver = true;
        MigrationStream.Capture devices = MigrationStream.capture(machine); // drains: their DMA is in the log
        long[] last = log.take();
        log.stop();
        pass((int) st.dirtySyncCount + 1); // the last sync, guest stopped: a pass of its own, as in QEMU
        for (int i = 0; i < last.length; i++) {
            last[i] |= left[i];
        }
        machine.inactivateDisks();
        try {
            sendPages(w, last, false, null, st);
            if (!running) {
                w.stopped();
            }
            w.devices(devices);
            w.end();
            buffered.flush();
            if (answers != null) {
                expect(answers, MigrationStream.ACK_LOADED, c);
            } else {
                c.finish();
            }
        } catch (IOException | RuntimeException e) {
            machine.activateDisks();
            throw e;
        }
        st.downtimeMillis = (System.nanoTime() - t0) / 1_000_000;
        st.downtimeBytes = st.transferred - b0;
        return true;
    }

    /** The pages a bitmap names: non-zero ones with their data, zero ones as ZERO runs (none in the first pass). */
    private void sendPages(MigrationStream.Writer w, long[] bitmap, boolean first, Throttle throttle, MigrationStats st)
            throws IOException {
        var ram = machine.ram();
        long pages = ram.size() / MigrationStream.PAGE;
        long p = 0;
        long sentPages = 0, t0 = System.nanoTime();
        while (p < pages) {
            if ((bitmap[(int) (p >>> 6)] & (1L << p)) == 0) {
                p = (bitmap[(int) (p >>> 6)] >>> p) == 0 ? (p | 63) + 1 : p + 1;
                continue;
            }
            if (cancelled) {
                throw new IOException("cancelled");
            }
            boolean zero = MigrationStream.isZero(ram, p);
            long start = p;
            while (p < pages && p - start < RUN_PAGES && (bitmap[(int) (p >>> 6)] & (1L << p)) != 0
                    && MigrationStream.isZero(ram, p) == zero) {
                p++;
            }
            int n = (int) (p - start);
            st.remainingBytes = Math.max(0, st.remainingBytes - (long) n * MigrationStream.PAGE);
            if (zero) {
                st.duplicatePages += n;
                if (!first) {
                    w.zero(start, n);
                }
            } else {
                w.pages(ram, start, n);
                st.normalPages += n;
                sentPages += n;
                if (throttle != null) {
                    throttle.sent((long) n * MigrationStream.PAGE);
                }
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        st.pagesPerSecond = ms > 0 ? sentPages * 1000 / ms : st.pagesPerSecond;
    }

    /**
     * max-bandwidth (0: unlimited), as QEMU's rate limit: what was sent in excess of a tenth of it within a 100 ms
     * window is paid for by waiting as long as it takes at that rate (a 1 MiB run on a slow link waits seconds,
     * not one window). The wait is taken in slices that follow a changed max-bandwidth and a cancel.
     */
    private final class Throttle {
        private final java.io.Flushable out;
        private long windowStart = System.nanoTime(), windowBytes;

        Throttle(java.io.Flushable out) {
            this.out = out;
        }

        void sent(long bytes) throws IOException {
            windowBytes += bytes;
            while (true) {
                long rate = maxBandwidth;
                if (rate <= 0 || windowBytes < rate / 10 || cancelled) {
                    return;
                }
                long due = windowStart + (long) (windowBytes * 1e9 / rate); // when these bytes may have been sent
                long wait = due - System.nanoTime();
                if (wait <= 0) {
                    windowStart = System.nanoTime();
                    windowBytes = 0;
                    return;
                }
                out.flush(); // what was written goes out before the wait, not in bursts of a buffer
                try {
                    Thread.sleep(Math.min(wait, 100_000_000) / 1_000_000, (int) (Math.min(wait, 100_000_000) % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
        }
    }

    /** Reads the destination's answer: {@code expected}, or its refusal line; a silent peer times out. */
    private static void expect(DataInputStream answers, int expected, MigrationUri.Connection c) throws IOException {
        CompletableFuture<Void> watchdog = new CompletableFuture<>();
        watchdog.completeOnTimeout(null, ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS).thenRun(c::close);
        try {
            int b = answers.read();
            if (b == expected) {
                return;
            }
            if (b == MigrationStream.NACK) {
                throw new IOException("the destination refused the migration: " + answers.readUTF());
            }
            throw new IOException(b < 0 ? "the destination closed the connection" : "the destination answered " + b);
        } finally {
            watchdog.cancel(false);
        }
    }

    private <T> T onMachine(java.util.concurrent.Callable<T> work) throws Exception {
        CompletableFuture<T> f = control.query(b -> {
            try {
                return work.call();
            } catch (Exception e) {
                throw new StateException(e.getMessage());
            }
        });
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    private static String message(Throwable e) {
        while ((e instanceof ExecutionException || e instanceof java.util.concurrent.CompletionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        String m = e.getMessage();
        if (e instanceof java.nio.channels.ClosedChannelException || m == null) {
            m = "the connection was closed";
        }
        boolean qemus = m.startsWith("Failed to connect") || m.startsWith("address resolution failed")
                || m.startsWith("Unable to write to command");
        return qemus || m.startsWith("the destination") || m.startsWith("the command") ? m : "migration failed: " + m;
    }

    private void pass(int n) {
        stats.dirtySyncCount = n;
        if (events) {
            control.report("MIGRATION_PASS", Map.of("pass", (long) n));
        }
    }

    private void setStatus(MigrationStatus s) {
        status = s;
        if (events) {
            control.report("MIGRATION", Map.of("status", s.qapiName()));
        }
    }

    // ------------------------------------------------------------------ incoming

    /**
     * {@code -incoming URI}: the machine waits in inmigrate; a socket is listening when this returns (a taken
     * port is a one-line {@link MigrationException}), {@code defer} waits for {@link #migrateIncoming}.
     */
    public void expectIncoming(String uri) {
        control.expectIncoming();
        incoming = uri;
        if (!uri.equals("defer")) {
            startIncoming(uri);
        }
    }

    /** {@code migrate-incoming URI} after {@code -incoming defer}, refused as QEMU refuses it otherwise. */
    public synchronized void migrateIncoming(String uri) {
        if (incomingStarted) { // also after -incoming URI, which QEMU starts the same way
            throw new MigrationException("The incoming migration has already been started");
        }
        if (incoming == null || control.state() != RunState.INMIGRATE) {
            throw new MigrationException("'-incoming' was not specified on the command line");
        }
        startIncoming(uri);
    }

    private void startIncoming(String uri) {
        control.report("MIGRATION", Map.of("status", "setup")); // QEMU 7.2 sends it on every start, events or not
        MigrationUri from;
        try {
            from = MigrationUri.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new MigrationException(e.getMessage());
        }
        MigrationUri.Listener listener;
        try {
            listener = from.listen();
        } catch (IOException e) {
            throw new MigrationException(e.getMessage());
        }
        incomingStarted = true;
        incomingSide = true;
        listening = listener.addresses();
        Thread.ofPlatform().name("jemu-incoming").daemon().start(() -> receive(listener));
    }

    private void receive(MigrationUri.Listener listener) {
        MigrationUri.Connection c = null;
        DataOutputStream answers = null;
        try {
            c = listener.accept();
            connection = c;
            if (c.twoWay()) {
                answers = new DataOutputStream(c.out());
            }
            setStatus(MigrationStatus.ACTIVE);
            MigrationStream.Reader r = new MigrationStream.Reader(machine, StateInput.of(new BufferedInputStream(c.in(), 1 << 20)));
            r.header();
            answer(answers, MigrationStream.ACK_HEADER, null);
            MigrationStream.Loaded loaded = r.body();
            CompletableFuture<Void> done = control.finishIncoming(() -> {
                machine.activateDisks();
                MigrationStream.apply(machine, loaded);
            }, autostart && !loaded.sourceStopped());
            try {
                done.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException x ? x : new StateException(message(e));
            }
            answer(answers, MigrationStream.ACK_LOADED, null);
            listening = List.of();
            setStatus(MigrationStatus.COMPLETED);
        } catch (Exception e) {
            String why = e instanceof StateException ? e.getMessage() : message(e);
            try {
                answer(answers, MigrationStream.NACK, why);
            } catch (IOException ignored) {
                // the source has gone: it finds out on its own
            }
            errorDesc = why;
            setStatus(MigrationStatus.FAILED);
            err.println("jemu: load of migration failed: " + why);
            control.requestQuit(1); // as QEMU's destination: the guest cannot run on a half-loaded state
        } finally {
            listening = List.of();
            listener.close();
            if (c != null) {
                c.close();
            }
        }
    }

    private static void answer(DataOutputStream answers, int what, String line) throws IOException {
        if (answers == null) {
            return;
        }
        answers.writeByte(what);
        if (line != null) {
            answers.writeUTF(line.length() > 1000 ? line.substring(0, 1000) : line);
        }
        answers.flush();
    }
}
