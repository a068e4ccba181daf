package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class BranchesTest {
    @Test
    void conditionalBranchForEveryCondition() {
        String[] conds = {"eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"};
        StringBuilder src = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            src.append("mov x").append(i + 1).append(", #0\nb.").append(conds[i]).append(" 1f\nb 2f\n1: mov x")
                    .append(i + 1).append(", #1\n2:\n");
        }
        IntRig r = new IntRig(src.toString());
        for (int nzcv = 0; nzcv < 16; nzcv++) {
            r.cpu.setNzcv((long) nzcv << 28);
            r.run();
            boolean n = (nzcv & 8) != 0, z = (nzcv & 4) != 0, c = (nzcv & 2) != 0, v = (nzcv & 1) != 0;
            boolean[] holds = {z, !z, c, !c, n, !n, v, !v, c && !z, !c || z, n == v, n != v, !z && n == v,
                z || n != v, true, true};
            for (int i = 0; i < 16; i++) {
                assertEquals(holds[i] ? 1 : 0, r.x(i + 1), "b." + conds[i] + " with nzcv " + nzcv);
            }
        }
    }

    @Test
    void branchAndLinkAndRegisterBranches() {
        IntRig r = new IntRig("b 1f\nmov x9, #9\n1: bl sub\nmov x2, x30\nadr x3, sub2\nblr x3\nmov x4, x30\n"
                + "adr x30, sub3\nblr x30\nb done\n"
                + "sub: mov x1, x30\nret\n"
                + "sub2: adr x5, back\nbr x5\nmov x9, #9\nback: ret\n"
                + "sub3: mov x6, x30\nadr x7, after\nret x7\nmov x9, #9\nafter: b done\n"
                + "done:\n");
        r.run();
        long base = TestRig.RAM;
        assertEquals(0, r.x(9), "a skipped instruction ran");
        assertEquals(base + 12, r.x(1)); // bl at base + 8 links base + 12
        assertEquals(base + 12, r.x(2));
        assertEquals(base + 24, r.x(4)); // blr at base + 20
        assertEquals(base + 36, r.x(6)); // blr x30 at base + 32: target read before the link
    }

    @Test
    void backwardBranchLoops() {
        IntRig r = new IntRig("mov x0, #0\nmov x1, #10\nloop: add x0, x0, x1\nsub x1, x1, #1\ncbnz x1, loop\n");
        r.run();
        assertEquals(55, r.x(0));
    }

    @Test
    void compareAndTestBranches() {
        IntRig r = new IntRig("mov x2, #0\nmov x3, #0\nmov x4, #0\nmov x5, #0\n"
                + "cbz w0, 1f\nb 2f\n1: mov x2, #1\n2:\n"
                + "cbnz x0, 1f\nb 2f\n1: mov x3, #1\n2:\n"
                + "tbz x1, #63, 1f\nb 2f\n1: mov x4, #1\n2:\n"
                + "tbnz w1, #31, 1f\nb 2f\n1: mov x5, #1\n2:\n");
        long[][] cases = {{0x1_0000_0000L, Long.MIN_VALUE, 1, 1, 0, 0}, {0, 0x8000_0000L, 1, 0, 1, 1},
            {5, 1, 0, 1, 1, 0}, {0xffff_ffffL, -1, 0, 1, 0, 1}};
        for (long[] k : cases) {
            r.run(k[0], k[1]);
            assertEquals(k[2], r.x(2), "cbz w");
            assertEquals(k[3], r.x(3), "cbnz x");
            assertEquals(k[4], r.x(4), "tbz #63");
            assertEquals(k[5], r.x(5), "tbnz #31");
        }
    }

    @Test
    void unallocatedBranchesAreUndefined() {
        assertNull(Branches.decode(0x54000010)); // b.cond with o0 = 1 (BC.cond, ARMv8.8)
        assertNull(Branches.decode(0xd61f0001)); // br with op4 != 0
        assertNull(Branches.decode(0xd65f0bff)); // retaa (ARMv8.3)
        assertNull(Branches.decode(0xd63f081f)); // blraaz (ARMv8.3)
        assertNull(Branches.decode(0xd61e0000)); // op2 != 11111
        assertNull(Branches.decode(0xd6ff03e0)); // opc = 0111
    }
}
