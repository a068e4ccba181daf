package dev.jemu.cli.monitor;

import dev.jemu.core.control.ControlledBoard;
import dev.jemu.core.control.MachineControl;
import dev.jemu.core.control.RunState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * QEMU's job layer as far as its snapshot jobs use it: a job is created and runs (JOB_STATUS_CHANGE created,
 * running), does its work on the machine thread, then concludes through waiting and pending, or through aborting
 * with an error kept for query-jobs; the job verbs (cancel, pause, resume, complete, finalize, dismiss) are checked
 * against the job's status as QEMU's verb table does. One instance per machine,
 * shared by every QMP session; events go out through the machine's listeners, so they interleave with STOP and
 * RESUME in the order things happened.
 */
final class QmpJobs {
    private static final class Job {
        final String id;
        final String type;
        volatile String status = "created";
        volatile String error;
        volatile long current;
        volatile long total;
        volatile boolean cancelled;
        volatile boolean userPaused;

        Job(String id, String type) {
            this.id = id;
            this.type = type;
        }
    }

    /** strerror(ECANCELED): the error QEMU keeps for a job cancelled before it finished. */
    private static final String CANCELLED = "Operation canceled";
    private final MachineControl control;
    // guarded by this; in creation order (query-jobs lists the newest first, as QEMU's job list does)
    private final LinkedHashMap<String, Job> jobs = new LinkedHashMap<>();

    QmpJobs(MachineControl control) {
        this.control = control;
    }

    /**
     * Creates job {@code id} and returns what starts it; the caller runs that after the command's reply, since
     * QEMU's job runs in a bottom half after its command returned. {@code check} runs first on the machine thread
     * (a refusal changes nothing), then {@code work} with its result, with the CPUs stopped in {@code during}
     * unless that is null (snapshot-delete does not stop the machine).
     */
    <T> Runnable create(String id, String type, Function<ControlledBoard, T> check, RunState during, Consumer<T> work) {
        if (!wellFormed(id)) {
            throw QmpCommands.QmpError.generic("Invalid job ID '" + id + "'");
        }
        Job job = new Job(id, type);
        synchronized (this) {
            if (jobs.containsKey(id)) {
                throw QmpCommands.QmpError.generic("Job ID '" + id + "' already in use");
            }
            jobs.put(id, job);
        }
        change(job, "created");
        change(job, "running");
        return () -> control.query(board -> {
            job.total = 1;
            if (job.cancelled) {
                throw new IllegalStateException(CANCELLED);
            }
            return check.apply(board);
        }).thenCompose(checked -> during == null
                ? control.query(board -> {
                    work.accept(checked);
                    return null;
                })
                : control.whilePaused(during, () -> {
                    work.accept(checked);
                    return null;
                })).whenComplete((v, t) -> conclude(job, t));
    }

    private void conclude(Job job, Throwable t) {
        job.current = 1;
        if (t != null) {
            Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            job.error = c.getMessage() != null ? c.getMessage() : c.toString();
            change(job, "aborting");
        } else {
            change(job, "waiting");
            change(job, "pending");
        }
        change(job, "concluded");
    }

    /**
     * The job verbs, as QEMU's JobVerbTable allows them: cancel, pause and resume until the job concludes (a
     * snapshot job has no pause point, so a pause only marks it user-paused, as in QEMU); complete needs a
     * {@code ready} job and finalize a {@code pending} one, which jemu's auto-finalizing snapshot jobs never are;
     * dismiss takes a concluded job away (status null).
     */
    void apply(String id, String verb) {
        synchronized (this) {
            Job job = jobs.get(id);
            if (job == null) {
                throw QmpCommands.QmpError.generic("Job not found");
            }
            if (verb.equals("resume") && !job.userPaused) { // QEMU asks this before its verb table
                throw QmpCommands.QmpError.generic("Can't resume a job that was not paused");
            }
            if (!allowed(verb, job.status)) {
                throw QmpCommands.QmpError.generic("Job '" + id + "' in state '" + job.status
                        + "' cannot accept command verb '" + verb + "'");
            }
            switch (verb) {
                case "dismiss" -> {
                    jobs.remove(id);
                    change(job, "null");
                }
                case "cancel" -> job.cancelled = true;
                case "pause" -> job.userPaused = true;
                case "resume" -> job.userPaused = false;
                default -> throw new IllegalStateException(verb); // complete/finalize: no state allows them here
            }
        }
    }

    private static boolean allowed(String verb, String status) {
        boolean live = switch (status) {
            case "created", "running", "paused", "ready", "standby" -> true;
            default -> false;
        };
        return switch (verb) {
            case "cancel" -> live || status.equals("waiting") || status.equals("pending");
            case "pause", "resume" -> live;
            case "complete" -> status.equals("ready");
            case "finalize" -> status.equals("pending");
            case "dismiss" -> status.equals("concluded");
            default -> false;
        };
    }

    /** query-jobs: newest first, members in QEMU's order, {@code error} only for a failed job. */
    List<Object> query() {
        List<Job> all;
        synchronized (this) {
            all = new ArrayList<>(jobs.values());
        }
        List<Object> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            Job j = all.get(i);
            Map<String, Object> m = QmpCommands.ordered("current-progress", j.current, "status", j.status,
                    "total-progress", j.total, "type", j.type, "id", j.id);
            if (j.error != null && j.status.equals("concluded")) {
                m.put("error", j.error);
            }
            out.add(m);
        }
        return out;
    }

    /** A status and its event together: no one sees (or dismisses) a concluded job before its event went out. */
    private synchronized void change(Job job, String status) {
        job.status = status;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", status);
        data.put("id", job.id);
        control.report("JOB_STATUS_CHANGE", data);
    }

    /** QEMU's id_wellformed: a letter, then letters, digits, '-', '.' and '_'. */
    static boolean wellFormed(String id) {
        if (id.isEmpty() || !Character.isLetter(id.charAt(0)) || id.charAt(0) > 127) {
            return false;
        }
        for (char c : id.toCharArray()) {
            if (c > 127 || !(Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
