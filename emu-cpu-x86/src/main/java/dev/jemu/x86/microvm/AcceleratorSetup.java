package dev.jemu.x86.microvm;

import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;

/**
 * What an accelerator is built from: the board's RAM, physical bus and I/O port space (on which the accelerator
 * maps the interrupt controllers and PIT it models, if it models them), the loop and the board's layout.
 */
public record AcceleratorSetup(MachineConfig config, MachineLoop loop, GuestRam ram, AddressSpace bus,
        AddressSpace io, MicrovmLayout layout) {
}
