package dev.jemu.riscv.virt;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class BootRomTest {
    @Test
    void resetVectorAndFwDynamicInfo() {
        ByteBuffer b = ByteBuffer.wrap(BootRom.build(0xf000, 0x80000000L, 0x9fe00000L, 0x80200000L, 0))
                .order(ByteOrder.LITTLE_ENDIAN);
        // Encodings as a RISC-V assembler emits them.
        assertEquals(0x00000297, b.getInt(0x00), "auipc t0, 0");
        assertEquals(0x04028613, b.getInt(0x04), "addi a2, t0, 64");
        assertEquals(0xf1402573, b.getInt(0x08), "csrr a0, mhartid");
        assertEquals(0x0302b583, b.getInt(0x0c), "ld a1, 48(t0)");
        assertEquals(0x0282b283, b.getInt(0x10), "ld t0, 40(t0)");
        assertEquals(0x00028067, b.getInt(0x14), "jr t0");
        assertEquals(0x80000000L, b.getLong(BootRom.START_ADDR));
        assertEquals(0x9fe00000L, b.getLong(BootRom.FDT_ADDR));
        assertEquals(0x4942534fL, b.getLong(0x40));
        assertEquals(2, b.getLong(0x48));
        assertEquals(0x80200000L, b.getLong(0x50));
        assertEquals(1, b.getLong(0x58), "next mode S");
        assertEquals(0x001002b7, b.getInt(BootRom.MTRAP), "lui t0, 0x100");
        assertEquals(0x00fe3337, b.getInt(BootRom.MTRAP + 4), "lui t1, 0xfe3");
        assertEquals(0x33330313, b.getInt(BootRom.MTRAP + 8), "addi t1, t1, 0x333");
        assertEquals(0x0062a023, b.getInt(BootRom.MTRAP + 12), "sw t1, 0(t0)");
    }
}
