package dev.jemu.cli.img;

import picocli.CommandLine;

import java.util.Map;

/**
 * Command-line mistakes in qemu-img's words (scripts match them): picocli's messages are replaced by what
 * qemu-img 7.2 prints for the same mistake, followed, as there, by the "Try ... --help" line.
 */
final class UsageErrors {
    private static final String TRY = "Try 'jemu-img --help' for more information";

    /** What qemu-img says when a verb gets too few (or too many) file names. */
    private static final Map<String, String> MISSING_FILE = Map.ofEntries(
            Map.entry("info", "Expecting one image file name"),
            Map.entry("check", "Expecting one image file name"),
            Map.entry("map", "Expecting one image file name"),
            Map.entry("snapshot", "Expecting one image file name"),
            Map.entry("commit", "Expecting one image file name"),
            Map.entry("rebase", "Expecting one image file name"),
            Map.entry("amend", "Expecting one image file name"),
            Map.entry("bitmap", "Expecting filename and bitmap name"),
            Map.entry("compare", "Expecting two image file names"),
            Map.entry("create", "Expecting image file name"),
            Map.entry("resize", "Not enough arguments"),
            Map.entry("convert", "Must specify image file name"));
    /** qemu-img prints no "Try" line after these. */
    private static final java.util.Set<String> NO_TRY = java.util.Set.of("convert");

    private UsageErrors() {
    }

    /** The lines (each ending in a newline) to print for a parse error. */
    static String qemuWording(CommandLine.ParameterException ex) {
        CommandLine cl = ex.getCommandLine();
        String verb = cl.getParent() == null ? null : cl.getCommandName();
        String line;
        boolean tryLine = true;
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().getFirst();
            if (arg.startsWith("-") && arg.length() > 1) line = "unrecognized option '" + arg + "'";
            else if (verb == null) line = "Command not found: " + arg;
            else {
                line = MISSING_FILE.getOrDefault(verb, "Too many arguments");
                tryLine = !NO_TRY.contains(verb);
            }
        } else if (ex instanceof CommandLine.MissingParameterException && verb != null && MISSING_FILE.containsKey(verb)) {
            line = MISSING_FILE.get(verb);
            tryLine = !NO_TRY.contains(verb);
        } else if (ex.getMessage() != null && ex.getMessage().startsWith("Missing required parameter for option")) {
            line = "missing argument for option '" + optionOf(ex.getMessage()) + "'";
        } else {
            line = ex.getMessage();
        }
        return "jemu-img: " + line + "\n" + (tryLine ? TRY + "\n" : "");
    }

    private static String optionOf(String msg) {
        int a = msg.indexOf('\''), b = msg.indexOf('\'', a + 1);
        return a >= 0 && b > a ? msg.substring(a + 1, b).split("=")[0] : "?";
    }
}
