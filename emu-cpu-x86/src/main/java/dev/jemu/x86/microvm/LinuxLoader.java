package dev.jemu.x86.microvm;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.x86.cpu.BootState;

/** The board's loader: {@link MicrovmBoot} (bzImage, PVH/ELF, raw; ACPI tables or the command line) on its RAM. */
public final class LinuxLoader implements MicrovmLoader {
    @Override
    public BootState load(MicrovmMachine board) throws ConfigException {
        MicrovmOptions o = board.layout().options();
        MicrovmBoot.Platform p = new MicrovmBoot.Platform(board.config().ramBytes, o.acpi(), o.ioapic2(),
                board.usedVirtioSlots(), o.isaSerial(), o.rtc(), o.autoKernelCmdline());
        return MicrovmBoot.load(board.config(), board.addressSpace(), p, board.diskBoot()).state();
    }
}
