package dev.jemu.devices;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import java.util.function.Consumer;

/**
 * SiFive's test "finisher" (compatible {@code sifive,test0}, also a {@code syscon} for Linux's
 * syscon-poweroff/syscon-reboot): a 32-bit write at offset 0 whose low half is a command and high half an
 * exit code. PASS (0x5555) powers off with status 0, FAIL (0x3333) with the code, RESET (0x7777) resets.
 */
public final class SifiveTest implements MmioDevice, Stateful {
    public static final int FAIL = 0x3333, PASS = 0x5555, RESET = 0x7777;

    private final String id;
    private final Consumer<ExitRequest> exit;

    /** {@code exit} is usually {@code MachineLoop::requestExit}. */
    public SifiveTest(String id, Consumer<ExitRequest> exit) {
        this.id = id;
        this.exit = exit;
    }

    @Override
    public long read(long offset, int size) {
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset != 0 || size < 2) {
            return; // Linux's syscon regmap writes 32 bits at 0; other writes do nothing
        }
        int v = (int) value;
        int status = v & 0xffff;
        int code = size >= 4 ? (v >>> 16) & 0xffff : 0;
        switch (status) {
            case PASS -> exit.accept(ExitRequest.poweroff(0));
            case FAIL -> exit.accept(ExitRequest.poweroff(code));
            case RESET -> exit.accept(ExitRequest.reset());
            default -> DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: unknown command 0x%x", id, v);
        }
    }

    @Override
    public String stateId() {
        return id;
    }

    @Override
    public void saveState(StateWriter out) {
        // No state: every command takes effect at once.
    }

    @Override
    public void loadState(StateReader in) {
    }
}
