package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * 32-bit protected-mode code against the host CPU running it as an i386 program: the one-byte INC/DEC, PUSHA/POPA,
 * the BCD adjustments over every AL with CF/AF in and out, and 16-bit operands and addresses by prefix.
 */
class Mode32Test {
    private static void same(String src, long flagMask) {
        assumeTrue(TestRig.nativeI386Works(), "this host does not run i386 programs (no IA32 emulation): skipped");
        TestRig.Result n = TestRig.runNative32(src);
        TestRig.Result j = new TestRig().runSame32(src);
        assertEquals(-1, j.fault());
        for (int i = 0; i < 8; i++) {
            if (i != X86Cpu.RSP) {
                assertEquals(Long.toHexString(n.reg(i)), Long.toHexString(j.reg(i)), "register " + i);
            }
        }
        assertEquals(Long.toHexString(n.flags() & flagMask), Long.toHexString(j.flags() & flagMask), "flags");
        assertArrayEquals(n.buf(), j.buf(), "buf");
    }

    @Test
    void bcdAdjustmentsOverEveryInput() {
        // for each AL (0..255) and CF/AF in: run the adjustment, store AX in buf and fold AX and the defined flags into EBP
        for (String[] op : new String[][] {{"daa", "0x8d5"}, {"das", "0x8d5"}, {"aaa", "0x11"}, {"aas", "0x11"},
                {"aam", "0xc4"}, {"aad", "0xc4"}}) {
            long mask = Long.decode(op[1]) & ~X86Cpu.OF; // OF is undefined for all six
            String src = """
                    xor %esi, %esi
                    1: mov %esi, %eax
                    and $0xff, %eax
                    mov %esi, %ecx
                    shr $8, %ecx
                    mov %ecx, %edx
                    and $1, %ecx
                    and $2, %edx
                    shl $3, %edx
                    or %edx, %ecx
                    push %ecx
                    popfl
                    mov $0x12, %ah
                    OP
                    pushfl
                    pop %edx
                    and $MASK, %edx
                    shl $16, %edx
                    mov %ax, %dx
                    lea buf, %edi
                    add %esi, %edi
                    add %esi, %edi
                    mov %edx, %ebx
                    mov %bx, (%edi)
                    mov %esi, %ebx
                    shr $1, %ebx
                    xor %edx, %ebp
                    rol $3, %ebp
                    inc %esi
                    cmp $0x400, %esi
                    jb 1b
                    """.replace("OP", op[0]).replace("MASK", Long.toString(mask));
            same(src, 0);
        }
    }

    @Test
    void shortIncDecPushaPopaAndPrefixes() {
        same("""
                mov $0x7fffffff, %eax
                inc %eax
                mov $0, %ecx
                dec %ecx
                mov $0x8000, %dx
                dec %dx
                inc %bx
                mov $0x11111111, %esi
                mov $0x22222222, %edi
                mov $0x33333333, %ebp
                pusha
                popa
                pushw $0x1234
                popw %bx
                pushaw
                popaw
                movw $0x5678, buf+4
                movzwl buf+4, %ecx
                lea buf+4, %esi
                lodsw
                lea buf+8, %edi
                stosw
                stosl
                """, TestRig.FLAG_MASK);
    }
}
