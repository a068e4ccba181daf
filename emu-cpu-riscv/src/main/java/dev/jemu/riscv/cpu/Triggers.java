package dev.jemu.riscv.cpu;

import dev.jemu.core.gdb.DebugPoints;
import dev.jemu.core.gdb.StopReason;

/**
 * The Sdtrig debug triggers as QEMU 7.2 implements them for riscv64: two triggers, each of type 2 (mcontrol)
 * or 6 (mcontrol6), matching an execute, load or store address in the privilege modes whose bit is set, with
 * one action: a breakpoint exception (cause 3, tval 0, before the instruction or access). What QEMU does not
 * implement reads back as zero (dmode, maskmax, hit, select, timing, action, chain, match). A write of a type
 * other than 2 or 6 to tdata1 is ignored; tdata3 is hard-wired to zero.
 *
 * <p>The hart asks {@link #exec} and {@link #data} (which modes arm an execute or a load/store trigger) before
 * doing any per-instruction or per-access work, so an unarmed hart pays nothing.
 *
 * <p>The external debugger (the gdb stub) uses the same gates with a bit of its own, {@link #DEBUGGER}, apart
 * from the guest's triggers: in {@code exec} while it single-steps (every instruction checked, one at a time),
 * in {@code data} while it has watchpoints (their pages stay out of the data TLBs). Its breakpoints need no
 * gate: pages holding one stay out of the fetch TLB ({@link #debugBreakpointPage}), so code elsewhere keeps its
 * translated blocks. A watched access stops the hart before the instruction (a {@link Trap#DEBUGGER}
 * pseudo-trap, precise like any trap), as QEMU's does: gdb steps over it itself to see the new value.
 */
final class Triggers {
    static final int COUNT = 2;
    static final int TYPE_MCONTROL = 2, TYPE_MCONTROL6 = 6;
    static final long TINFO = 1L << TYPE_MCONTROL | 1L << TYPE_MCONTROL6;
    static final long LOAD = 1, STORE = 2, EXECUTE = 4;
    private static final long MODES = 1L << 3 | 1L << 4 | 1L << 6; // U, S, M: bit 3 + privilege
    private static final long VS_VU = 3L << 23; // mcontrol6 only: kept, though jemu has no H
    private static final int[] SIZE_BYTES = {0, 1, 2, 4, -1, 8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};

    int select;
    final long[] tdata1 = new long[COUNT];
    final long[] tdata2 = new long[COUNT];
    /** Privilege masks (bit = 1 << priv) in which some trigger matches execution / a load or store. */
    int exec, data;
    /** In {@link #exec} / {@link #data}: the external debugger steps / watches (not a privilege bit). */
    static final int DEBUGGER = 1 << 8;

    // the external debugger's state (null points: none attached)
    DebugPoints debugger;
    private int debugCpu;
    private boolean stepping, stepRan;

    Triggers() {
        reset();
    }

    void reset() {
        select = 0;
        for (int i = 0; i < COUNT; i++) {
            tdata1[i] = (long) TYPE_MCONTROL << 60;
            tdata2[i] = 0;
        }
        recompute();
    }

    static int type(long tdata1) {
        return (int) (tdata1 >>> 60);
    }

    /** tselect: WARL, a trigger number that does not exist leaves it unchanged. */
    void writeSelect(long v) {
        if (Long.compareUnsigned(v, COUNT) < 0) {
            select = (int) v;
        }
    }

    /** Writes tdata1/2 (index 1/2) of the selected trigger; returns true when what matches changed. */
    boolean writeData(int index, long v) {
        int i = select;
        if (index == 3) {
            return false;
        }
        if (index == 2) {
            if (tdata2[i] == v) {
                return false;
            }
            tdata2[i] = v;
        } else {
            long nv = switch (type(v)) {
                case TYPE_MCONTROL -> mcontrol(v);
                case TYPE_MCONTROL6 -> mcontrol6(v);
                default -> tdata1[i]; // other types: ignored
            };
            if (nv == tdata1[i]) {
                return false;
            }
            tdata1[i] = nv;
        }
        recompute();
        return true;
    }

    long readData(int index) {
        return switch (index) {
            case 1 -> tdata1[select];
            case 2 -> tdata2[select];
            default -> 0;
        };
    }

    private static long mcontrol(long v) {
        long size = (v >>> 16 & 3) | (v >>> 21 & 3) << 2;
        long keep = SIZE_BYTES[(int) size] < 0 ? 0 : v & (3L << 16 | 3L << 21);
        return (long) TYPE_MCONTROL << 60 | keep | v & (MODES | LOAD | STORE | EXECUTE);
    }

    private static long mcontrol6(long v) {
        long keep = SIZE_BYTES[(int) (v >>> 16 & 15)] < 0 ? 0 : v & (15L << 16);
        return (long) TYPE_MCONTROL6 << 60 | keep | v & (VS_VU | MODES | LOAD | STORE | EXECUTE);
    }

    /** Bytes a load/store trigger covers from tdata2: its size, or 8 for "any size" (as QEMU watches). */
    private static int length(long t1) {
        int code = type(t1) == TYPE_MCONTROL ? (int) ((t1 >>> 16 & 3) | (t1 >>> 21 & 3) << 2) : (int) (t1 >>> 16 & 15);
        return code == 0 ? 8 : SIZE_BYTES[code];
    }

    private static int modes(long t1) {
        return (int) (t1 >>> 3 & 1 | (t1 >>> 4 & 1) << 1 | (t1 >>> 6 & 1) << 3);
    }

    void recompute() {
        int e = 0, d = 0;
        for (int i = 0; i < COUNT; i++) {
            long t1 = tdata1[i];
            int m = modes(t1);
            if ((t1 & EXECUTE) != 0) {
                e |= m;
            }
            if ((t1 & (LOAD | STORE)) != 0) {
                d |= m;
            }
        }
        if (stepping) {
            e |= DEBUGGER;
        }
        if (debugger != null && debugger.hasWatches()) {
            d |= DEBUGGER;
        }
        exec = e;
        data = d;
    }

    // --- the external debugger ---

    void attachDebugger(DebugPoints points, int cpu) {
        debugger = points;
        debugCpu = cpu;
        if (points == null) {
            stepping = false;
        }
        recompute();
    }

    void setSingleStep(boolean on) {
        stepping = on && debugger != null;
        stepRan = false;
        recompute();
    }

    /** A page with a debugger breakpoint: its instructions are fetched one at a time and checked. */
    boolean debugBreakpointPage(long page) {
        return debugger != null && debugger.breakpointPage(page);
    }

    /**
     * Before the instruction at {@code pc} (checked fetch): true when the hart stops for the debugger here, at a
     * breakpoint or because the single step has run its one instruction.
     */
    boolean debugStopBefore(long pc) {
        if (debugger == null) {
            return false;
        }
        if (stepping) {
            if (stepRan) {
                stepping = false;
                recompute();
                debugger.stop(new StopReason(StopReason.Kind.STEP, debugCpu, pc));
                return true;
            }
            stepRan = true;
        }
        Boolean bp = debugger.breakpointAt(pc);
        if (bp == null) {
            return false;
        }
        debugger.stop(new StopReason(bp ? StopReason.Kind.SOFTWARE_BREAKPOINT : StopReason.Kind.HARDWARE_BREAKPOINT,
                debugCpu, pc));
        return true;
    }

    /**
     * A load/store (kind LOAD, STORE or both) of {@code size} bytes at {@code va}: true when it hits a debugger
     * watchpoint; the hart then stops before the instruction.
     */
    boolean debugWatch(long va, int size, long kind) {
        if (debugger == null) {
            return false;
        }
        DebugPoints.Watch w = debugger.watchHit(va, size, (kind & LOAD) != 0, (kind & STORE) != 0);
        if (w == null) {
            return false;
        }
        debugger.stop(new StopReason(switch (w.kind()) {
            case WRITE -> StopReason.Kind.WRITE_WATCH;
            case READ -> StopReason.Kind.READ_WATCH;
            case ACCESS -> StopReason.Kind.ACCESS_WATCH;
        }, debugCpu, w.address()));
        return true;
    }

    /** An execute trigger matches {@code pc} in privilege {@code priv}. */
    boolean matchExec(long pc, int priv) {
        for (int i = 0; i < COUNT; i++) {
            long t1 = tdata1[i];
            if ((t1 & EXECUTE) != 0 && (modes(t1) >>> priv & 1) != 0 && tdata2[i] == pc) {
                return true;
            }
        }
        return false;
    }

    /** A trigger of {@code kind} (LOAD, STORE or both for AMOs) matches {@code size} bytes at {@code va}. */
    boolean matchData(long va, int size, long kind, int priv) {
        for (int i = 0; i < COUNT; i++) {
            long t1 = tdata1[i];
            if ((t1 & kind) != 0 && (modes(t1) >>> priv & 1) != 0) {
                long a = tdata2[i];
                // the access [va, va+size) overlaps the watched bytes [a, a+length)
                if (Long.compareUnsigned(va - a, length(t1)) < 0 || Long.compareUnsigned(a - va, size) < 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Some load/store trigger watches bytes of the 4 KiB page at {@code page}: keep it out of the fast TLBs. */
    boolean watchesPage(long page) {
        if (debugger != null && debugger.watchesPage(page)) {
            return true;
        }
        for (int i = 0; i < COUNT; i++) {
            long t1 = tdata1[i];
            if ((t1 & (LOAD | STORE)) != 0 && modes(t1) != 0) {
                long a = tdata2[i];
                long last = a + length(t1) - 1;
                if ((a & Hart.PAGE_MASK) == page || (last & Hart.PAGE_MASK) == page) {
                    return true;
                }
            }
        }
        return false;
    }
}
