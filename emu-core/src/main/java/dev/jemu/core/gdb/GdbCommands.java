package dev.jemu.core.gdb;

import dev.jemu.core.log.Messages;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * The packets of the remote protocol, one method each, and their replies (QEMU 7.2's where it has them: the
 * same errors, {@code E14} for memory and registers that are not there, {@code E22} for malformed arguments,
 * an empty reply for what is not supported).
 */
final class GdbCommands {
    enum Outcome { CONTINUE, DETACHED }

    private static final HexFormat HEX = HexFormat.of();
    private static final String E_FAULT = "E14", E_INVAL = "E22";

    private final GdbStub stub;
    private final GdbSession session;
    /** CPU index for register and memory access ({@code Hg}) and for step/continue ({@code Hc}). */
    private int gCpu, cCpu;

    GdbCommands(GdbStub stub, GdbSession session) {
        this.stub = stub;
        this.session = session;
    }

    Outcome handle(String p) {
        try {
            return dispatch(p);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            session.reply(E_INVAL); // malformed arguments
        } catch (RuntimeException e) {
            session.reply("E01"); // the machine did not answer or has ended
        }
        return Outcome.CONTINUE;
    }

    private Outcome dispatch(String p) {
        if (p.isEmpty()) {
            session.reply("");
            return Outcome.CONTINUE;
        }
        String a = p.substring(1);
        switch (p.charAt(0)) {
            case '?' -> session.reply("T05thread:" + session.ids().format(gCpu) + ";");
            case 'q' -> query(a);
            case 'Q' -> session.reply(a.equals("StartNoAckMode") ? "OK" : "");
            case 'H' -> selectThread(a);
            case 'T' -> session.reply(threadIndex(a, false) >= 0 ? "OK" : E_INVAL);
            case 'g' -> readRegisters();
            case 'G' -> writeRegisters(a);
            case 'p' -> readRegister(a);
            case 'P' -> writeRegister(a);
            case 'm' -> readMemory(a);
            case 'M' -> writeMemory(a, false);
            case 'X' -> writeMemory(a, true);
            case 'c', 'C' -> resume(p.charAt(0) == 'c' ? a : skipSignal(a), -1, everyCpu('c'));
            case 's', 'S' -> resume(p.charAt(0) == 's' ? a : skipSignal(a), cCpu, stepOne(cCpu));
            case 'v' -> {
                return v(a);
            }
            case 'Z', 'z' -> point(p.charAt(0) == 'Z', a);
            case 'D' -> {
                stub.detach(false, () -> session.reply("OK"));
                return Outcome.DETACHED;
            }
            case 'k' -> kill();
            default -> session.reply("");
        }
        if (p.equals("QStartNoAckMode")) {
            session.setNoAck(); // after the OK went out with its ack
        }
        return Outcome.CONTINUE;
    }

    // --- queries ---

    private void query(String q) {
        if (q.startsWith("Supported")) {
            String features = q.length() > 10 ? q.substring(10) : "";
            boolean mp = features.contains("multiprocess+");
            session.setIds(new GdbStub.ThreadIds(mp, features.contains("swbreak+"), features.contains("hwbreak+")));
            session.reply(String.format("PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;vContSupported+;"
                    + "QStartNoAckMode+", GdbSession.PACKET_SIZE) + (mp ? ";multiprocess+" : ""));
        } else if (q.startsWith("Xfer:features:read:")) {
            features(q.substring(19));
        } else if (q.equals("C")) {
            session.reply("QC" + session.ids().format(gCpu));
        } else if (q.equals("fThreadInfo")) {
            StringBuilder s = new StringBuilder("m");
            for (int i = 0; i < stub.cpuCount(); i++) {
                s.append(i == 0 ? "" : ",").append(session.ids().format(i));
            }
            session.reply(s.toString());
        } else if (q.equals("sThreadInfo")) {
            session.reply("l");
        } else if (q.startsWith("Attached")) {
            session.reply("1");
        } else if (q.startsWith("ThreadExtraInfo,")) {
            int cpu = threadIndex(q.substring(16), false);
            session.reply(cpu < 0 ? E_INVAL : HEX.formatHex(("CPU#" + cpu + " [running]").getBytes(StandardCharsets.US_ASCII)));
        } else if (q.startsWith("Rcmd,")) {
            monitor(q.substring(5));
        } else {
            session.reply(""); // qOffsets, qSymbol, qTStatus ...: not for a whole machine (as QEMU)
        }
    }

    /** {@code qXfer:features:read:ANNEX:OFFSET,LENGTH}: a slice of the target description. */
    private void features(String args) {
        int colon = args.lastIndexOf(':');
        int comma = args.indexOf(',', colon);
        if (colon < 0 || comma < 0) {
            session.reply(E_INVAL);
            return;
        }
        String annex = args.substring(0, colon);
        long off = GdbSession.parseHex(args.substring(colon + 1, comma));
        long len = GdbSession.parseHex(args.substring(comma + 1));
        String xml = stub.onMachine(() -> stub.cpu(0).targetDescription(annex));
        if (xml == null || off > xml.length()) {
            session.reply("E00");
            return;
        }
        len = Math.min(len, GdbSession.PACKET_SIZE - 5);
        long end = Math.min(xml.length(), off + len);
        session.reply((end == xml.length() ? "l" : "m") + xml.substring((int) off, (int) end));
    }

    /** {@code qRcmd,HEX}: an HMP command; its output comes back as {@code O} packets, then OK. */
    private void monitor(String hex) {
        if (hex.isEmpty()) {
            session.reply(E_INVAL);
            return;
        }
        String line = new String(HEX.parseHex(hex), StandardCharsets.UTF_8);
        String text;
        try {
            text = stub.monitorCommand(line).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            text = "Error: " + e.getMessage() + "\n";
        }
        byte[] b = text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i += 1000) {
            session.reply("O" + HEX.formatHex(b, i, Math.min(b.length, i + 1000)));
        }
        session.reply("OK");
    }

    // --- threads ---

    private void selectThread(String a) {
        if (a.length() < 2 || (a.charAt(0) != 'g' && a.charAt(0) != 'c')) {
            session.reply(E_INVAL);
            return;
        }
        int cpu = threadIndex(a.substring(1), true);
        if (cpu < -1) {
            session.reply(E_INVAL);
            return;
        }
        int chosen = cpu < 0 ? 0 : cpu;
        if (a.charAt(0) == 'g') {
            gCpu = chosen;
        } else {
            cCpu = chosen;
        }
        session.reply("OK");
    }

    /**
     * A thread id ({@code TID}, {@code pPID.TID}, {@code -1}, {@code 0}) as a CPU index; -1 for "all" or "any"
     * when {@code anyOk}, -2 for a thread that does not exist.
     */
    private int threadIndex(String t, boolean anyOk) {
        if (t.startsWith("p")) {
            int dot = t.indexOf('.');
            String pid = dot < 0 ? t.substring(1) : t.substring(1, dot);
            if (!pid.equals("-1") && !pid.equals("0") && GdbSession.parseHex(pid) != 1) {
                return -2;
            }
            t = dot < 0 ? "-1" : t.substring(dot + 1);
        }
        if (t.equals("-1") || t.equals("0")) {
            return anyOk ? -1 : 0;
        }
        long tid = GdbSession.parseHex(t);
        return tid >= 1 && tid <= stub.cpuCount() ? (int) tid - 1 : -2;
    }

    // --- registers ---

    private void readRegisters() {
        DebugCpu cpu = stub.cpu(gCpu);
        String all = stub.onMachine(() -> {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < cpu.generalRegisterCount(); i++) {
                byte[] v = cpu.readRegister(i);
                s.append(v == null ? "" : HEX.formatHex(v));
            }
            return s.toString();
        });
        session.reply(all);
    }

    private void writeRegisters(String hex) {
        byte[] data = HEX.parseHex(hex.length() % 2 == 0 ? hex : hex.substring(0, hex.length() - 1));
        DebugCpu cpu = stub.cpu(gCpu);
        stub.onMachine(() -> {
            int off = 0;
            for (int i = 0; i < cpu.generalRegisterCount(); i++) {
                byte[] cur = cpu.readRegister(i);
                if (cur == null || off + cur.length > data.length) {
                    break;
                }
                cpu.writeRegister(i, java.util.Arrays.copyOfRange(data, off, off + cur.length));
                off += cur.length;
            }
            return null;
        });
        session.reply("OK");
    }

    private void readRegister(String a) {
        int n = (int) Math.min(GdbSession.parseHex(a), Integer.MAX_VALUE);
        DebugCpu cpu = stub.cpu(gCpu);
        byte[] v = stub.onMachine(() -> cpu.readRegister(n));
        session.reply(v == null ? E_FAULT : HEX.formatHex(v));
    }

    private void writeRegister(String a) {
        int eq = a.indexOf('=');
        int n = (int) Math.min(GdbSession.parseHex(a.substring(0, eq)), Integer.MAX_VALUE);
        byte[] v = HEX.parseHex(a.substring(eq + 1));
        DebugCpu cpu = stub.cpu(gCpu);
        boolean ok = stub.onMachine(() -> cpu.writeRegister(n, v));
        session.reply(ok ? "OK" : E_FAULT);
    }

    // --- memory ---

    private void readMemory(String a) {
        int comma = a.indexOf(',');
        long addr = GdbSession.parseHex(a.substring(0, comma));
        long len = GdbSession.parseHex(a.substring(comma + 1));
        if (len > (GdbSession.PACKET_SIZE - 4) / 2 || len < 0) {
            len = (GdbSession.PACKET_SIZE - 4) / 2; // gdb asks again for the rest
        }
        byte[] buf = new byte[(int) len];
        DebugCpu cpu = stub.cpu(gCpu);
        int n = stub.onMachine(() -> cpu.readMemory(addr, buf, buf.length));
        session.reply(n == 0 && len > 0 ? E_FAULT : HEX.formatHex(buf, 0, n));
    }

    /** {@code M addr,len:HEX} and {@code X addr,len:BINARY} (escaped with 0x7d). */
    private void writeMemory(String a, boolean binary) {
        int comma = a.indexOf(',');
        int colon = a.indexOf(':', comma);
        long addr = GdbSession.parseHex(a.substring(0, comma));
        long len = GdbSession.parseHex(a.substring(comma + 1, colon));
        String rest = a.substring(colon + 1);
        byte[] data = binary ? unescape(rest) : HEX.parseHex(rest);
        if (len != data.length) {
            session.reply(E_INVAL);
            return;
        }
        DebugCpu cpu = stub.cpu(gCpu);
        int n = stub.onMachine(() -> cpu.writeMemory(addr, data, data.length));
        session.reply(n == data.length ? "OK" : E_FAULT);
    }

    private static byte[] unescape(String s) {
        byte[] out = new byte[s.length()];
        int k = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out[k++] = (byte) (c == '}' && i + 1 < s.length() ? s.charAt(++i) ^ 0x20 : c);
        }
        return java.util.Arrays.copyOf(out, k);
    }

    // --- running ---

    private static String skipSignal(String a) {
        int semi = a.indexOf(';');
        return semi < 0 ? "" : a.substring(semi + 1);
    }

    /**
     * {@code c [addr]} / {@code s [addr]}: resume at addr (on {@code pcCpu}, or the {@code Hc} CPU) if given; each
     * CPU does what {@code actions} says ({@code 'c'} runs, {@code 's'} steps one instruction, 0 stays stopped).
     */
    private void resume(String addr, int pcCpu, char[] actions) {
        if (!addr.isEmpty()) {
            long pc = GdbSession.parseHex(addr);
            DebugCpu cpu = stub.cpu(pcCpu >= 0 ? pcCpu : cCpu);
            stub.onMachine(() -> cpu.writeRegister(cpu.pcRegister(), pcBytes(pc, cpu)));
        }
        session.expectStop();
        if (!stub.resume(actions)) {
            session.stopWaiting();
            session.reply("T03thread:" + session.ids().format(0) + ";"); // the machine needs a reset
        }
    }

    /** Every CPU does {@code action}. */
    private char[] everyCpu(char action) {
        char[] a = new char[stub.cpuCount()];
        java.util.Arrays.fill(a, action);
        return a;
    }

    /** {@code s}: CPU {@code cpu} steps, the others run (QEMU's {@code s} starts the whole machine). */
    private char[] stepOne(int cpu) {
        char[] a = everyCpu('c');
        a[cpu] = 's';
        return a;
    }

    /** {@code v} in the pc register's size and byte order (little-endian targets). */
    private static byte[] pcBytes(long v, DebugCpu cpu) {
        byte[] cur = cpu.readRegister(cpu.pcRegister());
        byte[] b = new byte[cur.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private Outcome v(String a) {
        if (a.equals("Cont?")) {
            session.reply("vCont;c;C;s;S");
        } else if (a.startsWith("Cont;")) {
            vCont(a.substring(5));
        } else if (a.startsWith("Kill")) {
            kill();
        } else {
            session.reply(""); // vMustReplyEmpty, vFile, vRun ...
        }
        return Outcome.CONTINUE;
    }

    /**
     * {@code vCont;ACTION[:TID];...}: each CPU takes the first action that names it (a thread, or all threads),
     * as QEMU does; a CPU no action names stays stopped (gdb's {@code scheduler-locking} resumes one thread).
     */
    private void vCont(String actions) {
        char[] todo = new char[stub.cpuCount()];
        boolean any = false;
        for (String act : actions.split(";")) {
            if (act.isEmpty()) {
                continue;
            }
            char kind = act.charAt(0);
            if ("cCsS".indexOf(kind) < 0) {
                session.reply(E_INVAL);
                return;
            }
            int colon = act.indexOf(':');
            int cpu = colon < 0 ? -1 : threadIndex(act.substring(colon + 1), true);
            if (cpu < -1) {
                session.reply(E_INVAL);
                return;
            }
            any = true;
            char action = Character.toLowerCase(kind);
            for (int i = 0; i < todo.length; i++) {
                if (todo[i] == 0 && (cpu == -1 || cpu == i)) {
                    todo[i] = action;
                }
            }
        }
        if (!any) {
            session.reply(E_INVAL);
            return;
        }
        resume("", -1, todo);
    }

    private void kill() {
        Messages.error("Terminated via GDBstub");
        session.machineExited();
        stub.control().requestQuit(0);
    }

    // --- breakpoints and watchpoints ---

    /** {@code Z/z TYPE,ADDR,KIND}: 0 software, 1 hardware breakpoint, 2 write, 3 read, 4 access watchpoint. */
    private void point(boolean insert, String a) {
        String[] f = a.split("[,;]");
        if (f.length < 3) {
            session.reply(E_INVAL);
            return;
        }
        int type = Integer.parseInt(f[0]);
        long addr = GdbSession.parseHex(f[1]);
        long kind = GdbSession.parseHex(f[2]);
        if (type < 0 || type > 4) {
            session.reply(""); // not supported
            return;
        }
        DebugPoints.WatchKind w = type == 2 ? DebugPoints.WatchKind.WRITE : type == 3 ? DebugPoints.WatchKind.READ
                : DebugPoints.WatchKind.ACCESS;
        stub.changePoints(points -> {
            if (type <= 1 && insert) {
                points.addBreakpoint(addr, type == 0);
            } else if (type <= 1) {
                points.removeBreakpoint(addr);
            } else if (insert) {
                points.addWatch(addr, kind, w);
            } else {
                points.removeWatch(addr, kind, w);
            }
        });
        session.reply("OK");
    }
}
