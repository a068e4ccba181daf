package dev.jemu.cli.chardev;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Binds a unix-socket server so that its path appears only once it listens. The JDK binds and then listens in
 * two system calls; a client that sees the path in between (a script polling for the socket file, as test
 * harnesses and libvirt-style tools do) gets ECONNREFUSED. So the socket is bound under a temporary name in the
 * same directory and renamed into place, which is atomic.
 */
public final class UnixListen {
    private UnixListen() {
    }

    public static void bind(ServerSocketChannel ch, Path path, int backlog) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = dir.resolve(".jemu-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 28, 1 << 30)));
        try {
            ch.bind(UnixDomainSocketAddress.of(tmp), backlog);
        } catch (IOException e) {
            ch.bind(UnixDomainSocketAddress.of(path), backlog); // e.g. the longer name does not fit sun_path
            return;
        }
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}
