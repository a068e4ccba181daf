package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * User space reads the counters under Debian's kernel (issue 12's rdtime defect): the kit's shell gets the static
 * program counters/ctr.S (typed in as base64, assembled here by RiscvAssembler), which reads
 * {@code time}, {@code cycle} or {@code instret} from U-mode around a loop. Linux 6.x decides what user space may
 * read through its SBI PMU driver ({@code kernel.perf_user_access}: 1 = time only, 2 = all three), so the check
 * is QEMU's outcome: the same exit statuses as under QEMU 7.2 with OpenSBI, with jemu's built-in SBI and with
 * OpenSBI; time advancing at the 10 MHz timebase against a {@code sleep 1}; and with {@code perf_user_access = 2},
 * cycle and instret readable and instret growing by at least the loop's instructions.
 */
@Tag("boot")
class RiscvUserCountersBootTest {
    private static final KitGuest G = KitGuest.RISCV64;
    private static final long TIMEBASE_HZ = 10_000_000;
    /** ctr's loop: 10,000 turns of addi + bnez. */
    private static final long LOOP_INSTRUCTIONS = 20_000;
    private static Path program;

    @BeforeAll
    static void build() {
        // stripped, without the attributes section: 600-odd bytes to type in
        program = RiscvAssembler.assemble("counters/ctr.S", "ctr", List.of(), List.of("-s", "--build-id=none", "--no-relax"));
        RiscvAssembler.run(List.of("riscv64-unknown-elf-objcopy", "-R", ".riscv.attributes", program.toString()));
    }

    /** What one boot printed: the statuses ("RC name n") and counter pairs ("CTR t|c|i first second"). */
    private record Reads(String out) {
        int status(String name) {
            Matcher m = Pattern.compile("(?m)^RC " + Pattern.quote(name) + " (\\d+)\\r?$").matcher(out);
            assertTrue(m.find(), "no status of " + name + " in:\n" + tail());
            return Integer.parseInt(m.group(1));
        }

        /** The {@code n}-th (from 0) "CTR which a b" line: {a, b}. */
        long[] read(char which, int n) {
            Matcher m = Pattern.compile("(?m)^CTR " + which + " (\\d+) (\\d+)\\r?$").matcher(out);
            for (int i = 0; i <= n; i++) {
                assertTrue(m.find(), "no " + (n + 1) + " reads of " + which + " in:\n" + tail());
            }
            return new long[] {Long.parseUnsignedLong(m.group(1)), Long.parseUnsignedLong(m.group(2))};
        }

        String tail() {
            return out.substring(Math.max(0, out.length() - 3000));
        }
    }

    /** Boots the kit's shell with {@code firmware} ("" = jemu's built-in SBI) and runs the reads. */
    private static Reads run(String emulator, String firmware) throws Exception {
        List<String> args = new ArrayList<>(G.kernelArgs("virt", "jemu.shell"));
        if (!firmware.isEmpty()) args.addAll(List.of("-bios", G.file(firmware).toString()));
        StringBuilder typeIn = new StringBuilder();
        String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(program));
        for (int i = 0; i < b64.length(); i += 400) {      // busybox's line editor takes at most 1023 characters
            typeIn.append("echo ").append(b64, i, Math.min(b64.length(), i + 400)).append(" >> /ctr.b64\n");
        }
        typeIn.append("base64 -d /ctr.b64 > /ctr && chmod +x /ctr; echo TYPED-$((40+2))\n");
        String reads = String.join("\n",
                "/ctr t; echo RC t $?; /ctr c; echo RC c $?; /ctr i; echo RC i $?",
                "/ctr t; sleep 1; /ctr t",
                "echo 2 > /proc/sys/kernel/perf_user_access; echo RC sysctl $?",
                "/ctr c; echo RC c2 $?; /ctr i; echo RC i2 $?",
                "echo READS-$((40+2))\n");
        List<JemuProcess.Step> steps = List.of(new JemuProcess.Step(" # ", typeIn.toString()),
                new JemuProcess.Step("TYPED-42", reads), new JemuProcess.Step("READS-42", "poweroff -f\n"));
        JemuProcess.Result r;
        if (emulator.equals("qemu")) {
            assumeTrue(KitGuest.hasTool(G.qemu()), G.qemu() + " not installed");
            List<String> cmd = new ArrayList<>(List.of(G.qemu()));
            cmd.addAll(args);
            cmd.set(cmd.indexOf("-cpu") + 1, "rv64");   // QEMU's name of the CPU model jemu calls riscv64
            r = JemuProcess.runCommand(cmd, JemuProcess.timeout(), steps);
        } else {
            r = JemuProcess.run(JemuProcess.timeout(), steps, args.toArray(String[]::new));
        }
        assertFalse(r.timedOut(), r::describe);
        assertTrue(r.out().contains("READS-42"), r::describe);
        System.out.println("== user counters, " + emulator + (firmware.isEmpty() ? " (built-in SBI)" : " -bios " + firmware) + ":\n"
                + r.out().lines().filter(l -> l.startsWith("CTR ") || l.startsWith("RC ")).reduce("", (a, b) -> a + b + "\n"));
        return new Reads(r.out());
    }

    private static Reads qemu;

    private static synchronized Reads qemu() throws Exception {
        if (qemu == null) qemu = run("qemu", "fw_jump.bin");
        return qemu;
    }

    @Test
    void builtInSbiGivesUserSpaceTheCountersAsQemuWithOpenSbiDoes() throws Exception {
        G.requireBoard("virt");
        check(run("jemu", ""), qemu(), true);
    }

    @Test
    void openSbiGivesUserSpaceTheCountersAsUnderQemu() throws Exception {
        G.requireBoard("virt");
        check(run("jemu", "fw_jump.bin"), qemu(), false);
    }

    /**
     * {@code counting}: cycle and instret run in user space once readable. Not under OpenSBI: Linux's PMU driver
     * stops every counter at CPU start and OpenSBI then inhibits them (mcountinhibit), so they stand still under
     * jemu (QEMU 7.2 reads 0 from an inhibited counter); the built-in SBI's stop leaves them running.
     */
    private static void check(Reads jemu, Reads qemu, boolean counting) {
        // time: readable, and a sleep of one second is 1-10 s of 10 MHz ticks (a loaded host stretches sleeps)
        assertEquals(0, jemu.status("t"), "rdtime from user space (the vDSO's clock too)");
        long[] before = jemu.read('t', 1), after = jemu.read('t', 2);
        long slept = after[0] - before[0];
        assertTrue(slept >= TIMEBASE_HZ && slept <= 10 * TIMEBASE_HZ, "time advanced " + slept + " ticks over sleep 1");
        assertTrue(before[1] >= before[0], "time went back");
        // cycle and instret by default: whatever Linux allows under QEMU (6.x: SIGILL, status 132)
        for (String name : List.of("t", "c", "i", "sysctl", "c2", "i2")) {
            assertEquals(qemu.status(name), jemu.status(name), "status of " + name + " (QEMU's, jemu's)");
        }
        // with perf_user_access = 2 (when QEMU's kernel allows it, so does jemu's): cycle and instret count
        if (jemu.status("i2") == 0) {
            long[] i = jemu.read('i', 0);
            long[] c = jemu.read('c', 0);
            if (!counting) {
                assertTrue(Long.compareUnsigned(i[1], i[0]) >= 0 && Long.compareUnsigned(c[1], c[0]) >= 0, "a counter went back");
                return;
            }
            long retired = i[1] - i[0];
            assertTrue(retired >= LOOP_INSTRUCTIONS && retired < 100 * LOOP_INSTRUCTIONS, "instret grew by " + retired);
            assertTrue(c[1] - c[0] > 0, "cycle did not advance: " + c[0] + " " + c[1]);
        }
    }
}
