package dev.jemu.riscv.cpu;

import dev.jemu.core.gdb.DebugCpu;
import dev.jemu.core.gdb.DebugPoints;
import dev.jemu.core.memory.Region;

/**
 * A hart as the gdb stub sees it: registers numbered as {@link GdbRegisters} describes them, memory through
 * the current translation without side effects ({@link HartDebug#translate}), and the debugger's breakpoints,
 * watchpoints and single step, which the hart checks through its {@link Triggers} (see there).
 */
public final class HartGdb implements DebugCpu {
    private final Hart h;
    private String csrXml;

    public HartGdb(Hart h) {
        this.h = h;
    }

    @Override
    public String targetDescription(String annex) {
        return switch (annex) {
            case "target.xml" -> GdbRegisters.targetXml();
            case "riscv-64bit-cpu.xml" -> GdbRegisters.cpuXml();
            case "riscv-64bit-fpu.xml" -> GdbRegisters.fpuXml();
            case "riscv-64bit-virtual.xml" -> GdbRegisters.virtualXml();
            case "riscv-csr.xml" -> csrXml != null ? csrXml : (csrXml = GdbRegisters.csrXml(h));
            default -> null;
        };
    }

    @Override
    public int generalRegisterCount() {
        return GdbRegisters.GENERAL;
    }

    @Override
    public int pcRegister() {
        return GdbRegisters.PC;
    }

    @Override
    public byte[] readRegister(int n) {
        long v;
        if (n < 32) {
            v = h.reg(n);
        } else if (n == GdbRegisters.PC) {
            v = h.pc();
        } else if (n < GdbRegisters.PRIV) {
            v = h.fpr(n - GdbRegisters.FIRST_FPR);
        } else if (n == GdbRegisters.PRIV) {
            v = h.privilege();
        } else if (n - GdbRegisters.FIRST_CSR < 4096 && GdbRegisters.implemented(h, n - GdbRegisters.FIRST_CSR)) {
            v = h.csr(n - GdbRegisters.FIRST_CSR);
        } else {
            return null;
        }
        return bytes(v);
    }

    @Override
    public boolean writeRegister(int n, byte[] value) {
        if (value.length != 8 || n < 0) {
            return false;
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (value[i] & 0xff);
        }
        if (n < 32) {
            h.setReg(n, v);
        } else if (n == GdbRegisters.PC) {
            h.setPc(v);
        } else if (n < GdbRegisters.PRIV) {
            h.setFpr(n - GdbRegisters.FIRST_FPR, v);
        } else if (n == GdbRegisters.PRIV) {
            int p = (int) v & 3;
            h.setPrivilege(p == 2 ? 1 : p); // as QEMU: no hypervisor mode, 2 becomes S
        } else if (n - GdbRegisters.FIRST_CSR < 4096 && GdbRegisters.implemented(h, n - GdbRegisters.FIRST_CSR)) {
            h.setCsr(n - GdbRegisters.FIRST_CSR, v);
        } else {
            return false;
        }
        return true;
    }

    private static byte[] bytes(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    @Override
    public int readMemory(long addr, byte[] into, int len) {
        return access(addr, into, len, false);
    }

    @Override
    public int writeMemory(long addr, byte[] from, int len) {
        return access(addr, from, len, true);
    }

    /** Copies page by page through the current translation; RAM and ROM only (no device register side effects). */
    private int access(long addr, byte[] buf, int len, boolean write) {
        int done = 0;
        while (done < len) {
            long va = addr + done;
            long pa = HartDebug.translate(h, h.bus, va);
            if (pa == -1) {
                break;
            }
            Region r = h.bus.find(pa);
            if (r == null || !r.isMemory()) {
                break;
            }
            int chunk = (int) Math.min(len - done, 4096 - (va & 0xfff));
            chunk = (int) Math.min(chunk, r.base() + r.size() - pa);
            for (int i = 0; i < chunk; i++) {
                if (write) {
                    r.ram().writeByte(pa - r.base() + i, buf[done + i]);
                } else {
                    buf[done + i] = r.ram().readByte(pa - r.base() + i);
                }
            }
            if (write) {
                h.invalidateCode(pa, chunk); // the debugger may patch code
            }
            done += chunk;
        }
        return done;
    }

    @Override
    public void attachDebugger(DebugPoints points, int cpuIndex) {
        h.triggers.attachDebugger(points, cpuIndex);
        h.triggersChanged(); // TLB entries and translated code made before the change bypass the new checks
    }

    @Override
    public void setSingleStep(boolean on) {
        h.triggers.setSingleStep(on);
    }
}
