package dev.jemu.x86.cpu;

import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;

/**
 * A bare 64-bit CPU for the FP/SSE tests (until the integer core's rig exists): RAM at 0, linear = physical,
 * long mode with CR4.OSFXSR/OSXMMEXCPT; runs instruction bytes placed at {@link #CODE} one at a time.
 */
final class FpRig {
    static final long CODE = 0x1000, DATA = 0x2000;

    final VirtualClock clock = VirtualClock.instructionCount(0);
    final AddressSpace bus = new AddressSpace();
    final GuestRam ram = new GuestRam(1 << 20);
    final X86Cpu cpu;
    private final Decoder decoder = new Decoder();

    FpRig() {
        bus.addRam("ram", 0, ram);
        cpu = new X86Cpu(0, bus, new AddressSpace(), new MachineLoop(clock), new Timebase(clock, 1_000_000_000));
        cpu.cr0 |= X86Cpu.CR0_PE | X86Cpu.CR0_MP | X86Cpu.CR0_NE;
        cpu.cr4 |= X86Cpu.CR4_OSFXSR | X86Cpu.CR4_OSXMMEXCPT | X86Cpu.CR4_PAE;
        cpu.efer |= X86Cpu.EFER_LME | X86Cpu.EFER_LMA;
        cpu.seg[X86Cpu.CS].set(8, 0, 0xffffffffL, Segment.P | Segment.S | 0xb << Segment.TYPE_SHIFT | Segment.L);
        cpu.updateMode();
    }

    /**
     * Runs the instruction in {@code code} at {@link #CODE}; returns -1, or the vector of the fault it raised
     * (the CPU state then is as the fault left it).
     */
    int exec(byte[] code) {
        bus.load(CODE, code);
        cpu.rip = CODE;
        X86Op op = decoder.decode(a -> (int) bus.read(a, 1), CODE, 64);
        cpu.nrip = CODE + decoder.length();
        try {
            op.exec(cpu);
        } catch (X86Exception e) {
            return cpu.excVector;
        }
        cpu.rip = cpu.nrip;
        return -1;
    }

    /** Runs instructions given as hex bytes, one instruction per string; fails on a fault. */
    void run(String... insns) {
        for (String hex : insns) {
            int v = exec(hex(hex));
            if (v >= 0) {
                throw new AssertionError("fault " + v + " in " + hex);
            }
        }
    }

    /**
     * Runs the instruction sequence {@code code} from {@code in} (XMM0, XMM1, 32 bytes at RDI, RAX, MXCSR, a
     * freshly initialised x87); returns null, or a description of the fault that stopped it.
     */
    String runCase(HostOracle.State in, byte[] code) {
        setXmm(0, in.x0(), in.x1());
        setXmm(1, in.y0(), in.y1());
        long[] m = {in.m0(), in.m1(), in.m2(), in.m3()};
        for (int i = 0; i < 4; i++) {
            bus.write(DATA + 8 * i, 8, m[i]);
        }
        cpu.r[X86Cpu.RDI] = DATA;
        cpu.r[X86Cpu.RAX] = in.rax();
        cpu.r[X86Cpu.RDX] = in.rax() >>> 8;
        cpu.mxcsr = in.mxcsr();
        cpu.x87.reset();
        cpu.setRflags(2);
        bus.load(CODE, code);
        cpu.rip = CODE;
        while (cpu.rip < CODE + code.length) {
            X86Op op = decoder.decode(a -> (int) bus.read(a, 1), cpu.rip, 64);
            cpu.nrip = cpu.rip + decoder.length();
            try {
                op.exec(cpu);
            } catch (X86Exception e) {
                return "fault " + cpu.excVector + " at +" + (cpu.rip - CODE);
            }
            cpu.rip = cpu.nrip;
        }
        return null;
    }

    /** The state {@link #runCase} compares (RFLAGS reduced to the arithmetic flags). */
    HostOracle.State state() {
        return new HostOracle.State(cpu.xmm[0], cpu.xmm[1], cpu.xmm[2], cpu.xmm[3], bus.read(DATA, 8),
                bus.read(DATA + 8, 8), bus.read(DATA + 16, 8), bus.read(DATA + 24, 8), cpu.r[X86Cpu.RAX], cpu.mxcsr,
                cpu.rflags() & 0x8d7);
    }

    static byte[] hex(String s) {
        s = s.replace(" ", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    void setXmm(int r, long lo, long hi) {
        cpu.xmm[2 * r] = lo;
        cpu.xmm[2 * r + 1] = hi;
    }
}
