package dev.jemu.cli;

import dev.jemu.cli.chardev.ChardevSpec;
import dev.jemu.cli.chardev.Chardevs;
import dev.jemu.cli.chardev.MuxBackend;
import dev.jemu.core.chardev.NullCharBackend;
import dev.jemu.cli.monitor.MonitorSpec;
import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The character-device flags: {@code -chardev}, {@code -serial}, {@code -parallel}. Every chardev is created
 * here (so a pty prints its name and a server socket listens before the guest starts, as in QEMU), except
 * those a {@code -mon} takes (the monitors listen on those themselves), and listed in {@link MachineConfig#chardevs}; the serial ports get theirs in {@link MachineConfig#serials}.
 */
final class CharDevices {
    private CharDevices() {
    }

    static void build(Options o, HostIo io, List<String> serialSpecs, MachineConfig config) throws ConfigException {
        Set<String> monitorOwned = MonitorSpec.monitorChardevs(o.mon, o.chardevs);
        if (o.daemonize && o.serials.isEmpty() && !o.nographic) {
            serialSpecs = List.of(); // no terminal to default to: the port is left unconnected
        }
        PrintStream stdout = new PrintStream(io.out(), true, StandardCharsets.UTF_8);
        Chardevs chardevs = new Chardevs(new Chardevs.Host(io.in(), io.out(), io::terminal, stdout, io.err(),
                o.daemonize));
        try {
            for (String c : o.chardevs) {
                if (!monitorOwned.contains(ChardevSpec.parseChardev(c).id())) { // -mon's: the monitors open those
                    chardevs.define(c);
                }
            }
            int n = 0;
            for (String spec : serialSpecs) {
                String id = "serial" + n++;
                CharBackend b = spec.equals("none") ? new NullCharBackend() : chardevs.frontend("-serial", spec, id);
                if (spec.startsWith("mon:") && b instanceof MuxBackend mux) {
                    mux.wantMonitor(); // QEMU's mon: prefix: HMP behind Ctrl-A c on this port
                }
                config.serials.add(b);
            }
            n = 0;
            for (String spec : o.parallels) {
                if (spec.equals("none")) {
                    continue;
                }
                chardevs.frontend("-parallel", spec, "parallel" + n++);
                // QEMU opens the chardev and, on a board without a parallel port, leaves it unconnected
                io.err().println("jemu: -parallel " + spec + ": warning: this board has no parallel port; the "
                        + "character device is opened but nothing is connected to it");
            }
        } catch (ConfigException | RuntimeException e) {
            chardevs.closeAll();
            config.serials.clear();
            throw e;
        }
        for (String id : MonitorSpec.muxChardevs(o.mon, o.chardevs)) {
            if (chardevs.byId(id) instanceof MuxBackend mux) {
                mux.wantMonitor();
            }
        }
        config.chardevs.addAll(chardevs.all());
    }
}
