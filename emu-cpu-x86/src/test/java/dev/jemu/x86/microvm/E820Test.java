package dev.jemu.x86.microvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The e820 map jemu's microvm gives the kernel, against the "BIOS-e820" lines Debian's amd64 kernel prints under
 * QEMU 7.2's microvm with its firmware ({@code qemu-system-x86_64 -M microvm -m M -kernel bzImage -append
 * console=ttyS0}, captured): RAM below 4 GiB is capped at 3 GiB, the rest starts at 4 GiB.
 */
class E820Test {
    private static final String LOW = "0x0000000000000000-0x000000000009fbff usable;"
            + "0x000000000009fc00-0x000000000009ffff reserved;0x00000000000d0000-0x00000000000effff ACPI NVS;"
            + "0x00000000000f0000-0x00000000000fffff reserved;";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "512 | 0x0000000000100000-0x000000001fffffff usable",
        "3072 | 0x0000000000100000-0x00000000bfffffff usable",
        "3073 | 0x0000000000100000-0x00000000bfffffff usable;0x0000000100000000-0x00000001000fffff usable",
        "4096 | 0x0000000000100000-0x00000000bfffffff usable;0x0000000100000000-0x000000013fffffff usable",
        "12288 | 0x0000000000100000-0x00000000bfffffff usable;0x0000000100000000-0x000000033fffffff usable"})
    void matchesQemusMap(long mib, String high) {
        assertEquals(List.of((LOW + high).split(";")), E820.map(mib << 20).stream().map(E820Test::line).toList(),
                "-m " + mib + "M");
    }

    /** An entry as the kernel prints it: "[mem START-END] TYPE" without the brackets. */
    private static String line(E820.Entry e) {
        String type = switch (e.type()) {
            case E820.RAM -> "usable";
            case E820.RESERVED -> "reserved";
            case E820.NVS -> "ACPI NVS";
            default -> "type " + e.type();
        };
        return String.format(Locale.ROOT, "0x%016x-0x%016x %s", e.addr(), e.addr() + e.size() - 1, type);
    }
}
