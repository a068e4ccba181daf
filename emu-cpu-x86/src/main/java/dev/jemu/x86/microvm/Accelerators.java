package dev.jemu.x86.microvm;

import dev.jemu.core.machine.ConfigException;

/** Chooses the microvm board's {@link Accelerator} by its {@code -accel} name. */
public final class Accelerators {
    private Accelerators() {
    }

    /** The accelerator {@code name} ("tcg" or "kvm"), built on {@code setup}. */
    public static Accelerator create(String name, AcceleratorSetup setup) throws ConfigException {
        return switch (name) {
            case "tcg" -> new TcgAccelerator(setup);
            case "kvm" -> dev.jemu.x86.kvm.KvmAccelerator.create(setup.bus(), setup.io(), setup.loop());
            default -> throw new ConfigException("-accel " + name + ": invalid accelerator " + name);
        };
    }
}
