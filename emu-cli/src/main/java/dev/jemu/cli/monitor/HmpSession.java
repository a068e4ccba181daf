package dev.jemu.cli.monitor;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One HMP terminal: QEMU's banner and {@code (qemu) } prompt (the prompt scripts such as pexpect wait for),
 * a small line editor (typed characters are echoed, Backspace erases, escape sequences such as arrow keys are
 * ignored, CR or LF ends a line), and the output of each command with CR LF line ends. What is typed while a
 * command runs waits (unechoed) until it is done.
 */
final class HmpSession implements MonitorSession {
    private final Hmp hmp;
    private final MonitorContext ctx;
    private final Channel channel;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    // guarded by this
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private boolean busy;
    private boolean bannerShown;
    private int escape;      // 0 none, 1 after ESC, 2 inside ESC [ ... (a CSI sequence)
    private boolean afterCr;

    HmpSession(MonitorContext ctx, Channel channel) {
        this.hmp = new Hmp(ctx);
        this.ctx = ctx;
        this.channel = channel;
    }

    @Override
    public void opened() {
        showPrompt();
    }

    /** Prints the banner (the first time) and the prompt: a new session, or the console mux switching here. */
    synchronized void showPrompt() {
        if (!bannerShown) {
            bannerShown = true;
            send(Hmp.banner(ctx).replace("\n", "\r\n"));
        }
        send(Hmp.PROMPT);
    }

    @Override
    public void closed() {
    }

    @Override
    public synchronized void input(byte[] data, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (busy) {
                held.write(data, i, off + len - i); // typed while a command runs: echoed once it is done, as QEMU
                return;
            }
            int b = data[i] & 0xff;
            if (escape == 1) {
                escape = b == '[' || b == 'O' ? 2 : 0;
                continue;
            }
            if (escape == 2) {
                if (b >= 0x40 && b <= 0x7e) {
                    escape = 0;
                }
                continue;
            }
            boolean wasCr = afterCr;
            afterCr = b == '\r';
            switch (b) {
                case 0x1b -> escape = 1;
                case '\r', '\n' -> {
                    if (b == '\n' && wasCr) {
                        continue; // CR LF is one Enter
                    }
                    send("\r\n");
                    String l = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    submit(l);
                }
                case 0x7f, 0x08 -> {
                    byte[] bytes = line.toByteArray();
                    if (bytes.length > 0) {
                        int cut = bytes.length - 1;
                        while (cut > 0 && (bytes[cut] & 0xc0) == 0x80) {
                            cut--; // a whole UTF-8 character
                        }
                        line.reset();
                        line.write(bytes, 0, cut);
                        send("\b \b");
                    }
                }
                default -> {
                    if (b >= 0x20) {
                        line.write(b);
                        channel.send(new byte[] {(byte) b});
                    }
                }
            }
        }
    }

    private void submit(String l) {
        busy = true;
        boolean quit = Hmp.isQuit(l);
        hmp.execute(l).whenComplete((out, t) -> finished(out == null ? "" : out, quit));
    }

    private synchronized void finished(String out, boolean quit) {
        send(out.replace("\n", "\r\n"));
        if (quit && out.isEmpty()) {
            return; // the machine is going away: no new prompt, as in QEMU
        }
        send(Hmp.PROMPT);
        busy = false;
        if (held.size() > 0) {
            byte[] rest = held.toByteArray();
            held.reset();
            input(rest, 0, rest.length);
        }
    }

    private void send(String s) {
        channel.send(s.getBytes(StandardCharsets.UTF_8));
    }
}
