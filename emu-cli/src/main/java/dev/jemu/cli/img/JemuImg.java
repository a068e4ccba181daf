package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * jemu-img: qemu-img's verbs and flags for jemu's block layer. Errors are one line,
 * "jemu-img: message", with exit status 1 (check and compare have their own codes, as in qemu-img).
 */
@Command(name = "jemu-img", mixinStandardHelpOptions = true, version = "jemu-img 0.1",
        description = "Create, inspect, check and convert disk images (qcow2, raw).",
        subcommands = {InfoCommand.class, CreateCommand.class, ConvertCommand.class, CheckCommand.class,
                SnapshotCommand.class, ResizeCommand.class, CompareCommand.class, MapCommand.class,
                RebaseCommand.class, CommitCommand.class, AmendCommand.class, MeasureCommand.class, DdCommand.class,
                BitmapCommand.class})
public final class JemuImg implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Not enough arguments");
    }

    public static void main(String[] args) {
        int rc;
        try {
            rc = run(args, System.out, System.err);
        } catch (Throwable t) { // last resort: still one line
            System.err.println("jemu-img: internal error: " + t);
            rc = 1;
        }
        System.out.flush();
        System.exit(rc);
    }

    /** Runs one command line; returns the exit status. Never throws. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new JemuImg());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.print(UsageErrors.qemuWording(ex));
            return 1;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println("jemu-img: " + message(ex));
            return ex instanceof ExitCodeException ec ? ec.code : 1;
        });
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.setOut(cl.getOut());
            sub.setErr(cl.getErr());
        }
        cl.getSubcommands().get("resize").setUnmatchedOptionsArePositionalParams(true); // "-1G"
        Context.OUT.set(out);
        Context.ERR.set(err);
        try {
            return cl.execute(args);
        } catch (RuntimeException e) {
            err.println("jemu-img: " + message(e));
            return 1;
        }
    }

    static String message(Throwable ex) {
        if (ex instanceof BlockException || ex instanceof ExitCodeException) return ex.getMessage();
        if (ex instanceof java.io.IOException) return ex.getMessage() == null ? ex.toString() : ex.getMessage();
        return "internal error: " + ex;
    }

    /** An error with a specific exit status (compare uses 2). */
    static final class ExitCodeException extends Exception {
        final int code;

        ExitCodeException(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** Streams of the current invocation (tests run commands in-process). */
    static final class Context {
        static final ThreadLocal<PrintStream> OUT = ThreadLocal.withInitial(() -> System.out);
        static final ThreadLocal<PrintStream> ERR = ThreadLocal.withInitial(() -> System.err);

        private Context() {
        }
    }
}
