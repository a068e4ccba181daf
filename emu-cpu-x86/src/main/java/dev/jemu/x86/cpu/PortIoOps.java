package dev.jemu.x86.cpu;

/**
 * Port I/O: IN/OUT with an 8-bit immediate port (E4-E7) or DX (EC-EF), INS/OUTS (6C-6F) with REP, through
 * {@link X86Cpu#in}/{@link X86Cpu#out}. In protected mode at CPL > IOPL (and in virtual-8086 mode) the TSS I/O
 * permission bitmap decides, as on hardware; a missing or short bitmap is #GP(0).
 */
final class PortIoOps {
    /** How many REP INS/OUTS iterations one execution does before it yields and is run again. */
    static final int REP_CHUNK = 1024;

    private PortIoOps() {
    }

    static void register(OpcodeTable t) {
        t.put(OpcodeTable.ONE, 0xe4, d -> in(d.imm8(), 1));
        t.put(OpcodeTable.ONE, 0xe5, d -> in(d.imm8(), wide(d)));
        t.put(OpcodeTable.ONE, 0xe6, d -> out(d.imm8(), 1));
        t.put(OpcodeTable.ONE, 0xe7, d -> out(d.imm8(), wide(d)));
        t.put(OpcodeTable.ONE, 0xec, d -> in(-1, 1));
        t.put(OpcodeTable.ONE, 0xed, d -> in(-1, wide(d)));
        t.put(OpcodeTable.ONE, 0xee, d -> out(-1, 1));
        t.put(OpcodeTable.ONE, 0xef, d -> out(-1, wide(d)));
        t.put(OpcodeTable.ONE, 0x6c, d -> ins(d, 1));
        t.put(OpcodeTable.ONE, 0x6d, d -> ins(d, wide(d)));
        t.put(OpcodeTable.ONE, 0x6e, d -> outs(d, 1));
        t.put(OpcodeTable.ONE, 0x6f, d -> outs(d, wide(d)));
    }

    /** The access size of the "eAX" forms: 2 or 4 bytes (REX.W does not make it 8). */
    private static int wide(Insn d) {
        return d.opsize == 16 ? 2 : 4;
    }

    /** #GP(0) unless the CPL may reach {@code bytes} ports from {@code port}. */
    static void check(X86Cpu c, int port, int bytes) {
        boolean vm = (c.rflagsOther & X86Cpu.VM) != 0;
        if ((c.cr0 & X86Cpu.CR0_PE) == 0 || !vm && c.cpl <= (int) (c.rflagsOther >>> 12 & 3)) {
            return;
        }
        Segment tr = c.tr;
        if (!tr.present() || (tr.type() & 8) == 0 || tr.limit < 0x67) {
            throw c.fault(Vectors.GP, 0);
        }
        long off = Descriptors.supervisorRead(c, tr.base + 0x66, 16) + (port >>> 3);
        if (off + 1 > tr.limit) {
            throw c.fault(Vectors.GP, 0);
        }
        long bits = Descriptors.supervisorRead(c, tr.base + off, 16);
        if ((bits >>> (port & 7) & (1 << bytes) - 1) != 0) {
            throw c.fault(Vectors.GP, 0);
        }
    }

    private static int port(X86Cpu c, int imm) {
        return imm >= 0 ? imm : (int) c.r[X86Cpu.RDX] & 0xffff;
    }

    private static void setAcc(X86Cpu c, int bytes, long v) {
        if (bytes == 1) {
            c.setReg8(X86Cpu.RAX, v);
        } else {
            c.setReg(X86Cpu.RAX, bytes * 8, v);
        }
    }

    private static X86Op in(int imm, int bytes) {
        return c -> {
            int port = port(c, imm);
            check(c, port, bytes);
            setAcc(c, bytes, c.in(port, bytes));
        };
    }

    private static X86Op out(int imm, int bytes) {
        return c -> {
            int port = port(c, imm);
            check(c, port, bytes);
            c.out(port, bytes, c.r[X86Cpu.RAX] & X86Cpu.mask(bytes * 8));
        };
    }

    /** INS: port DX to ES:rDI (no segment override), rDI stepping by DF; with REP, rCX times. */
    private static X86Op ins(Insn d, int bytes) {
        int as = d.addrsize;
        boolean rep = d.rep != 0;
        return c -> {
            int port = (int) c.r[X86Cpu.RDX] & 0xffff;
            check(c, port, bytes);
            long step = c.df ? -bytes : bytes;
            for (int n = 0; !rep || c.reg(X86Cpu.RCX, as) != 0; n++) {
                if (n == REP_CHUNK) {
                    c.nrip = c.rip; // run again from here: interrupts and the loop get their turn between chunks
                    return;
                }
                long di = c.reg(X86Cpu.RDI, as);
                long a = c.linear(X86Cpu.ES, di);
                c.write(a, bytes * 8, c.in(port, bytes)); // faults before the registers move, restartable
                c.setReg(X86Cpu.RDI, as, di + step);
                if (!rep) {
                    return;
                }
                c.setReg(X86Cpu.RCX, as, c.reg(X86Cpu.RCX, as) - 1);
            }
        };
    }

    /** OUTS: DS:rSI (segment override allowed) to port DX. */
    private static X86Op outs(Insn d, int bytes) {
        int as = d.addrsize;
        boolean rep = d.rep != 0;
        int seg = d.segOverride >= 0 ? d.segOverride : X86Cpu.DS;
        return c -> {
            int port = (int) c.r[X86Cpu.RDX] & 0xffff;
            check(c, port, bytes);
            long step = c.df ? -bytes : bytes;
            for (int n = 0; !rep || c.reg(X86Cpu.RCX, as) != 0; n++) {
                if (n == REP_CHUNK) {
                    c.nrip = c.rip;
                    return;
                }
                long si = c.reg(X86Cpu.RSI, as);
                c.out(port, bytes, c.read(c.linear(seg, si), bytes * 8));
                c.setReg(X86Cpu.RSI, as, si + step);
                if (!rep) {
                    return;
                }
                c.setReg(X86Cpu.RCX, as, c.reg(X86Cpu.RCX, as) - 1);
            }
        };
    }
}
