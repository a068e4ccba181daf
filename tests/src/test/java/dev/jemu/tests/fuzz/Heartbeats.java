package dev.jemu.tests.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Per architecture, a tiny bare-metal guest loaded as the kernel (at the start of RAM; at 1 MiB on x86): it counts in a
 * register and stores the count at RAM + {@link #COUNTER} forever, so the fuzzer can see the CPU still
 * runs. An architecture without one here is still fuzzed, without the CPU heartbeat (a note says so).
 */
final class Heartbeats {
    /** Where the count goes, from the start of RAM (its own page: the code page stays clean). */
    static final long COUNTER = 0x1000;

    private static final Map<String, int[]> PROGRAMS = Map.of(
            // auipc t0,0; lui t2,1; add t2,t2,t0; li t1,0; 1: addi t1,t1,1; sd t1,0(t2); j 1b
            "riscv64", new int[] {0x00000297, 0x000013b7, 0x005383b3, 0x00000313, 0x00130313, 0x0063b023,
                    0xff9ff06f},
            // adr x2,.; add x2,x2,#1,lsl #12; mov x1,#0; 1: add x1,x1,#1; str x1,[x2]; b 1b
            "aarch64", new int[] {0x10000002, 0x91400442, 0xd2800001, 0x91000421, 0xf9000041, 0x17fffffe},
            // microvm starts a raw -kernel under -bios none at 1 MiB in flat 32-bit protected mode (so no REX:
            // 48 would be DEC): xor %eax,%eax; 1: inc %eax; mov %eax,0x1000; jmp 1b; nop; nop
            "x86_64", new int[] {0xa340c031, 0x00001000, 0x9090f8eb});

    /** Where the board puts a raw {@code -kernel} under {@code -bios none}, from the start of RAM. */
    private static final Map<String, Long> LOADED_AT = Map.of("x86_64", 0x100000L);

    private Heartbeats() {
    }

    /** Where the program for {@code architecture} runs, from the start of RAM (0 but on x86). */
    static long offset(String architecture) {
        return LOADED_AT.getOrDefault(architecture, 0L);
    }

    /** The program for {@code architecture}, or null. */
    static byte[] program(String architecture) {
        int[] words = PROGRAMS.get(architecture);
        if (words == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }
}
