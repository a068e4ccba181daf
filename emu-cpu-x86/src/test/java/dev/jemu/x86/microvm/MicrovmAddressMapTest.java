package dev.jemu.x86.microvm;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.Region;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code -M microvm}'s memory map and I/O ports against QEMU 7.2's {@code info mtree}. With qemu-system-x86_64
 * installed the test asks it; otherwise it reads the listing captured with
 * {@code echo "info mtree" | qemu-system-x86_64 -M microvm[,PROPS] -cpu qemu64 -m 512M -display none
 * -monitor stdio -serial null -S} (resources qemu-7.2-microvm[-PROPS]-mtree.txt, the memory and I/O spaces; with
 * {@code -m 4G}, qemu-7.2-microvm-m4G-mtree.txt).
 */
class MicrovmAddressMapTest {
    /** QEMU's regions jemu does not have: qboot's BIOS, the kvmvapic option ROM port, fw_cfg (no firmware). */
    static final Set<String> QEMU_ONLY = Set.of("isa-bios", "pc.bios", "kvmvapic", "fwcfg", "fwcfg.dma");
    /** jemu's regions QEMU's microvm lacks: port 0x61 with PIT channel 2's gate and output (Linux calibrates on it). */
    static final Set<String> JEMU_ONLY = Set.of("pit-port61");
    static final Pattern LINE = Pattern.compile("^    ([0-9a-f]{16})-([0-9a-f]{16}) \\([^)]*\\): (?:alias )?(\\S+)");

    @ParameterizedTest
    @ValueSource(strings = {"", "acpi=off", "ioapic2=off", "m=4G"})
    void matchesQemu(String props) throws Exception {
        boolean m4g = props.equals("m=4G"); // -m 4G: ram-above-4g from 4 GiB (the captured listing's "-m4G")
        MachineConfig config = MicrovmTesting.config(m4g ? "" : props);
        config.ramBytes = m4g ? 4L << 30 : config.ramBytes;
        try (MicrovmMachine m = MicrovmTesting.build(config)) {
            List<String> qemu = qemuListing(m4g ? "" : props, m4g ? "4G" : "512M");
            assertEquals(filter(qemu, QEMU_ONLY, "memory"), filter(listing(m.addressSpace()), JEMU_ONLY, ""),
                    "memory map");
            assertEquals(filter(qemu, QEMU_ONLY, "I/O"), filter(listing(m.io()), JEMU_ONLY, ""), "I/O ports");
        }
    }

    /** "start-end name" lines of one address space (memory or I/O) from QEMU's listing, or all of jemu's. */
    private static List<String> filter(List<String> lines, Set<String> drop, String space) {
        List<String> out = new ArrayList<>();
        boolean in = space.isEmpty();
        for (String l : lines) {
            if (!l.isEmpty() && !l.startsWith(" ")) { // a section: "address-space: X", "memory-region: Y"
                in = l.equals("address-space: " + space);
                continue;
            }
            Matcher m = LINE.matcher(l);
            if (in && m.find() && !drop.contains(m.group(3))) {
                out.add(m.group(1) + "-" + m.group(2) + " " + m.group(3));
            }
        }
        return out;
    }

    private static List<String> listing(AddressSpace as) {
        List<String> out = new ArrayList<>();
        for (Region r : as.regions()) {
            out.add(String.format(Locale.ROOT, "    %016x-%016x (prio 0, i/o): %s", r.base(), r.end() - 1, r.name()));
        }
        return out;
    }

    private static List<String> qemuListing(String props, String ram) throws IOException, InterruptedException {
        String machine = props.isEmpty() ? "microvm" : "microvm," + props;
        try {
            Process p = new ProcessBuilder("qemu-system-x86_64", "-M", machine, "-cpu", "qemu64", "-m", ram,
                    "-display", "none", "-monitor", "stdio", "-serial", "null", "-S")
                    .redirectErrorStream(true).start();
            p.getOutputStream().write("info mtree\nquit\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return out.replace("\r", "").replaceAll("\u001b\\[[0-9]*[A-Z]", "").lines().toList();
            }
        } catch (IOException e) {
            // not installed: the captured listing
        }
        String name = "qemu-7.2-microvm" + (props.isEmpty() ? "" : "-" + props) + (ram.equals("512M") ? "" : "-m" + ram)
                + "-mtree.txt";
        try (InputStream in = MicrovmAddressMapTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** Every property jemu's microvm takes is one of QEMU 7.2's ({@code -M microvm,help}, captured), same type. */
    @org.junit.jupiter.api.Test
    void propertiesAreQemus() throws IOException {
        String help;
        try (InputStream in = MicrovmAddressMapTest.class.getResourceAsStream("qemu-7.2-microvm-help.txt")) {
            help = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (var p : new MicrovmMachineType().properties()) {
            assertTrue(help.contains("  " + p.name() + "=<" + p.type() + ">"), p.name() + " <" + p.type() + ">");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"acpi=maybe", "isa-serial=2", "pcie=on", "smm=on", "usb=on"})
    void refusesWhatItCannotDo(String props) {
        ConfigException e = assertThrows(ConfigException.class, () -> MicrovmTesting.build(MicrovmTesting.config(props)));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
