package dev.jemu.x86.microvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AmlTest {
    static byte[] b(int... v) {
        byte[] r = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (byte) v[i];
        }
        return r;
    }

    @Test
    void pkgLengthUsesOneToFourBytesAndCountsItself() {
        assertArrayEquals(b(0x3f), Aml.pkgLength(62));
        // 63 content bytes + 2 length bytes = 65 = 0x41: lead byte 01 | 0x40, then 0x41 >> 4
        assertArrayEquals(b(0x41, 0x04), Aml.pkgLength(63));
        assertArrayEquals(b(0x82, 0x03, 0x01), Aml.pkgLength(0x1032 - 3)); // 3 bytes from 0x1000 on
    }

    @Test
    void integersTakeTheShortestForm() {
        assertArrayEquals(b(0x00), Aml.integer(0));
        assertArrayEquals(b(0x01), Aml.integer(1));
        assertArrayEquals(b(0x0a, 0x2f), Aml.integer(47));
        assertArrayEquals(b(0x0b, 0x00, 0x02), Aml.integer(0x200));
        assertArrayEquals(b(0x0c, 0x00, 0x00, 0xa0, 0xfe), Aml.integer(0xfea00000L));
    }

    @Test
    void namesArePaddedAndPrefixed() {
        assertArrayEquals(b('\\', '_', 'S', 'B', '_'), Aml.name("\\_SB"));
        assertArrayEquals(b('\\', 0), Aml.name("\\"));
        assertArrayEquals(b(0x2e, 'P', 'W', 'R', 'B', 'E', 'S', 'E', 'L'), Aml.name("PWRB.ESEL"));
        assertThrows(IllegalArgumentException.class, () -> Aml.name("TOOLONG"));
    }

    @Test
    void eisaIdIsCompressed() {
        assertArrayEquals(b(0x0c, 0x41, 0xd0, 0x05, 0x01), Aml.eisaId("PNP0501"));
        assertArrayEquals(b(0x0c, 0x41, 0xd0, 0x0b, 0x00), Aml.eisaId("PNP0B00"));
    }
}
