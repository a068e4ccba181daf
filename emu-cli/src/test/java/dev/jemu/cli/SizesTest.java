package dev.jemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jemu.core.machine.ConfigException;
import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void qemuSizeSyntax() throws ConfigException {
        assertEquals(512L << 20, Sizes.ramSize("512M"));
        assertEquals(512L << 20, Sizes.ramSize("512m"));
        assertEquals(1L << 30, Sizes.ramSize("1G"));
        assertEquals(2048L << 20, Sizes.ramSize("2048"));            // plain number: MiB
        assertEquals(256L << 20, Sizes.ramSize("size=256M"));
        assertEquals(3L << 29, Sizes.ramSize("1.5G"));
        assertEquals(1L << 40, Sizes.ramSize("1T"));
        assertEquals(1L << 20, Sizes.ramSize("1024K"));
        assertEquals(8192, Sizes.ramSize("100B"));                   // rounded up to 8 KiB as QEMU does
        assertEquals(106496, Sizes.ramSize("100K"));
    }

    @Test
    void badSizes() {
        for (String bad : new String[] {"", "0", "abc", "1X", "-1", "1G,slots=2", "size=", "1G,foo=bar", "99999999T"}) {
            assertThrows(ConfigException.class, () -> Sizes.ramSize(bad), bad);
        }
    }

    @Test
    void parseWithUnit() {
        assertEquals(4096, Sizes.parse("4K", 1));
        assertEquals(7, Sizes.parse("7", 1));
        assertThrows(NumberFormatException.class, () -> Sizes.parse("4KB", 1));
    }
}
