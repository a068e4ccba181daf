package dev.jemu.cli.chardev;

import java.io.ByteArrayOutputStream;

/**
 * The telnet side of {@code telnet:HOST:PORT} / {@code socket,telnet=on}: the options QEMU announces when a
 * client connects (the server echoes, no go-ahead, 8-bit binary both ways), and a filter that takes telnet
 * commands out of the client's bytes: IAC IAC is a 0xff data byte, IAC BREAK a break, option negotiation
 * and subnegotiation are dropped.
 */
final class TelnetFilter {
    static final int IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, SE = 240, BREAK = 243;
    static final byte[] GREETING = {
        (byte) IAC, (byte) WILL, 1,     // echo
        (byte) IAC, (byte) WILL, 3,     // suppress go-ahead
        (byte) IAC, (byte) WILL, 0,     // binary
        (byte) IAC, (byte) DO, 0,       // binary
    };

    private enum State { DATA, COMMAND, OPTION, SUB, SUB_IAC }

    private State state = State.DATA;

    /** What a filtered chunk holds: data for the guest and how many breaks came with it. */
    record Result(byte[] data, int breaks) {
    }

    Result filter(byte[] in, int n) {
        ByteArrayOutputStream data = new ByteArrayOutputStream(n);
        int breaks = 0;
        for (int i = 0; i < n; i++) {
            int b = in[i] & 0xff;
            switch (state) {
                case DATA -> {
                    if (b == IAC) {
                        state = State.COMMAND;
                    } else {
                        data.write(b);
                    }
                }
                case COMMAND -> {
                    state = State.DATA;
                    if (b == IAC) {
                        data.write(b);
                    } else if (b == BREAK) {
                        breaks++;
                    } else if (b == SB) {
                        state = State.SUB;
                    } else if (b >= WILL) {
                        state = State.OPTION;
                    }
                }
                case OPTION -> state = State.DATA;
                case SUB -> state = b == IAC ? State.SUB_IAC : State.SUB;
                case SUB_IAC -> state = b == SE ? State.DATA : State.SUB;
            }
        }
        return new Result(data.toByteArray(), breaks);
    }

    /** Output to a telnet client: a 0xff data byte is sent as IAC IAC. */
    static byte[] escape(byte[] data, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + 8);
        for (int i = off; i < off + len; i++) {
            out.write(data[i]);
            if ((data[i] & 0xff) == IAC) {
                out.write(IAC);
            }
        }
        return out.toByteArray();
    }
}
