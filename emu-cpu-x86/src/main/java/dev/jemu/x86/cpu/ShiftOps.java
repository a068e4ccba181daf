package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.ONE;
import static dev.jemu.x86.cpu.OpcodeTable.TWO;

/** The shift/rotate group (C0 C1 D0-D3) and SHLD/SHRD (0F A4 A5 AC AD). */
final class ShiftOps {
    private ShiftOps() {
    }

    static void register(OpcodeTable t) {
        for (int op : new int[] {0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3}) {
            t.put(ONE, op, d -> {
                if (d.lock) return null;
                int kind = d.modrmReg();
                int s = (op & 1) == 0 ? 8 : d.opsize;
                d.modrm();
                if (op <= 0xc1) {
                    long n = d.imm8();
                    return Rm.unary(d, s, (c, a) -> Shifts.shift(c, kind, a, n, s));
                } else if (op <= 0xd1) {
                    return Rm.unary(d, s, (c, a) -> Shifts.shift(c, kind, a, 1, s));
                }
                return Rm.unary(d, s, (c, a) -> Shifts.shift(c, kind, a, c.r[X86Cpu.RCX], s));
            });
        }
        for (int op : new int[] {0xa4, 0xa5, 0xac, 0xad}) {
            t.put(TWO, op, d -> {
                if (d.lock) return null;
                int s = d.opsize;
                int src = d.reg();
                d.modrm();
                boolean left = op < 0xac;
                if ((op & 1) == 0) {
                    long n = d.imm8();
                    return left ? Rm.unary(d, s, (c, a) -> Shifts.shld(c, a, Alu.get(c, src, s), n, s))
                            : Rm.unary(d, s, (c, a) -> Shifts.shrd(c, a, Alu.get(c, src, s), n, s));
                }
                return left ? Rm.unary(d, s, (c, a) -> Shifts.shld(c, a, Alu.get(c, src, s), c.r[1], s))
                        : Rm.unary(d, s, (c, a) -> Shifts.shrd(c, a, Alu.get(c, src, s), c.r[1], s));
            });
        }
    }
}
