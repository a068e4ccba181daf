package dev.jemu.core.machine;

/** Why the machine loop stopped: the guest powered off or asked for a reset, or the user quit. */
public record ExitRequest(Kind kind, int status) {
    public enum Kind { POWEROFF, RESET, QUIT }

    public static ExitRequest poweroff(int status) {
        return new ExitRequest(Kind.POWEROFF, status);
    }

    public static ExitRequest reset() {
        return new ExitRequest(Kind.RESET, 0);
    }

    public static ExitRequest quit(int status) {
        return new ExitRequest(Kind.QUIT, status);
    }
}
