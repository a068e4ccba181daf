package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * QMP's job-style snapshot commands (snapshot-save, snapshot-load, snapshot-delete, query-jobs, and the job verbs) in
 * one session run against jemu and against QEMU 7.2, both on the heartbeat guest with a qcow2 disk made by
 * qemu-img and given as {@code -blockdev node-name=n0}: every reply and each job's JOB_STATUS_CHANGE sequence
 * must be the same (timestamps left out; where a reply falls among a job's events is a race in QEMU, so each
 * step's reply and its job's events are compared apart), and qemu-img must list the same snapshots afterwards.
 */
class QmpSnapshotJobTest {
    private static final String SAVE = "{\"execute\": \"snapshot-save\", \"arguments\": {\"job-id\": \"%s\", "
            + "\"tag\": \"%s\", \"vmstate\": \"%s\", \"devices\": [%s]}}";
    private static final String LOAD = SAVE.replace("snapshot-save", "snapshot-load");
    private static final String DELETE = "{\"execute\": \"snapshot-delete\", \"arguments\": {\"job-id\": \"%s\", "
            + "\"tag\": \"%s\", \"devices\": [%s]}}";
    private static final String JOBS = "{\"execute\": \"query-jobs\"}";

    @Test
    void snapshotJobsAnswerAsQemuDoes() throws Exception {
        MonitorVm.need(MonitorVm.QEMU);
        MonitorVm.need("qemu-img");
        Run qemu = session(false);
        Run jemu = session(true);
        assertEquals(qemu.transcript(), jemu.transcript());
        assertEquals(qemu.snapshots(), jemu.snapshots());
        assertEquals(List.of("t6"), jemu.snapshots(), jemu.listing());
        // save, load, save and the failed load stop the machine; after the failed load QEMU stays stopped, jemu
        // (whose load changed nothing) runs on
        assertEquals(List.of(4, 4), jemu.pauses(), "STOP and RESUME events of jemu");
        assertEquals(List.of(4, 3), qemu.pauses(), "STOP and RESUME events of QEMU");
    }

    /**
     * A {@code -drive} disk has only an automatic node name in QEMU (query-block's {@code #blockNNN}); jemu's
     * query-block reports no node names yet, so a snapshot job may name such a disk by its query-block device
     * name ({@code virtio0} here).
     */
    @Test
    void aDriveIsNamedByItsQueryBlockDevice() throws Exception {
        MonitorVm.need("qemu-img");
        Path dir = MonitorVm.tempDir("qjobd");
        Path sock = dir.resolve("qmp.sock");
        Path disk = dir.resolve("d.qcow2");
        run(List.of("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "16M"));
        List<String> args = MonitorVm.heartbeatArgs();
        args.addAll(List.of("-serial", "stdio", "-qmp", "unix:" + sock + ",server=on,wait=off",
                "-drive", "file=" + disk + ",if=virtio,format=qcow2"));
        List<String> t = new ArrayList<>();
        try (MonitorVm vm = MonitorVm.jemu(args)) {
            vm.awaitOutput("beat 0000000000000002", MonitorVm.seconds(60));
            vm.awaitFile(sock, MonitorVm.seconds(10));
            try (Client q = new Client(sock)) {
                assertTrue(q.send("{\"execute\": \"query-block\"}").contains("\"device\": \"virtio0\""));
                q.job(t, SAVE.formatted("s1", "t1", "virtio0", "\"virtio0\""), "s1");
                t.add(q.send(JOBS));
            }
        }
        assertEquals("[created, running, waiting, pending, concluded]", t.get(1).substring(4), t::toString);
        assertEquals("{\"return\": [{\"current-progress\": 1, \"status\": \"concluded\", \"total-progress\": 1, "
                + "\"type\": \"snapshot-save\", \"id\": \"s1\"}]}", t.get(2));
        assertTrue(run(List.of("qemu-img", "snapshot", "-l", "-U", disk.toString())).contains(" t1 "));
    }

    private record Run(List<String> transcript, List<String> snapshots, String listing, List<Integer> pauses) {
    }

    private static Run session(boolean jemu) throws Exception {
        Path dir = MonitorVm.tempDir("qjob");
        Path sock = dir.resolve("qmp.sock");
        Path disk = dir.resolve("d.qcow2");
        run(List.of("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "16M"));
        List<String> args = MonitorVm.heartbeatArgs();
        args.addAll(List.of("-serial", "stdio", "-qmp", "unix:" + sock + ",server=on,wait=off",
                "-blockdev", "driver=qcow2,node-name=n0,file.driver=file,file.filename=" + disk,
                "-device", "virtio-blk-device,drive=n0"));
        List<String> t = new ArrayList<>();
        List<Integer> pauses;
        try (MonitorVm vm = jemu ? MonitorVm.jemu(args) : MonitorVm.qemu(args)) {
            vm.awaitOutput("beat 0000000000000002", MonitorVm.seconds(60));
            vm.awaitFile(sock, MonitorVm.seconds(10));
            try (Client q = new Client(sock)) {
                q.job(t, SAVE.formatted("s1", "t1", "n0", "\"n0\""), "s1");
                t.add(q.send(JOBS));
                t.add(q.send(SAVE.formatted("s1", "t2", "n0", "\"n0\""))); // the id is taken
                q.dismiss(t, "s1");
                t.add(q.send(JOBS));
                int beats = vm.beats();
                q.job(t, LOAD.formatted("l1", "t1", "n0", "\"n0\""), "l1");
                t.add(q.send(JOBS));
                long end = System.nanoTime() + 30_000_000_000L;
                while (vm.beats() < beats + 3) { // the guest beats on after the load
                    assertTrue(System.nanoTime() < end, vm::describe);
                    Thread.sleep(20);
                }
                q.dismiss(t, "l1");
                t.add(q.send("{\"execute\": \"snapshot-load\", \"arguments\": {\"job-id\": \"l2\", \"vmstate\": \"n0\", "
                        + "\"devices\": [\"n0\"]}}"));
                t.add(q.send(SAVE.formatted("1x", "t1", "n0", "\"n0\"")));
                q.job(t, SAVE.formatted("s2", "t1", "n0", "\"n0\""), "s2"); // the tag exists
                t.add(q.send(JOBS));
                q.dismiss(t, "s2");
                q.job(t, SAVE.formatted("s3", "t3", "n9", "\"n0\""), "s3"); // vmstate not in devices
                q.job(t, SAVE.formatted("s4", "t4", "n0", ""), "s4"); // no devices
                q.job(t, SAVE.formatted("s5", "t5", "n0", "\"n0\", \"n8\""), "s5"); // no such node
                t.add(q.send(JOBS));
                q.dismiss(t, "s3");
                q.dismiss(t, "s4");
                q.dismiss(t, "s5");
                q.job(t, DELETE.formatted("d1", "t1", "\"n0\""), "d1");
                t.add(q.send(JOBS));
                q.dismiss(t, "d1");
                t.add(q.send("{\"execute\": \"job-dismiss\", \"arguments\": {\"id\": \"zz\"}}"));
                q.job(t, SAVE.formatted("s6", "t6", "n0", "\"n0\""), "s6");
                for (String verb : List.of("cancel", "pause", "resume", "complete", "finalize")) {
                    // a concluded job takes no verb but dismiss; a missing one is not found
                    t.add(q.send("{\"execute\": \"job-" + verb + "\", \"arguments\": {\"id\": \"s6\"}}"));
                    t.add(q.send("{\"execute\": \"job-" + verb + "\", \"arguments\": {\"id\": \"zz\"}}"));
                }
                t.add(q.send(JOBS));
                // a load that names a missing tag fails; QEMU then stays stopped, so it comes last
                q.job(t, LOAD.formatted("l3", "nope", "n0", "\"n0\""), "l3");
                t.add(q.send(JOBS));
                pauses = List.of(q.stops, q.resumes);
            }
        }
        String listing = run(List.of("qemu-img", "snapshot", "-l", "-U", disk.toString()));
        List<String> tags = new ArrayList<>();
        for (String l : listing.lines().skip(2).toList()) {
            String[] f = l.trim().split("\\s+");
            tags.add(f[1]);
            assertTrue(!f[2].equals("0"), "no VM state saved: " + listing);
        }
        return new Run(t, tags, listing, pauses);
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), cmd + ": " + out);
        return out;
    }

    /** A QMP client that keeps every line in order, timestamps removed, and counts STOP and RESUME events. */
    private static final class Client implements AutoCloseable {
        private final SocketChannel channel;
        private final BufferedReader in;
        private final OutputStream out;
        private final List<String> events = new ArrayList<>();
        int stops;
        int resumes;

        Client(Path socket) throws IOException {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            out = Channels.newOutputStream(channel);
            in.readLine();
            assertEquals("{\"return\": {}}", send("{\"execute\": \"qmp_capabilities\"}"));
        }

        /** Sends one command; returns its reply. Events are kept. */
        String send(String message) throws IOException {
            out.write((message + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                String l = line();
                if (!l.contains("\"event\": ")) {
                    return l;
                }
                events.add(l);
            }
        }

        /** A job command: its reply, then its job's status changes up to concluded (or its error reply alone). */
        void job(List<String> t, String command, String id) throws IOException {
            String reply = send(command);
            t.add(command.substring(0, 40) + " -> " + reply);
            if (reply.contains("\"error\"")) {
                return;
            }
            t.add(id + ": " + statuses(id, "concluded"));
        }

        /** job-dismiss: its reply and the job's last status change (null). */
        void dismiss(List<String> t, String id) throws IOException {
            t.add("dismiss " + id + " -> " + send("{\"execute\": \"job-dismiss\", \"arguments\": {\"id\": \"" + id + "\"}}"));
            t.add(id + ": " + statuses(id, "null"));
        }

        private List<String> statuses(String id, String last) throws IOException {
            List<String> seen = new ArrayList<>();
            String marker = "\"event\": \"JOB_STATUS_CHANGE\", \"data\": {\"status\": \"";
            while (true) {
                for (String e : new ArrayList<>(events)) {
                    events.remove(e);
                    stops += e.contains("\"event\": \"STOP\"") ? 1 : 0;
                    resumes += e.contains("\"event\": \"RESUME\"") ? 1 : 0;
                    if (e.endsWith("\"id\": \"" + id + "\"}}")) {
                        int at = e.indexOf(marker);
                        assertTrue(at >= 0, e);
                        String s = e.substring(at + marker.length(), e.indexOf('"', at + marker.length()));
                        seen.add(s);
                        if (s.equals(last)) {
                            return seen;
                        }
                    }
                }
                events.add(line());
            }
        }

        private String line() throws IOException {
            String l = in.readLine();
            if (l == null) {
                fail("the QMP connection closed; events: " + events);
            }
            return l.replaceFirst("^\\{\"timestamp\": \\{[^}]*\\}, ", "{");
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
