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
 * with an error kept for query-jobs; job-dismiss removes a concluded job (status null). One instance per machine,
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

        Job(String id, String type) {
            this.id = id;
            this.type = type;
        }
    }

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

    /** job-dismiss: a concluded job goes away (status null). */
    void dismiss(String id) {
        Job job;
        synchronized (this) {
            job = jobs.get(id);
            if (job == null) {
                throw QmpCommands.QmpError.generic("Job not found");
            }
            if (!job.status.equals("concluded")) {
                throw QmpCommands.QmpError.generic("Job '" + id + "' in state '" + job.status
                        + "' cannot accept command verb 'dismiss'");
            }
            jobs.remove(id);
            change(job, "null");
        }
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
