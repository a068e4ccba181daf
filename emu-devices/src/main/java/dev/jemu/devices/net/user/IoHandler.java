package dev.jemu.devices.net.user;

import java.nio.channels.SelectionKey;

/** What a host channel registered with the stack's selector does when it is ready. */
interface IoHandler {
    void ready(SelectionKey key);
}
