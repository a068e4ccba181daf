package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.ONE;

/**
 * MOVS, CMPS, STOS, LODS, SCAS with REP/REPE/REPNE in every address size. The source is seg:rSI (DS unless
 * overridden), the destination ES:rDI; rSI/rDI/rCX are used and written at the address size. A REP op runs at
 * most {@link #CHUNK} iterations per execution and then restarts itself (nrip = rip), so interrupts are taken
 * between chunks; a fault in an iteration leaves the registers as of the iterations done, as on hardware. REP MOVS
 * and REP STOS go a page run at a time where they can ({@link RepRuns}).
 */
final class StringOps {
    private StringOps() {
    }

    static final int CHUNK = 4096;
    static final int MOVS = 0, CMPS = 1, STOS = 2, LODS = 3, SCAS = 4;

    static void register(OpcodeTable t) {
        int[][] ops = {{0xa4, MOVS}, {0xa6, CMPS}, {0xaa, STOS}, {0xac, LODS}, {0xae, SCAS}};
        for (int[] o : ops) {
            int kind = o[1];
            t.put(ONE, o[0], d -> d.lock ? null : string(d, kind, 8));
            t.put(ONE, o[0] + 1, d -> d.lock ? null : string(d, kind, d.opsize));
        }
    }

    private static X86Op string(Insn d, int kind, int s) {
        int as = d.addrsize;
        int seg = d.segOverride >= 0 ? d.segOverride : X86Cpu.DS;
        int rep = d.rep;
        if (rep == 0) {
            int bytes = s / 8;
            return c -> once(c, kind, s, as, seg, c.df ? -bytes : bytes);
        }
        return c -> exec(c, kind, s, as, seg, rep);
    }

    /**
     * String op {@code kind} of {@code s} bits at address size {@code as}, source segment {@code seg}, with prefix
     * {@code rep} (0, 0xf3 or 0xf2), as its decoded op runs it (c.rip and c.nrip set): the block JIT calls it
     * directly, so C2 folds the constant arguments as it would the closure's captured ones.
     */
    static void exec(X86Cpu c, int kind, int s, int as, int seg, int rep) {
        int bytes = s / 8;
        if (rep == 0) {
            once(c, kind, s, as, seg, c.df ? -bytes : bytes);
            return;
        }
        boolean compares = kind == CMPS || kind == SCAS;
        int stopZf = rep == 0xf3 ? 0 : 1; // REPE stops when ZF = 0, REPNE when ZF = 1
        boolean bulk = kind == MOVS || kind == STOS;
        long n = Alu.get(c, X86Cpu.RCX, as);
        int step = c.df ? -bytes : bytes;
        for (int i = 0; n != 0; i++) {
            if (i >= CHUNK) {
                c.nrip = c.rip; // more to do: run again after the run loop has looked at interrupts
                return;
            }
            long k;
            if (bulk && (k = RepRuns.run(c, kind == MOVS, s, as, seg, n, CHUNK - i)) != 0) {
                n = Alu.trunc(n - k, as); // a page run at once (see RepRuns)
                Alu.set(c, X86Cpu.RCX, as, n);
                i += (int) k - 1;
                continue;
            }
            once(c, kind, s, as, seg, step);
            n = Alu.trunc(n - 1, as);
            Alu.set(c, X86Cpu.RCX, as, n);
            if (compares && c.zf() == stopZf) {
                return;
            }
        }
    }

    private static void once(X86Cpu c, int kind, int s, int as, int seg, int step) {
        switch (kind) {
            case MOVS -> {
                long si = Alu.get(c, X86Cpu.RSI, as), di = Alu.get(c, X86Cpu.RDI, as);
                c.write(c.linear(X86Cpu.ES, di), s, c.read(c.linear(seg, si), s));
                Alu.set(c, X86Cpu.RSI, as, si + step);
                Alu.set(c, X86Cpu.RDI, as, di + step);
            }
            case CMPS -> {
                long si = Alu.get(c, X86Cpu.RSI, as), di = Alu.get(c, X86Cpu.RDI, as);
                long a = c.read(c.linear(seg, si), s);
                long b = c.read(c.linear(X86Cpu.ES, di), s);
                Alu.sub(c, a, b, 0, s);
                Alu.set(c, X86Cpu.RSI, as, si + step);
                Alu.set(c, X86Cpu.RDI, as, di + step);
            }
            case STOS -> {
                long di = Alu.get(c, X86Cpu.RDI, as);
                c.write(c.linear(X86Cpu.ES, di), s, Alu.get(c, X86Cpu.RAX, s));
                Alu.set(c, X86Cpu.RDI, as, di + step);
            }
            case LODS -> {
                long si = Alu.get(c, X86Cpu.RSI, as);
                Alu.set(c, X86Cpu.RAX, s, c.read(c.linear(seg, si), s));
                Alu.set(c, X86Cpu.RSI, as, si + step);
            }
            default -> {
                long di = Alu.get(c, X86Cpu.RDI, as);
                long b = c.read(c.linear(X86Cpu.ES, di), s);
                Alu.sub(c, Alu.get(c, X86Cpu.RAX, s), b, 0, s);
                Alu.set(c, X86Cpu.RDI, as, di + step);
            }
        }
    }
}
