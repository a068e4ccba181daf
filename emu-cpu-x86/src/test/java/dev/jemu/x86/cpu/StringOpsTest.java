package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * MOVS/CMPS/STOS/LODS/SCAS at every size, with and without REP/REPE/REPNE, DF = 0 and 1, count 0, and 32-bit
 * addressing in 64-bit mode, against the host CPU (buf's contents are compared too); 16-bit addressing and the
 * restart of a long REP in chunks on jemu.
 */
class StringOpsTest {
    /** Fills buf+0..255 with a pattern, points rsi at buf+64 and rdi at buf+160 (or the DF=1 ends). */
    private static final String SETUP = """
            lea buf(%rip), %rdi
            mov $256, %r8d
            1: mov %r8b, -1(%rdi,%r8)
            imul $7, %r8d, %r9d
            xor %r9b, -1(%rdi,%r8)
            dec %r8d
            jnz 1b
            movl $0x41424344, buf+100(%rip)
            movl $0x41424344, buf+200(%rip)
            lea buf+64(%rip), %rsi
            lea buf+160(%rip), %rdi
            """;

    private static String checksum() {
        // fold buf+0..511 into rdx so that memory effects show up in the record
        return """
                lea buf(%rip), %r8
                xor %edx, %edx
                mov $64, %r9d
                2: rol $5, %rdx
                xor -8(%r8,%r9,8), %rdx
                dec %r9d
                jnz 2b
                lea buf(%rip), %r8
                sub %r8, %rsi
                sub %r8, %rdi
                add %rsi, %rax
                add %rdi, %rax
                """;
    }

    @Test
    void stringOpsAgainstTheHost() {
        Oracle o = new Oracle(64);
        String[] ops = {"movs", "cmps", "stos", "lods", "scas"};
        String[] sfx = {"b", "w", "l", "q"};
        for (String op : ops) {
            for (String s : sfx) {
                for (String dir : new String[] {"cld", "std"}) {
                    for (String rep : new String[] {"", "rep ", "repe ", "repne "}) {
                        if (rep.equals("repe ") && !(op.equals("cmps") || op.equals("scas"))) continue;
                        if (rep.equals("rep ") && (op.equals("cmps") || op.equals("scas"))) continue;
                        for (long count : new long[] {0, 1, 5, 40}) {
                            if (rep.isEmpty() && count != 1) continue;
                            String insn = SETUP + "mov $" + count + ", %ecx\nmov $0x41424344, %eax\n" + dir + "\n"
                                    + rep + op + s + "\ncld\n" + checksum();
                            o.add(0, 0, 0, 0, insn, Oracle.ALL);
                        }
                    }
                }
                // 32-bit addressing in 64-bit mode
                String rep = op.equals("cmps") || op.equals("scas") ? "repe " : "rep ";
                o.add(0, 0, 0, 0, SETUP + "mov $9, %ecx\nmov $0x41, %eax\naddr32 " + rep + op + s + "\n" + checksum(),
                        Oracle.ALL);
            }
        }
        System.out.println("StringOpsTest host-compared cases: " + o.check());
    }

    @Test
    void longRepIsRestartedInChunksAndFinishes() {
        TestRig rig = new TestRig();
        TestRig.Result r = rig.run("""
                mov $0x200000, %edi
                mov $0x11, %eax
                mov $100000, %ecx
                rep stosb
                mov $0x200000, %esi
                mov $0x300000, %edi
                mov $12500, %ecx
                rep movsq
                """, 64);
        assertEquals(-1, r.fault());
        assertEquals(0, r.reg(X86Cpu.RCX));
        assertEquals(0x300000 + 100000, r.reg(X86Cpu.RDI));
        assertEquals(0x11, rig.bus.read(0x300000 + 99999, 1));
        assertEquals(0, rig.bus.read(0x300000 + 100000, 1));
    }

    @Test
    void aFaultMidRepKeepsTheIterationsDone() {
        TestRig rig = new TestRig();
        // the rig maps the first 1 GiB: the fifth byte, at 1 GiB, is on a page that is not present (#PF); the four
        // before it are unassigned memory, which reads all ones on a PC bus
        TestRig.Result r = rig.run("""
                mov $0x3ffffffc, %esi
                lea buf(%rip), %rdi
                mov $10, %ecx
                rep movsb
                """, 64);
        assertEquals(Vectors.PF, r.fault());
        assertEquals(6, r.reg(X86Cpu.RCX));
        assertEquals(0x40000000, r.reg(X86Cpu.RSI));
        assertEquals(rig.bufAddr() + 4, r.reg(X86Cpu.RDI));
        assertEquals(TestRig.ORG + 5 + 7 + 5, r.rip(), "rip stays at the REP instruction");
    }

    @Test
    void sixteenBitAddressingWrapsAndUsesCx() {
        TestRig rig = new TestRig();
        // es:di wraps at 64 KiB within the segment; the count is CX only
        TestRig.Result r = rig.run("""
                mov $0xfffe, %di
                mov $0x5a, %al
                mov $0x10004, %ecx
                rep stosb
                """, 16);
        assertEquals(-1, r.fault());
        assertEquals(0x10000, r.reg(X86Cpu.RCX), "only CX counts");
        assertEquals(2, r.reg(X86Cpu.RDI) & 0xffff);
        assertEquals(0x5a, rig.bus.read(TestRig.ORG16 + 0xffff, 1));
        assertEquals(0x5a, rig.bus.read(TestRig.ORG16 + 1, 1), "di wrapped to the segment's start");
    }
}
