package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** 16-bit code: the ModRM 16-bit addressing forms, operand-size and address-size prefixes, stack and branches. */
class Mode16Test {
    private final TestRig rig = new TestRig();

    @Test
    void everyAddressingForm() {
        // bx=0x100 si=0x20 di=0x30 bp=0x400; buf is at offset 0x4000; each form reads a word it first wrote
        TestRig.Result r = rig.run("""
                mov $0x100, %bx
                mov $0x20, %si
                mov $0x30, %di
                mov $0x400, %bp
                movw $1, 0x4120
                movw $2, 0x4130
                movw $4, 0x4420
                movw $8, 0x4430
                movw $16, 0x4020
                movw $32, 0x4030
                movw $64, 0x4400
                movw $128, 0x4100
                movw $256, 0x4002
                xor %ax, %ax
                add 0x4000(%bx,%si), %ax
                add 0x4000(%bx,%di), %ax
                add 0x4000(%bp,%si), %ax
                add 0x4000(%bp,%di), %ax
                add 0x4000(%si), %ax
                add 0x4000(%di), %ax
                add 0x4000(%bp), %ax
                add 0x4000(%bx), %ax
                add 0x4002, %ax
                mov $0x4020, %si
                add -0x20(%bx,%si), %ax
                """, 16);
        assertEquals(-1, r.fault());
        assertEquals(511 + 128, r.reg(X86Cpu.RAX) & 0xffff);
    }

    @Test
    void offsetsWrapAt64KiB() {
        TestRig.Result r = rig.run("""
                movw $0x1234, 0x10
                mov $0xfff0, %bx
                mov $0x20, %si
                mov (%bx,%si), %ax
                """, 16);
        assertEquals(0x1234, r.reg(X86Cpu.RAX) & 0xffff);
    }

    @Test
    void prefixesStackAndBranches() {
        TestRig.Result r = rig.run("""
                mov $0x12345678, %eax
                addr32 mov %eax, 0x4000(%esi)
                mov 0x4002, %bx
                push %ax
                pushl $0x11223344
                pop %ecx
                pop %dx
                call 1f
                jmp 2f
                1: add $1, %dx
                ret
                2: mov $3, %cx
                3: inc %bx
                loop 3b
                """, 16);
        assertEquals(-1, r.fault());
        assertEquals(0x1237, r.reg(X86Cpu.RBX) & 0xffff);
        assertEquals(0x5679, r.reg(X86Cpu.RDX) & 0xffff);
        assertEquals(0, r.reg(X86Cpu.RCX) & 0xffff);
        assertEquals(0x11220000L, r.reg(X86Cpu.RCX) & 0xffff0000L, "loop counts CX only");
    }
}
