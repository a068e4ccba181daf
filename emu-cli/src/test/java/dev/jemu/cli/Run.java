package dev.jemu.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One in-process run of the command: its exit status, stdout and stderr. */
record Run(int status, String out, String err) {
    static Run of(String... args) {
        return withInput("", false, args);
    }

    static Run withInput(String input, boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        HostIo io = new HostIo(new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1)), out,
                new PrintStream(err, true, StandardCharsets.UTF_8), terminal);
        int status = Main.run(args, io);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
