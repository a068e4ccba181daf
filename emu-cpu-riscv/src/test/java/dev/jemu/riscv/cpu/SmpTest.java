package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.AtomicTest.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Harts on host threads ({@code -accel tcg,thread=multi}): AMOs and LR/SC exact under real contention, remote
 * fences and HSM start served whatever the target does, interrupts from another thread waking a WFI, idle
 * harts leaving the host idle. Each test builds its own N-hart machine: RAM, one bus, N harts, the loop.
 */
class SmpTest {
    static final long RAM = 0x8000_0000L;
    static final long COUNTER = RAM + 0x10_0000, DONE = RAM + 0x10_0100, MARK = RAM + 0x10_0200;
    static final int AMOADD = 0x00;

    static final class Smp {
        final VirtualClock clock = VirtualClock.realtime();
        final MachineLoop loop = new MachineLoop(clock);
        final Timebase timebase = new Timebase(clock, 10_000_000);
        final AddressSpace bus = new AddressSpace();
        final GuestRam ram = new GuestRam(4L << 20);
        final List<Hart> harts = new ArrayList<>();
        final Thread machine;
        volatile Throwable failure;

        Smp(int n, Boolean multi) {
            bus.addRam("ram", RAM, ram);
            bus.useDeviceLock(loop.deviceLock());
            loop.setMultiThread(multi);
            for (int i = 0; i < n; i++) {
                Hart h = new Hart(i, bus, loop, timebase);
                h.setPc(RAM + 0x1000L * i);
                harts.add(h);
            }
            machine = new Thread(() -> {
                try {
                    loop.run(harts);
                } catch (Throwable t) {
                    failure = t;
                }
            }, "test-machine");
        }

        Smp load(Asm a) {
            bus.load(a.origin, a.bytes());
            return this;
        }

        Smp start() {
            machine.start();
            return this;
        }

        long read(long pa) {
            return bus.read(pa, 8);
        }

        void stop() throws InterruptedException {
            loop.requestExit(ExitRequest.quit(0));
            machine.join(20_000);
            assertFalse(machine.isAlive(), "the loop ended");
            assertEquals(null, failure);
        }
    }

    static void await(BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting until " + what);
            Thread.sleep(2);
        }
    }

    /**
     * Hart i's program at RAM + 0x1000 * i: {@code body} (registers: a0 = COUNTER, t0 = iterations left, a1 = 1)
     * in a loop, then amoadd 1 to DONE and a WFI loop (no interrupt enabled: the hart's thread parks).
     */
    static Asm loopProgram(int hart, long iterations, java.util.function.Consumer<Asm> body) {
        Asm a = new Asm(RAM + 0x1000L * hart).li(A0, COUNTER).li(T0, iterations).li(A1, 1).li(A6, DONE);
        long top = a.here();
        body.accept(a);
        a.addi(T0, T0, -1);
        a.bne(T0, ZERO, (int) (top - a.here()));
        a.amo(AMOADD, 3, ZERO, A6, A1);
        long idle = a.here();
        a.wfi();
        a.jal(ZERO, (int) (idle - a.here()));
        return a;
    }

    static long runAll(int n, Boolean multi, long iterations, java.util.function.Consumer<Asm> body)
            throws InterruptedException {
        Smp m = new Smp(n, multi);
        for (int i = 0; i < n; i++) {
            m.load(loopProgram(i, iterations, body));
        }
        m.start();
        await(() -> m.read(DONE) == n, "every hart finished");
        long v = m.read(COUNTER);
        m.stop();
        return v;
    }

    @Test
    void amoaddWordFromFourHartsIsExact() throws InterruptedException {
        assertEquals(4 * 200_000, runAll(4, null, 200_000, a -> a.amo(AMOADD, 2, ZERO, A0, A1)) & 0xffff_ffffL);
    }

    @Test
    void amoaddDoublewordFromTwoHartsIsExact() throws InterruptedException {
        assertEquals(2 * 500_000, runAll(2, true, 500_000, a -> a.amo(AMOADD, 3, ZERO, A0, A1)));
    }

    /** retry: lr a2,(a0); addi a2,a2,1; sc a3,a2,(a0); bnez a3,retry (width 2 .w, 3 .d) */
    static void lrScIncrement(Asm a, int width) {
        long retry = a.here();
        a.amo(LR, width, A2, A0, ZERO).addi(A2, A2, 1).amo(SC, width, A3, A0, A2);
        a.bne(A3, ZERO, (int) (retry - a.here()));
    }

    @Test
    void lrScIncrementFromThreeHartsIsExact() throws InterruptedException {
        assertEquals(3 * 200_000, runAll(3, true, 200_000, a -> lrScIncrement(a, 3)));
    }

    @Test
    void lrScWordIncrementInTurnIsExactToo() throws InterruptedException {
        assertEquals(2 * 50_000, runAll(2, false, 50_000, a -> lrScIncrement(a, 2)));
    }

    @Test
    void amomaxFromTwoHartsKeepsTheMaximum() throws InterruptedException {
        // every hart offers t0 (counting down from its iterations) plus a hart-specific base: amomax.d on the
        // counter keeps the largest, amominu.w on MARK (from all ones) the smallest
        Smp m = new Smp(2, true);
        for (int i = 0; i < 2; i++) {
            int base = i * 1_000_000;
            m.load(loopProgram(i, 100_000, a -> a.li(T1, base).add(T1, T1, T0).amo(MAX, 3, ZERO, A0, T1)
                    .amo(MINU, 2, ZERO, A7, T1)));
            m.harts.get(i).setReg(A7, MARK);
        }
        m.bus.write(MARK, 8, -1L);
        m.start();
        await(() -> m.read(DONE) == 2, "both finished");
        long max = m.read(COUNTER), min = m.read(MARK);
        m.stop();
        assertEquals(1_000_000 + 100_000, max);
        assertEquals(0xffff_ffff_0000_0001L, min, "the word's minimum, the upper word untouched");
    }

    @Test
    void scFailsWhenAnotherHartWroteTheWordBetween() {
        Smp m = new Smp(2, false);
        Hart h0 = m.harts.get(0), h1 = m.harts.get(1);
        // a run ends at a jump once its budget is used: "lr; j 1f; 1: sc; halt" stops between lr and sc
        m.load(new Asm(RAM).amo(LR, 3, A1, A0, ZERO).jal(ZERO, 4).amo(SC, 3, A2, A0, A3).halt());
        m.load(new Asm(RAM + 0x1000).sd(A4, A0, 0).halt());
        for (Hart h : m.harts) {
            h.setReg(A0, COUNTER);
        }
        h0.setReg(A3, 5);
        h1.setReg(A4, 9);
        h0.run(1); // lr
        assertEquals(RAM + 8, h0.pc());
        h1.run(1); // the other hart's store
        h0.run(1); // sc
        assertEquals(1, h0.reg(A2), "sc failed");
        assertEquals(9, m.read(COUNTER));
        // and without the other hart's store it succeeds
        h0.setPc(RAM);
        h0.run(1);
        h0.run(1);
        assertEquals(0, h0.reg(A2));
        assertEquals(5, m.read(COUNTER));
    }

    /** FENCE encodings: fm[31:28] pred[27:24] succ[23:20] (I O R W), opcode 0x0f. */
    @Test
    void onlyFencesOrderingStoresBeforeLoadsNeedTheHostFence() {
        assertTrue(Decoder.fenceNeedsHostFence(0x0330000f), "fence rw,rw");
        assertTrue(Decoder.fenceNeedsHostFence(0x0120000f), "fence w,r");
        assertTrue(Decoder.fenceNeedsHostFence(0x0ff0000f), "fence iorw,iorw");
        assertFalse(Decoder.fenceNeedsHostFence(0x8330000f), "fence.tso");
        assertFalse(Decoder.fenceNeedsHostFence(0x0230000f), "fence r,rw (acquire)");
        assertFalse(Decoder.fenceNeedsHostFence(0x0310000f), "fence rw,w (release)");
        assertFalse(Decoder.fenceNeedsHostFence(0x0140000f), "fence w,o (before an MMIO write)");
        assertFalse(Decoder.fenceNeedsHostFence(0x08a0000f), "fence i,ir (after an MMIO read)");
        assertEquals(1, (int) (Decoder.decode32(0x0330000f) >> 32), "the decoded FENCE carries the mark");
    }

    /** Hart 1 spins at RAM + 0x1000 on {@code addi t0,t0,1}; the test replaces that word behind its back. */
    @Test
    void remoteFenceIReachesARunningHartAndItRunsTheNewCode() throws InterruptedException {
        Smp m = new Smp(2, true);
        m.load(new Asm(RAM).wfi().jal(ZERO, -4));
        long spin = RAM + 0x1000;
        m.load(new Asm(spin).addi(T0, T0, 1).jal(ZERO, -4));
        m.harts.get(1).setReg(A4, MARK);
        m.harts.get(1).setReg(A5, 0x5a);
        m.start();
        // the hart has decoded its loop once it has counted (a fixed sleep was too short on a loaded host)
        await(() -> m.harts.get(1).reg(T0) > 1000, "hart 1 runs its loop");
        // the new code, written as DMA would (no hart's store marks it): sd a5,0(a4)
        m.bus.load(spin, new Asm(spin).sd(A5, A4, 0).bytes());
        Thread.sleep(200);
        assertEquals(0, m.read(MARK), "without a FENCE.I the hart may (and does) run its decoded copy");
        m.harts.get(1).remoteFenceI();
        await(() -> m.read(MARK) == 0x5a, "the hart runs the new code after the remote FENCE.I");
        m.stop();
    }

    static final long FLAG = RAM + 0x10_0300, FN = RAM + 0x3000;

    /**
     * Hart 0's rounds: for K = 1, 2, ... wait until FLAG holds K, FENCE.I, call FN ({@code addi t0,zero,K} and
     * return, rewritten before each round) and store t0 to MARK: MARK == K once it ran the round's code.
     */
    static Asm fenceIRounds() {
        Asm a = new Asm(RAM).li(A4, FLAG).li(A5, MARK).li(S1, 1).li(T1, FN);
        long wait = a.here();
        a.ld(T2, A4, 0).bne(T2, S1, (int) (wait - a.here()));
        return a.fenceI().jalr(RA, T1, 0).sd(T0, A5, 0).addi(S1, S1, 1).jal(ZERO, (int) (wait - a.here()));
    }

    static Asm fn(int k) {
        return new Asm(FN).addi(T0, ZERO, k).jalr(ZERO, RA, 0);
    }

    static void awaitMark(Smp m, long k) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (m.read(MARK) != k) { // spinning: a round trip within one run of the hart is what is tested
            assertTrue(System.nanoTime() < end, "round " + k + ": the hart ran FN's old code after its FENCE.I (MARK "
                    + m.read(MARK) + ")");
            Thread.onSpinWait();
        }
    }

    /**
     * Hart 0 alone runs (hart 1 stays stopped), so its FENCE.I skips the re-check as on one thread (Linux's boot
     * patches code with tens of thousands of them before it starts the other harts), but not once a device wrote
     * memory: here the test rewrites FN as DMA would, in the middle of the hart's run, 300 times.
     */
    @Test
    void theOnlyHartThatRanSeesCodeADeviceWroteAfterItsFenceI() throws InterruptedException {
        Smp m = new Smp(2, true);
        m.load(fenceIRounds()).load(fn(0));
        m.harts.get(1).stop();
        m.start();
        try {
            for (int k = 1; k <= 300; k++) {
                m.load(fn(k));
                m.bus.write(FLAG, 8, k);
                awaitMark(m, k);
            }
            assertTrue(m.harts.get(1).isStopped());
        } finally {
            m.stop();
        }
    }

    /**
     * As above with the code written by hart 1, whose store TLB took FN's page before hart 0 decoded it (so its
     * stores to it are not seen as stores to code): once a second hart ran, every FENCE.I re-checks.
     */
    @Test
    void aFenceISeesCodeAnotherHartStoredWithoutBeingTold() throws InterruptedException {
        Smp m = new Smp(2, true);
        m.load(fenceIRounds()).load(fn(0));
        // hart 1: a store to FN's page (its TLB entry, before FN is code), then for K = 1..300: wait until MARK is
        // K-1, write addi t0,zero,K over FN's first word (the 12-bit immediate at bit 20), raise FLAG to K
        long word = fn(0).bytes()[0] & 0xffL | (fn(0).bytes()[1] & 0xffL) << 8 | (fn(0).bytes()[2] & 0xffL) << 16
                | (fn(0).bytes()[3] & 0xffL) << 24;
        Asm b = new Asm(RAM + 0x1000).li(A0, FN).li(A1, FLAG).li(A2, MARK).li(A3, word).sd(ZERO, A0, 0x100)
                .li(S1, 0).li(S2, 300);
        long top = b.here();
        b.ld(T2, A2, 0).bne(T2, S1, (int) (top - b.here()));
        b.addi(S1, S1, 1).slli(T3, S1, 20).add(T3, T3, A3).sw(T3, A0, 0).sd(S1, A1, 0);
        b.bne(S1, S2, (int) (top - b.here()));
        long idle = b.here();
        b.wfi().jal(ZERO, (int) (idle - b.here()));
        m.load(b);
        m.start();
        try {
            awaitMark(m, 300); // a round that ran the old code stops both harts waiting for each other
        } finally {
            m.stop();
        }
    }

    @Test
    void remoteFencesOfAHaltedOrStoppedHartReturnAndHsmStartRunsIt() throws InterruptedException {
        Smp m = new Smp(3, true);
        m.load(new Asm(RAM).addi(T0, T0, 1).jal(ZERO, -4)); // hart 0 busy
        m.load(new Asm(RAM + 0x1000).wfi().jal(ZERO, -4)); // hart 1 in WFI, nothing enabled
        m.load(new Asm(RAM + 0x2000).li(A4, MARK).li(A5, 0x77).sd(A5, A4, 0).wfi().jal(ZERO, -4));
        m.harts.get(2).stop();
        m.start();
        Thread.sleep(100);
        for (int i = 0; i < 50; i++) {
            m.harts.get(0).remoteSfenceVma(0, -1);
            m.harts.get(1).remoteSfenceVma(0x1000, 0x2000);
            m.harts.get(1).remoteFenceI();
            m.harts.get(2).remoteSfenceVma(0, -1);
            m.harts.get(2).remoteFenceI();
        }
        assertTrue(m.harts.get(2).isStopped());
        assertEquals(0, m.read(MARK), "a stopped hart runs nothing");
        assertTrue(m.harts.get(2).start(h -> h.setPc(RAM + 0x2000)));
        await(() -> m.read(MARK) == 0x77, "the started hart runs");
        assertFalse(m.harts.get(2).start(h -> { }), "only a stopped hart starts");
        m.stop();
    }

    @Test
    void anInterruptFromAnotherThreadWakesAWfiPromptlyAndIdleHartsUseNoHostCpu() throws InterruptedException {
        Smp m = new Smp(2, true);
        // both harts: mie.MSIE on (mstatus.MIE off: WFI wakes, no trap), wfi, then mark, then wfi forever
        for (int i = 0; i < 2; i++) {
            m.load(new Asm(RAM + 0x1000L * i).li(T1, 1 << 3).csrw(Csr.MIE, T1).li(A4, MARK + 8 * i).li(A5, 1)
                    .wfi().sd(A5, A4, 0).csrw(Csr.MIE, ZERO).wfi().jal(ZERO, -4));
        }
        m.start();
        await(() -> m.harts.stream().allMatch(Hart::isHalted), "both in WFI");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpu0 = cpuThreadsTime(mx);
        Thread.sleep(500);
        long used = cpuThreadsTime(mx) - cpu0;
        assertTrue(used < TimeUnit.MILLISECONDS.toNanos(100), "WFI-idle harts used " + used / 1000 + " us of CPU");
        for (int i = 0; i < 2; i++) {
            long t0 = System.nanoTime();
            m.loop.deviceLock().lock();
            try {
                m.harts.get(i).setInterruptPending(3, true); // what the ACLINT's MSIP write does
            } finally {
                m.loop.deviceLock().unlock();
            }
            int hart = i;
            await(() -> m.read(MARK + 8 * hart) == 1, "hart " + hart + " woke");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "woke within 2 s");
        }
        m.stop();
    }

    /**
     * The park/wake race under stress: two threads raise SSIP (the SBI IPI path: mip set, then the parked hart's
     * thread signalled) on four harts that loop on WFI, clear SSIP and count; each raise waits for the count to
     * move. A raise that found the hart about to park and did not wake it would leave it asleep until the loop's
     * safety-net recheck, which counts it: none may happen, and every round is seen.
     */
    @Test
    void noWakeUpIsLostUnderStress() throws Exception {
        int n = 4, rounds = 1500;
        Smp m = new Smp(n, true);
        for (int i = 0; i < n; i++) {
            Asm a = new Asm(RAM + 0x1000L * i).li(T1, Csr.MIP_SSIP).csrw(Csr.MIE, T1).li(A4, MARK + 8 * i).li(A5, 0);
            long top = a.here();
            a.wfi().csrrc(ZERO, Csr.MIP, T1).addi(A5, A5, 1).sd(A5, A4, 0);
            m.load(a.jal(ZERO, (int) (top - a.here())));
        }
        m.start();
        List<Thread> drivers = new ArrayList<>();
        Throwable[] failed = new Throwable[2];
        for (int d = 0; d < 2; d++) {
            int first = 2 * d;
            drivers.add(Thread.ofPlatform().start(() -> {
                try {
                    java.util.Random rnd = new java.util.Random(first);
                    for (int r = 0; r < rounds; r++) {
                        int hart = first + rnd.nextInt(2);
                        long before = m.read(MARK + 8 * hart);
                        if (rnd.nextBoolean()) {
                            Thread.onSpinWait(); // vary the moment against the hart's way into its park
                        }
                        m.harts.get(hart).raiseSupervisorSoftwareInterrupt();
                        await(() -> m.read(MARK + 8 * hart) > before, "hart " + hart + " counted round " + before);
                    }
                } catch (Throwable t) {
                    failed[first / 2] = t;
                }
            }));
        }
        for (Thread t : drivers) {
            t.join();
        }
        assertEquals(null, failed[0]);
        assertEquals(null, failed[1]);
        assertEquals(0, m.loop.missedWakeups(), "wake-ups that only the safety-net recheck delivered");
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += m.read(MARK + 8 * i);
        }
        assertEquals(2L * rounds, total, "every raise counted once");
        m.stop();
    }

    private static long cpuThreadsTime(ThreadMXBean mx) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("jemu-cpu")) {
                sum += mx.getThreadCpuTime(t.threadId());
            }
        }
        return sum;
    }
}
