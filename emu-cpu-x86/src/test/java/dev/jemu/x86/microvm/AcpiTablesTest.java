package dev.jemu.x86.microvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcpiTablesTest {
    /** One virtio-blk in the first slot QEMU fills (23, GSI 47), serial and RTC: QEMU 7.2's default microvm. */
    static final AcpiTables.Devices QEMU_DEFAULT = new AcpiTables.Devices(true, List.<int[]>of(new int[] {23, 47}),
            true, true);

    @TempDir
    Path tmp;

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    static int sum(byte[] b, int off, int len) {
        int s = 0;
        for (int i = off; i < off + len; i++) {
            s += b[i];
        }
        return s & 0xff;
    }

    /** The table at guest address {@code at} inside the blob. */
    static byte[] table(AcpiTables.Built t, long at) {
        int off = (int) (at - t.tablesBase());
        int len = le(t.tables()).getInt(off + 4);
        return Arrays.copyOfRange(t.tables(), off, off + len);
    }

    static String sig(byte[] table) {
        return new String(table, 0, 4, StandardCharsets.US_ASCII);
    }

    @Test
    void everyTableChecksumsAndPointsWhereQemusDo() {
        AcpiTables.Built t = AcpiTables.build(QEMU_DEFAULT);
        byte[] rsdp = t.rsdp();
        assertEquals("RSD PTR ", new String(rsdp, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(0, sum(rsdp, 0, 20), "RSDP checksum");
        assertEquals(0, sum(rsdp, 0, 36), "RSDP extended checksum");
        assertEquals(2, rsdp[15], "RSDP revision 2 (XSDT)");
        assertEquals(t.xsdt(), le(rsdp).getLong(24));

        byte[] xsdt = table(t, t.xsdt());
        assertEquals("XSDT", sig(xsdt));
        assertEquals(0x34, xsdt.length, "QEMU's XSDT: two entries");
        assertEquals(t.fadt(), le(xsdt).getLong(36));
        assertEquals(t.madt(), le(xsdt).getLong(44));

        byte[] fadt = table(t, t.fadt());
        assertEquals("FACP", sig(fadt));
        assertEquals(0x10c, fadt.length, "QEMU's FADT: revision 5, 268 bytes");
        assertEquals(5, fadt[8]);
        assertEquals(t.dsdt(), le(fadt).getInt(40) & 0xffffffffL);
        assertEquals(t.dsdt(), le(fadt).getLong(140));
        assertEquals(1 << 20 | 1 << 10, le(fadt).getInt(112), "HW_REDUCED_ACPI | RESET_REG_SUP");
        assertEquals(0xfea00202L, le(fadt).getLong(120), "reset register: the GED's");
        assertEquals(0x42, fadt[128] & 0xff, "reset value");
        assertEquals(0xfea00200L, le(fadt).getLong(248), "sleep control register");
        assertEquals(0xfea00201L, le(fadt).getLong(260), "sleep status register");

        byte[] madt = table(t, t.madt());
        assertEquals("APIC", sig(madt));
        assertEquals(0x52, madt.length, "QEMU's MADT with ioapic2: LAPIC, two IOAPICs, LAPIC NMI");
        assertEquals(0xfee00000, le(madt).getInt(36));

        assertEquals("DSDT", sig(table(t, t.dsdt())));
        for (long at : new long[] {t.dsdt(), t.fadt(), t.madt(), t.xsdt()}) {
            byte[] tb = table(t, at);
            assertEquals(0, sum(tb, 0, tb.length), sig(tb) + " checksum");
            assertEquals("BOCHS BXPC    ", new String(tb, 10, 14, StandardCharsets.US_ASCII), "OEM ids as QEMU's");
        }
        assertEquals(t.tables().length, t.xsdt() + 0x34 - t.tablesBase(), "tables back to back");
        assertTrue(t.tablesBase() + t.tables().length <= 0xf0000 && t.tablesBase() >= 0xd0000,
                "inside the e820 ACPI NVS range");
    }

    static String iasl(Path dir, String name, byte[] table) throws IOException, InterruptedException {
        Path f = dir.resolve(name + ".dat");
        Files.write(f, table);
        Process p = new ProcessBuilder("iasl", "-d", f.toString()).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "iasl -d " + name + ":\n" + out);
        return Files.readString(dir.resolve(name + ".dsl"));
    }

    static boolean haveIasl() {
        try {
            return new ProcessBuilder("iasl", "-v").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void acpicaDisassemblesAndRecompilesTheDsdt() throws Exception {
        assumeTrue(haveIasl(), "iasl (Debian's acpica-tools) is not installed");
        AcpiTables.Built t = AcpiTables.build(QEMU_DEFAULT);
        String dsl = iasl(tmp, "dsdt", table(t, t.dsdt()));
        String flat = dsl.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "").replaceAll("\\s+", "");
        for (String want : new String[] {
                "Scope (_SB) {", "Device (COM1) { Name (_HID, EisaId (\"PNP0501\"))", "Name (_UID, One)",
                "IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08, )", "IRQNoFlags () {4}",
                "Device (RTC) { Name (_HID, EisaId (\"PNP0B00\"))", "IO (Decode16, 0x0070, 0x0070, 0x01, 0x08, )",
                "IRQNoFlags () {8}",
                "Device (GED) { Name (_HID, \"ACPI0013\")", "Name (_UID, \"GED\")",
                "Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) { 0x00000009, }",
                "OperationRegion (EREG, SystemMemory, 0xFEA00000, 0x04)",
                "Field (EREG, DWordAcc, NoLock, WriteAsZeros) { ESEL, 32 }",
                "Method (_EVT, 1, Serialized) { Local0 = ESEL", "Notify (PWRB, 0x80)",
                "Device (PWRB) { Name (_HID, \"PNP0C0C\")",
                "Device (VR23) { Name (_HID, \"LNRO0005\") Name (_UID, 0x17) Name (_CCA, One)",
                "Memory32Fixed (ReadWrite, 0xFEB02E00, 0x00000200, )",
                "Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, ) { 0x0000002F, }",
                "Name (_S5, Package (0x04) { 0x05, Zero, Zero, Zero })"}) {
            assertTrue(flat.contains(want.replaceAll("\\s+", "")), "DSDT lacks: " + want + "\n" + dsl);
        }
        // and ACPICA's compiler takes the disassembly back without errors
        Process p = new ProcessBuilder("iasl", "-p", tmp.resolve("re").toString(), tmp.resolve("dsdt.dsl").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("0 Errors"), out);
    }

    @Test
    void acpicaReadsFadtMadtAndXsdt() throws Exception {
        assumeTrue(haveIasl(), "iasl (Debian's acpica-tools) is not installed");
        AcpiTables.Built t = AcpiTables.build(QEMU_DEFAULT);
        String fadt = iasl(tmp, "facp", table(t, t.fadt())).replaceAll("[ \\t]+", " ");
        assertTrue(fadt.contains("Hardware Reduced (V5) : 1"), fadt);
        assertTrue(fadt.contains("Reset Register Supported (V2) : 1"), fadt);
        assertTrue(fadt.contains("Address : 00000000FEA00202"), fadt);
        assertTrue(fadt.contains("Value to cause reset : 42"), fadt);
        String madt = iasl(tmp, "apic", table(t, t.madt())).replaceAll("[ \\t]+", " ");
        assertTrue(madt.contains("Address : FEC00000") && madt.contains("Address : FEC10000"), madt);
        assertTrue(madt.contains("Interrupt : 00000018"), "IOAPIC 1's GSI base 24\n" + madt);
        assertTrue(madt.contains("Subtable Type : 04 [Local APIC NMI]"), madt);
        assertTrue(!madt.contains("Interrupt Source Override"), "QEMU's microvm has none\n" + madt);
        String xsdt = iasl(tmp, "xsdt", table(t, t.xsdt()));
        assertTrue(xsdt.contains(String.format("%016X", t.fadt())), xsdt);
    }

    @Test
    void withoutIoapic2OrDevicesTheTablesShrink() {
        AcpiTables.Built t = AcpiTables.build(new AcpiTables.Devices(false, List.of(), true, false));
        assertEquals(0x46, table(t, t.madt()).length, "one IOAPIC");
        byte[] dsdt = table(t, t.dsdt());
        String s = new String(dsdt, StandardCharsets.ISO_8859_1);
        assertTrue(!s.contains("LNRO") && !s.contains("RTC_"), "no virtio slot, no RTC");
        assertEquals(0, sum(dsdt, 0, dsdt.length));
    }
}
