package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** DAA/DAS/AAA/AAS/AAD in 32-bit and 16-bit code (SDM examples), and #UD for them in 64-bit mode. */
class BcdTest {
    private final TestRig rig = new TestRig();

    private TestRig.Result run32(String src) {
        TestRig.Result r = rig.run(src, 32);
        assertEquals(-1, r.fault(), src);
        return r;
    }

    @Test
    void decimalAdjust() {
        TestRig.Result r = run32("mov $0x79, %al\nadd $0x35, %al\ndaa");
        assertEquals(0x14, r.reg(X86Cpu.RAX) & 0xff);
        assertEquals(1, r.rflags() & X86Cpu.CF);
        r = run32("mov $0x35, %al\nsub $0x47, %al\ndas");
        assertEquals(0x88, r.reg(X86Cpu.RAX) & 0xff);
        assertEquals(1, r.rflags() & X86Cpu.CF);
        r = run32("mov $0x0009, %ax\nadd $3, %al\naaa");
        assertEquals(0x0102, r.reg(X86Cpu.RAX) & 0xffff);
        assertEquals(X86Cpu.CF | X86Cpu.AF, r.rflags() & (X86Cpu.CF | X86Cpu.AF));
        r = run32("mov $0x0102, %ax\nsub $3, %al\naas");
        assertEquals(0x0009, r.reg(X86Cpu.RAX) & 0xffff);
        r = run32("mov $0x0407, %ax\naad");
        assertEquals(47, r.reg(X86Cpu.RAX) & 0xffff);
        r = rig.run("mov $0x0407, %ax\naad", 16);
        assertEquals(47, r.reg(X86Cpu.RAX) & 0xffff);
    }

    @Test
    void salcAndBound() {
        assertEquals(0xff, run32("stc\n.byte 0xd6").reg(X86Cpu.RAX) & 0xff);
        assertEquals(0, run32("mov $0x55, %al\nclc\n.byte 0xd6").reg(X86Cpu.RAX) & 0xff);
        String bounds = "movl $-3, buf\nmovl $7, buf+4\n";
        assertEquals(-1, run32(bounds + "mov $7, %eax\nbound %eax, buf\nmov $-3, %eax\nbound %eax, buf").fault());
        assertEquals(Vectors.BR, rig.run(bounds + "mov $8, %eax\nbound %eax, buf\nnop", 32).fault());
        assertEquals(Vectors.BR, rig.run(bounds + "mov $-4, %eax\nbound %eax, buf\nnop", 32).fault());
    }

    @Test
    void undefinedIn64BitMode() {
        for (String b : new String[] {"0x27", "0x2f", "0x37", "0x3f", "0xd5, 0x0a", "0x60", "0x61", "0x82, 0xc0, 0x01",
                "0xd6", "0x62, 0x00"}) {
            assertEquals(Vectors.UD, rig.run(".byte " + b + "\nnop", 64).fault(), b);
        }
    }
}
