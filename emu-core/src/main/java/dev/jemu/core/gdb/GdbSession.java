package dev.jemu.core.gdb;

import dev.jemu.core.control.MachineEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * One gdb client on the remote serial protocol (GDB manual, "Remote Protocol"): packets {@code $data#cs} with
 * acks until {@code QStartNoAckMode}, Ctrl-C (0x03) while the machine runs, and the commands a debugger of a
 * whole machine needs (registers, memory, breakpoints, watchpoints, step, continue, detach, kill, {@code monitor}).
 * Replies follow QEMU 7.2's stub where it has one. Bad input (checksums, unknown or malformed packets, huge
 * ones) is answered with {@code -}, an empty reply or an {@code Exx} error; nothing a client sends ends the
 * session but a disconnect, and a disconnect detaches (the machine runs on).
 */
final class GdbSession implements Consumer<MachineEvent> {
    /** The packet size we announce (QEMU's: 4096); longer packets are read and refused. */
    static final int PACKET_SIZE = 0x1000;
    private static final int MAX_PACKET = 64 * 1024;

    private final GdbStub stub;
    private final InputStream in;
    private final OutputStream out;
    private final GdbCommands commands;
    private volatile boolean noAck;
    /** gdb waits for a stop reply (after c, s, vCont). */
    private volatile boolean waiting;
    private volatile GdbStub.ThreadIds ids = new GdbStub.ThreadIds(false, false, false);
    private byte[] lastSent;
    private boolean closed;

    GdbSession(GdbStub stub, InputStream in, OutputStream out) {
        this.stub = stub;
        this.in = in;
        this.out = out;
        this.commands = new GdbCommands(stub, this);
    }

    /** Serves the client until it disconnects, detaches or kills; then the machine runs on (or ends). */
    void run() throws IOException {
        stub.control().addListener(this);
        boolean detached = false;
        try {
            stub.attach();
            detached = readLoop();
        } finally {
            stub.control().removeListener(this);
            if (!detached) {
                try {
                    stub.detach(true, () -> { }); // a client that went away must not leave the guest stopped or its breakpoints set
                } catch (RuntimeException e) {
                    // the machine has ended
                }
            }
        }
    }

    /** Reads packets until the end of input; true when the client detached itself. */
    private boolean readLoop() throws IOException {
        byte[] buf = new byte[8192];
        byte[] packet = new byte[PACKET_SIZE + 64];
        int len = 0;
        int state = 0; // 0 between packets, 1 in data, 2/3 the checksum digits
        boolean tooLong = false;
        int checksum = 0;
        int given = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                int b = buf[i] & 0xff;
                switch (state) {
                    case 0 -> {
                        if (b == '$') {
                            state = 1;
                            len = 0;
                            checksum = 0;
                            tooLong = false;
                        } else if (b == 0x03) {
                            interrupt();
                        } else if (b == '-' && !noAck && lastSent != null) {
                            write(lastSent); // the client saw a corrupted reply: send it again
                        }
                        // '+' and line noise between packets: ignored
                    }
                    case 1 -> {
                        if (b == '#') {
                            state = 2;
                        } else {
                            checksum += b;
                            if (len < packet.length) {
                                packet[len++] = (byte) b;
                            } else {
                                tooLong = true;
                            }
                            if (len >= MAX_PACKET) {
                                tooLong = true;
                            }
                        }
                    }
                    case 2 -> {
                        given = hexDigit(b) << 4;
                        state = 3;
                    }
                    default -> {
                        given |= hexDigit(b);
                        state = 0;
                        if (!noAck && (given < 0 || given != (checksum & 0xff))) {
                            write(new byte[] {'-'}); // bad checksum: gdb sends it again
                            continue;
                        }
                        if (!noAck) {
                            write(new byte[] {'+'});
                        }
                        if (tooLong) {
                            reply("E22");
                            continue;
                        }
                        String p = new String(packet, 0, len, StandardCharsets.ISO_8859_1);
                        GdbCommands.Outcome o = commands.handle(p);
                        if (o == GdbCommands.Outcome.DETACHED) {
                            // As QEMU, the connection stays until gdb closes it: gdb still acks the OK, and
                            // closing first would hand it a broken pipe.
                            while (in.read(buf) > 0) {
                                // after a detach nothing more is served
                            }
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    private static int hexDigit(int b) {
        int d = Character.digit(b, 16);
        return d < 0 ? -256 : d;
    }

    private void interrupt() {
        if (waiting) {
            stub.interrupt(); // the STOP that follows is answered with T02
        }
    }

    // --- for GdbCommands ---

    GdbStub.ThreadIds ids() {
        return ids;
    }

    void setIds(GdbStub.ThreadIds ids) {
        this.ids = ids;
    }

    void setNoAck() {
        noAck = true;
    }

    /** The client waits for a stop reply from now on; the next STOP event sends it. */
    void expectStop() {
        waiting = true;
    }

    void stopWaiting() {
        waiting = false;
    }

    /** Sends one packet. Escapes {@code $ # } *} so binary replies (qXfer) pass unchanged. */
    void reply(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.ISO_8859_1);
        byte[] framed = new byte[p.length * 2 + 4];
        int k = 0;
        int sum = 0;
        framed[k++] = '$';
        for (byte b : p) {
            if (b == '$' || b == '#' || b == '}' || b == '*') {
                framed[k++] = '}';
                sum += '}';
                b ^= 0x20;
            }
            framed[k++] = b;
            sum += b & 0xff;
        }
        framed[k++] = '#';
        String cs = HexFormat.of().toHexDigits((byte) sum);
        framed[k++] = (byte) cs.charAt(0);
        framed[k++] = (byte) cs.charAt(1);
        byte[] packet = java.util.Arrays.copyOf(framed, k);
        synchronized (this) {
            lastSent = packet;
        }
        write(packet);
    }

    private void write(byte[] data) {
        synchronized (out) {
            if (closed) {
                return;
            }
            try {
                out.write(data);
                out.flush();
            } catch (IOException e) {
                closed = true; // the client went away; the read loop ends on its own
            }
        }
    }

    /** The machine is ending (guest power-off, quit): QEMU tells gdb the inferior exited with {@code W00}. */
    void machineExited() {
        reply("W00");
        synchronized (out) {
            closed = true;
        }
    }

    /** A STOP event (machine thread): the stop reply, when gdb waits for one. Only queues: writes are short. */
    @Override
    public void accept(MachineEvent e) {
        if (!e.name().equals("STOP") || !waiting) {
            return;
        }
        String r = stub.stopReply(e, ids);
        if (r != null) {
            waiting = false;
            Thread.ofVirtual().start(() -> reply(r)); // never block the machine thread on the socket
        }
    }

    static long parseHex(String s) {
        if (s.isEmpty() || s.length() > 16) {
            throw new NumberFormatException(s);
        }
        return Long.parseUnsignedLong(s, 16);
    }
}
