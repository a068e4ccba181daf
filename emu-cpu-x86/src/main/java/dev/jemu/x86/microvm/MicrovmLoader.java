package dev.jemu.x86.microvm;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.x86.cpu.BootState;

/**
 * The microvm board's boot loader (the Linux boot protocol: bzImage, PVH, initrd, e820, ACPI tables; or a disk's
 * extlinux entry): it writes the images into the board's RAM and returns the CPU state to start in, which the
 * board hands to its accelerator. Found with {@link java.util.ServiceLoader}; without one the board cannot boot.
 */
public interface MicrovmLoader {
    /** Loads what {@code board.config()} names into {@code board}'s RAM; at build time and on every reset. */
    BootState load(MicrovmMachine board) throws ConfigException;

    /** The loader jemu has, or one that says there is none. */
    static MicrovmLoader find() {
        return java.util.ServiceLoader.load(MicrovmLoader.class).findFirst()
                .orElse(board -> {
                    throw new ConfigException("microvm: no kernel loader yet");
                });
    }
}
