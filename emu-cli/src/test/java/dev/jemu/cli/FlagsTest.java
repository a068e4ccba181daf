package dev.jemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.machine.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlagsTest {
    @Test
    void longNamesAreWholeWords() throws ConfigException {
        Options o = Flags.parse(new String[] {"-machine", "virt", "-m", "1G", "-M", "x", "-d", "int", "-D", "f"});
        assertEquals("x", ConfigBuilder.machineName(o.machine)); // the last -M/-machine name wins (QEMU merges the rest)
        assertEquals("1G", o.memory);
        assertEquals(List.of("int"), o.debug);
        assertEquals("f", o.debugFile);
    }

    @Test
    void valuesMayLookLikeFlags() throws ConfigException {
        Options o = Flags.parse(new String[] {"-append", "-v console=ttyS0", "-kernel", "-m"});
        assertEquals("-v console=ttyS0", o.append);
        assertEquals("-m", o.kernel);
    }

    @Test
    void doubleDashIsAcceptedAsQemuDoes() throws ConfigException {
        Options o = Flags.parse(new String[] {"--machine", "virt", "--nographic", "--version"});
        assertEquals("virt", o.machine);
        assertTrue(o.nographic);
        assertTrue(o.version);
    }

    @Test
    void listsAccumulateInOrder() throws ConfigException {
        Options o = Flags.parse(new String[] {"-serial", "null", "-drive", "a", "-serial", "stdio", "-device", "b",
                "-drive", "c", "disk.img"});
        assertEquals(List.of("null", "stdio"), o.serials);
        assertEquals(List.of("a", "c"), o.drives);
        assertEquals(List.of("b"), o.devices);
        assertEquals(List.of("disk.img"), o.positional);
    }

    @Test
    void errors() {
        assertEquals("-machin: invalid option",
                assertThrows(ConfigException.class, () -> Flags.parse(new String[] {"-machin", "virt"})).getMessage());
        assertEquals("-append: requires an argument",
                assertThrows(ConfigException.class, () -> Flags.parse(new String[] {"-append"})).getMessage());
        assertEquals("-mvirt: invalid option",   // no clustering or attached values
                assertThrows(ConfigException.class, () -> Flags.parse(new String[] {"-mvirt"})).getMessage());
    }

    @Test
    void everyFlagIsInTheHelp() {
        var bytes = new java.io.ByteArrayOutputStream();
        Flags.usage(new java.io.PrintStream(bytes, true));
        String help = bytes.toString();
        for (Flags.Flag f : Flags.ALL) {
            for (String n : f.names()) {
                assertTrue(help.contains(n), n);
            }
        }
    }
}
