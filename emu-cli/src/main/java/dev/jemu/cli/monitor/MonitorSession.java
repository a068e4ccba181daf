package dev.jemu.cli.monitor;

/**
 * One monitor conversation (a QMP client, an HMP terminal) over some byte channel: a socket, stdio, the
 * console mux. The channel calls {@link #opened}, then {@link #input} with what the client sent (on its own
 * thread), then {@link #closed}; the session answers through the {@link Channel}.
 */
interface MonitorSession {
    /** The channel's side, safe from any thread. */
    interface Channel {
        void send(byte[] data);

        /** Ends the conversation (after what was sent is written). */
        void close();
    }

    void opened();

    void input(byte[] data, int off, int len);

    void closed();
}
