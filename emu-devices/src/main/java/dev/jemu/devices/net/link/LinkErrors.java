package dev.jemu.devices.net.link;

import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;

/** The strerror(3) text QEMU prints after a failed socket call, from the JDK's exception. */
final class LinkErrors {
    private LinkErrors() {
    }

    static String reason(Exception e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof UnresolvedAddressException || e instanceof UnknownHostException) {
            return "Name or service not known";
        }
        if (e instanceof BindException && m.contains("in use")) {
            return "Address already in use";
        }
        if (e instanceof ConnectException && m.contains("refused")) {
            return "Connection refused";
        }
        if (e instanceof NoRouteToHostException) {
            return "No route to host";
        }
        int paren = m.indexOf(" (");
        return paren > 0 ? m.substring(0, paren) : m;
    }
}
