package dev.jemu.x86.microvm;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.x86.cpu.BootState;
import dev.jemu.x86.cpu.Segment;

/** Builds microvm boards for tests, with a loader that starts a flat 64-bit CPU at 1 MiB and loads nothing. */
final class MicrovmTesting {
    private MicrovmTesting() {
    }

    static MachineConfig config(String props) {
        MachineConfig c = new MachineConfig();
        c.machine = "microvm";
        c.ramBytes = 512L << 20;
        c.clock = VirtualClock.instructionCount(0);
        c.rtc = new dev.jemu.core.machine.RtcOptions(1_796_000_000_000_000_000L, true); // -rtc clock=vm: deterministic
        for (String p : props.split(",")) {
            if (!p.isEmpty()) {
                c.boardProperties.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
            }
        }
        return c;
    }

    static MicrovmMachine build(MachineConfig config) throws ConfigException {
        return new MicrovmMachine(config, "tcg", board -> flat64(0x100000));
    }

    static BootState flat64(long rip) {
        Segment[] segs = new Segment[6];
        for (int i = 0; i < 6; i++) {
            segs[i] = new Segment();
            segs[i].set(0x18, 0, 0xffffffffL, Segment.P | Segment.S | 3 << Segment.TYPE_SHIFT);
        }
        segs[1].set(0x10, 0, 0xffffffffL, Segment.P | Segment.S | 0xb << Segment.TYPE_SHIFT | Segment.L);
        Segment tr = new Segment();
        tr.set(0, 0, 0xffff, Segment.P | 0xb << Segment.TYPE_SHIFT);
        return new BootState(rip, new long[16], 2, 0x80000011L, 0x9000, 0x20, 0x500, segs, tr, 0x500, 0x27, 0, 0);
    }
}
