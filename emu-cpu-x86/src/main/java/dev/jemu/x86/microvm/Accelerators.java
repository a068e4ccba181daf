package dev.jemu.x86.microvm;

import dev.jemu.core.machine.ConfigException;

/** Chooses the microvm board's {@link Accelerator} by its {@code -accel} name. */
public final class Accelerators {
    private Accelerators() {
    }

    /** The accelerator {@code name} ("tcg"; "kvm" comes with the KVM accelerator), built on {@code setup}. */
    public static Accelerator create(String name, AcceleratorSetup setup) throws ConfigException {
        return switch (name) {
            case "tcg" -> new TcgAccelerator(setup);
            // case "kvm" -> KvmAccelerator.open(setup);
            default -> throw new ConfigException("-accel " + name + ": invalid accelerator " + name);
        };
    }
}
