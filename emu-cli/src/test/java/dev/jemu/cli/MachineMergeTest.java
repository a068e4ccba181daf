package dev.jemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Repeated {@code -machine} options merge as QEMU's do. */
class MachineMergeTest {
    @Test
    void laterPropertiesAddAndALaterNameReplaces() throws Exception {
        String m = ConfigBuilder.mergeMachine(ConfigBuilder.mergeMachine(null, "virt"), "dumpdtb=x.dtb");
        assertEquals("virt,dumpdtb=x.dtb", m);
        assertEquals("virt", ConfigBuilder.machineName(m));
        assertEquals("x.dtb", MachineProperties.of(m).get("dumpdtb"));
        m = ConfigBuilder.mergeMachine(m, "none,gic-version=3");
        assertEquals("none", ConfigBuilder.machineName(m));
        assertEquals("3", MachineProperties.of(m).get("gic-version"));
    }
}
