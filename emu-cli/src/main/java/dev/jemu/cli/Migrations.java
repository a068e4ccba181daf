package dev.jemu.cli;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.migration.Migration;
import dev.jemu.core.migration.MigrationException;
import dev.jemu.core.snapshot.MachineState;
import java.io.PrintStream;

/** A built machine's live migration, and {@code -incoming}: waiting (listening) before the machine runs. */
final class Migrations {
    private Migrations() {
    }

    /** The machine's {@link Migration}, or null when the board cannot save itself (then -incoming is refused). */
    static Migration create(Machine machine, MachineConfig config, PrintStream err) throws ConfigException {
        if (machine.control() == null || !(machine instanceof MachineState state)) {
            if (config.incoming != null) {
                throw new ConfigException("-incoming " + config.incoming + ": the " + config.machine
                        + " board cannot be migrated");
            }
            return null;
        }
        Migration m = new Migration(machine.control(), state, !config.startPaused, err);
        if (config.incoming != null) {
            try {
                m.expectIncoming(config.incoming);
            } catch (MigrationException e) {
                throw new ConfigException("-incoming " + config.incoming + ": " + e.getMessage());
            }
        }
        return m;
    }
}
