package dev.jemu.riscv.cpu;

import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;

/** A bare machine for hart tests: RAM at 0x80000000, a scratch MMIO device at 0x10000000, one hart. */
final class TestRig {
    static final long RAM_BASE = 0x8000_0000L;
    static final long RAM_SIZE = 8L << 20;
    static final long MMIO_BASE = 0x1000_0000L;

    final VirtualClock clock = VirtualClock.instructionCount(0);
    final MachineLoop loop = new MachineLoop(clock);
    final Timebase timebase = new Timebase(clock, 10_000_000);
    final AddressSpace bus = new AddressSpace();
    final GuestRam ram = new GuestRam(RAM_SIZE);
    final long[] mmioRegs = new long[16];
    int mmioReads, mmioWrites;
    final Hart hart;

    TestRig() {
        bus.addRam("ram", RAM_BASE, ram);
        bus.addMmio("test", MMIO_BASE, 0x1000, new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                mmioReads++;
                return mmioRegs[(int) (offset >>> 3) & 15];
            }

            @Override
            public void write(long offset, int size, long value) {
                mmioWrites++;
                mmioRegs[(int) (offset >>> 3) & 15] = value;
            }
        });
        hart = new Hart(0, bus, loop, timebase);
        hart.compileInBackground = false; // a hot block is compiled at once (JitCompilerTest covers the background)
        hart.setPc(RAM_BASE);
    }

    TestRig load(Asm a) {
        bus.load(a.origin, a.bytes());
        return this;
    }

    /** One PMP entry granting S and U modes everything, as firmware does before booting a kernel. */
    TestRig openPmp() {
        hart.setCsr(Csr.PMPADDR0, -1L);
        hart.setCsr(Csr.PMPCFG0, Pmp.NAPOT << Pmp.A_SHIFT | Pmp.R | Pmp.W | Pmp.X);
        return this;
    }

    /** Sets mtvec and stvec to halt loops at RAM_BASE+0x100 and RAM_BASE+0x200. */
    TestRig handlers() {
        load(new Asm(M_HANDLER).halt());
        load(new Asm(S_HANDLER).halt());
        hart.setCsr(Csr.MTVEC, M_HANDLER);
        hart.setCsr(Csr.STVEC, S_HANDLER);
        return this;
    }

    static final long M_HANDLER = RAM_BASE + 0x100, S_HANDLER = RAM_BASE + 0x200;

    long read64(long pa) {
        return bus.read(pa, 8);
    }

    void write64(long pa, long v) {
        bus.write(pa, 8, v);
    }

    /**
     * Runs until the hart sits in a {@code halt()} self-loop (two chunks ending at the same pc), halts in WFI,
     * or the budget runs out; returns instructions retired.
     */
    long run(long budget) {
        long total = 0;
        long lastPc = -1;
        while (total < budget) {
            if (hart.isHalted()) {
                break;
            }
            long n = hart.run(Math.min(1000, budget - total));
            total += n;
            clock.addInstructions(n);
            clock.runExpired();
            if (hart.pc() == lastPc && n > 0 && atHaltInstruction()) {
                break;
            }
            lastPc = hart.pc();
        }
        return total;
    }

    /** Whether the pc holds {@code jal x0, 0} (checked physically when translation is off). */
    private boolean atHaltInstruction() {
        boolean translated = hart.privilege() != 3 && (hart.csr(Csr.SATP) >>> 60) != 0;
        if (translated) {
            return true; // paged tests end in ecall/halt handlers; a repeated pc is good enough
        }
        try {
            return (bus.read(hart.pc(), 4) & 0xffff_ffffL) == 0x6f;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Runs {@code budget} instructions in chunks, advancing the clock and firing timers, without stopping early. */
    long runFor(long budget) {
        long total = 0;
        while (total < budget && !hart.isHalted()) {
            long n = hart.run(Math.min(1000, budget - total));
            total += n;
            clock.addInstructions(n);
            clock.runExpired();
        }
        return total;
    }

    /** Runs a program placed at RAM_BASE in M-mode until its halt. */
    static TestRig runM(Asm a) {
        TestRig rig = new TestRig();
        rig.load(a);
        rig.run(100_000);
        return rig;
    }
}
