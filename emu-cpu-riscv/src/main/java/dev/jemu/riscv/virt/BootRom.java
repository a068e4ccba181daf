package dev.jemu.riscv.virt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Contents of the small ROM at 0x1000 (QEMU's "mrom"). The reset vector puts the hart id in a0, the device
 * tree address in a1 and the address of a {@code fw_dynamic_info} in a2, then jumps to the start address, in
 * M-mode: what OpenSBI's fw_dynamic and fw_jump, and bare-metal kernels, expect. A second stub serves as the
 * M-mode trap vector under the built-in SBI: an unexpected M-mode trap ends the run through the test device
 * with {@link #MTRAP_EXIT_CODE}, and the board explains it.
 */
final class BootRom {
    static final int RESET_VECTOR = 0x000;
    static final int START_ADDR = 0x028, FDT_ADDR = 0x030;
    static final int FW_DYNAMIC_INFO = 0x040;
    static final int MTRAP = 0x100;
    static final int MTRAP_EXIT_CODE = 0xfe;

    /** OpenSBI's {@code struct fw_dynamic_info}: magic "OSBI", version 2. */
    static final long FW_DYNAMIC_MAGIC = 0x4942534fL;
    static final long FW_DYNAMIC_VERSION = 2;
    static final long NEXT_MODE_S = 1;

    private BootRom() {
    }

    static byte[] build(int size, long startAddr, long fdtAddr, long nextAddr, int bootHart) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        int[] reset = {
            Asm.auipc(Asm.T0, 0),                        // t0 = this ROM's base
            Asm.addi(Asm.A2, Asm.T0, FW_DYNAMIC_INFO),   // a2 = &fw_dynamic_info
            Asm.csrr(Asm.A0, 0xf14),                     // a0 = mhartid
            Asm.ld(Asm.A1, Asm.T0, FDT_ADDR),            // a1 = device tree
            Asm.ld(Asm.T0, Asm.T0, START_ADDR),
            Asm.jalr(Asm.ZERO, Asm.T0, 0),               // go
        };
        put(b, RESET_VECTOR, reset);
        b.putLong(START_ADDR, startAddr).putLong(FDT_ADDR, fdtAddr);
        b.putLong(FW_DYNAMIC_INFO, FW_DYNAMIC_MAGIC).putLong(FW_DYNAMIC_INFO + 8, FW_DYNAMIC_VERSION)
                .putLong(FW_DYNAMIC_INFO + 16, nextAddr).putLong(FW_DYNAMIC_INFO + 24, NEXT_MODE_S)
                .putLong(FW_DYNAMIC_INFO + 32, 0).putLong(FW_DYNAMIC_INFO + 40, bootHart);
        int fail = MTRAP_EXIT_CODE << 16 | dev.jemu.devices.SifiveTest.FAIL; // 0x00fe3333, low 12 bits < 0x800
        int[] mtrap = {
            Asm.lui(Asm.T0, (int) (VirtMap.TEST.base >>> 12)),
            Asm.lui(Asm.T1, fail >>> 12),
            Asm.addi(Asm.T1, Asm.T1, fail & 0xfff),
            Asm.sw(Asm.T1, Asm.T0, 0),
            Asm.jSelf(),
        };
        put(b, MTRAP, mtrap);
        return b.array();
    }

    private static void put(ByteBuffer b, int off, int[] insns) {
        for (int i = 0; i < insns.length; i++) {
            b.putInt(off + 4 * i, insns[i]);
        }
    }
}
