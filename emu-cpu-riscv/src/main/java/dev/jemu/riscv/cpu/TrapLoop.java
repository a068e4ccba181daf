package dev.jemu.riscv.cpu;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.log.Messages;
import dev.jemu.core.machine.ExitRequest;

/**
 * A synchronous trap whose handler is the very instruction that trapped, in the same mode: the classic
 * silent hang (an empty or garbage image, mtvec/stvec still 0 and nothing mapped there). In M-mode nothing
 * can break the loop (the trap cleared MIE, and no state changes between rounds), so the run ends with one
 * line and status 1; in S-mode an M-mode interrupt handler could still repair things, so it is only logged
 * under {@code -d guest_errors}, once.
 */
final class TrapLoop {
    private TrapLoop() {
    }

    static void report(Hart h, long cause, long tval) {
        String what = String.format("hart%d is stuck in a trap loop: cause %d (%s) at pc 0x%x in %s-mode, whose "
                        + "trap vector is that same address (tval 0x%x)", h.hartId(), cause, name(cause), h.pc(),
                h.privilege() == 3 ? "M" : h.privilege() == 1 ? "S" : "U", tval);
        if (h.privilege() == 3) {
            Messages.error(what + "; nothing can leave it, stopping (is the kernel or firmware image a program "
                    + "for this machine?)");
            h.loop.requestExit(ExitRequest.poweroff(1));
        } else if (!h.trapLoopLogged) {
            h.trapLoopLogged = true;
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s", what);
        }
    }

    private static String name(long cause) {
        return switch ((int) cause) {
            case 0 -> "instruction address misaligned";
            case 1 -> "instruction access fault";
            case 2 -> "illegal instruction";
            case 3 -> "breakpoint";
            case 4 -> "load address misaligned";
            case 5 -> "load access fault";
            case 6 -> "store address misaligned";
            case 7 -> "store access fault";
            case 8, 9, 11 -> "environment call";
            case 12 -> "instruction page fault";
            case 13 -> "load page fault";
            case 15 -> "store page fault";
            default -> "exception";
        };
    }
}
