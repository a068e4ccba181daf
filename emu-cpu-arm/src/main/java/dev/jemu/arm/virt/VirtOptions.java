package dev.jemu.arm.virt;

import dev.jemu.core.machine.ConfigException;
import java.util.Map;

/**
 * The aarch64 virt board's own {@code -M virt,...} properties: {@code gic-version} (2, 3, max = 3; host needs
 * KVM, 4 needs EL2, as QEMU says), and {@code secure} / {@code virtualization}, which only take {@code off}
 * (jemu has no EL3 or EL2 yet).
 */
record VirtOptions(int gicVersion) {
    static VirtOptions of(Map<String, String> props) throws ConfigException {
        int gic = 2;
        String v = props.get("gic-version");
        if (v != null) {
            gic = switch (v) {
                case "2" -> 2;
                case "3", "max" -> 3;
                case "host" -> throw new ConfigException("gic-version=host requires KVM");
                case "4" -> throw new ConfigException("gic-version=4 requires virtualization enabled");
                default -> throw new ConfigException("Invalid gic-version value '" + v
                        + "': valid values are 3, 2, host, max");
            };
        }
        for (String p : new String[] {"secure", "virtualization"}) {
            String b = props.get(p);
            if (b == null) {
                continue;
            }
            switch (b) {
                case "on", "yes", "true" -> throw new ConfigException("-M virt," + p + "=" + b + ": "
                        + (p.equals("secure") ? "EL3 (TrustZone)" : "EL2") + " is not implemented in jemu's aarch64 CPU");
                case "off", "no", "false" -> { }
                default -> throw new ConfigException("Parameter '" + p + "' expects 'on' or 'off'");
            }
        }
        return new VirtOptions(gic);
    }
}
