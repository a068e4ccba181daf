package dev.jemu.cli.process;

import dev.jemu.core.memory.GuestRam;

/**
 * Start-up work that the main thread needs later but not first, done on another host core meanwhile: guest RAM's
 * libc handles (mmap, munmap, madvise through FFM; each downcall is a generated class, about 0.1 s together on a
 * loaded 2-core host) are linked while the main thread installs the signal handlers and reads the command line.
 * A class being initialized here makes the main thread wait for it at its first use, never do it twice.
 */
public final class StartupWarmup {
    private StartupWarmup() {
    }

    /** Starts the warm-up on a daemon thread (the real launcher only; in-process runs do not need it). */
    public static void start() {
        Thread.ofPlatform().daemon().name("jemu-warmup").start(() -> {
            try {
                Class.forName(GuestRam.class.getName(), true, StartupWarmup.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) { // the main thread meets it again and reports it
            }
        });
    }
}
