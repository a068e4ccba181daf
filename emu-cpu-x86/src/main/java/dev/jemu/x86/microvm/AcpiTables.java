package dev.jemu.x86.microvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ACPI tables QEMU 7.2's microvm builds with its default acpi=on (hw/i386/acpi-microvm.c), laid out as its
 * firmware places them: DSDT, FADT, MADT and XSDT back to back ending just below 0xf0000 (inside the e820 ACPI
 * NVS range), and a version 2 RSDP in the BIOS area at {@link #RSDP_ADDR} that Linux finds by its scan of
 * 0xe0000-0xfffff or through boot_params.acpi_rsdp_addr / hvm_start_info.rsdp_paddr.
 * <ul>
 * <li>FADT revision 5, hardware-reduced (HW_REDUCED_ACPI, RESET_REG_SUP): the sleep control/status registers and
 * the reset register are the GED's byte registers ({@link MicrovmLayout#GED_REGS}), reset value 0x42.
 * <li>MADT: the local APIC at 0xfee00000 (PCAT_COMPAT), CPU 0, IOAPIC 0 at 0xfec00000 with GSI base 0 (and
 * IOAPIC 1 at 0xfec10000, GSI base 24, with ioapic2), a local APIC NMI on LINT1; no interrupt source overrides,
 * as QEMU's microvm.
 * <li>DSDT: in \_SB the COM1 serial port (PNP0501), the RTC (PNP0B00), the GED (ACPI0013) whose _EVT notifies
 * the power button PWRB (PNP0C0C) on a power-down event, and each populated virtio-mmio slot as LNRO0005
 * (VRnn) with its registers and level interrupt; \_S5 = 5. QEMU's fw_cfg device is left out: jemu has none.
 * </ul>
 */
public final class AcpiTables {
    /** Where the RSDP goes (the start of the 0xf0000 BIOS area, which the e820 map reserves). */
    public static final long RSDP_ADDR = 0xf0000;
    /** The end of the area the tables are packed below (they are placed 64-byte aligned, as QEMU's loader). */
    public static final long TABLES_END = 0xf0000;
    static final String OEM_ID = "BOCHS ", OEM_TABLE_ID = "BXPC    ", CREATOR = "BXPC";
    static final int FADT_HW_REDUCED = 1 << 20, FADT_RESET_REG_SUP = 1 << 10;
    static final int FADT_REVISION = 5, FADT_LENGTH = 268, MADT_REVISION = 1, DSDT_REVISION = 2;

    /** What the guest is told about: the populated virtio-mmio slots (index, GSI) and the optional ISA devices. */
    public record Devices(boolean ioapic2, List<int[]> virtio, boolean serial, boolean rtc) {
    }

    /** The tables at {@code tablesBase} (DSDT first) and the RSDP that points to the XSDT. */
    public record Built(long tablesBase, byte[] tables, byte[] rsdp, long dsdt, long fadt, long madt, long xsdt) {
    }

    private AcpiTables() {
    }

    public static Built build(Devices d) {
        byte[] dsdt = dsdt(d);
        byte[] madt = madt(d.ioapic2);
        int size = dsdt.length + FADT_LENGTH + madt.length + 36 + 16;
        long base = (TABLES_END - size) & ~0x3fL;
        long dsdtAt = base, fadtAt = dsdtAt + dsdt.length, madtAt = fadtAt + FADT_LENGTH, xsdtAt = madtAt + madt.length;
        byte[] fadt = fadt(dsdtAt);
        byte[] xsdt = xsdt(List.of(fadtAt, madtAt));
        ByteBuffer all = ByteBuffer.allocate(size);
        all.put(dsdt).put(fadt).put(madt).put(xsdt);
        return new Built(base, all.array(), rsdp(xsdtAt), dsdtAt, fadtAt, madtAt, xsdtAt);
    }

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A table: the 36-byte header (signature, length, revision, checksum, OEM ids, creator) then {@code body}. */
    static byte[] table(String sig, int revision, byte[] body) {
        ByteBuffer t = le(36 + body.length);
        t.put(ascii(sig)).putInt(36 + body.length).put((byte) revision).put((byte) 0).put(ascii(OEM_ID))
                .put(ascii(OEM_TABLE_ID)).putInt(1).put(ascii(CREATOR)).putInt(1).put(body);
        byte[] b = t.array();
        b[9] = checksum(b, 0, b.length);
        return b;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The byte that makes {@code b[off..off+len)} sum to 0 (with that byte counted as 0 beforehand). */
    static byte checksum(byte[] b, int off, int len) {
        int sum = 0;
        for (int i = off; i < off + len; i++) {
            sum += b[i];
        }
        return (byte) -sum;
    }

    static byte[] rsdp(long xsdt) {
        ByteBuffer r = le(36);
        r.put(ascii("RSD PTR ")).put((byte) 0).put(ascii(OEM_ID)).put((byte) 2).putInt(0).putInt(36).putLong(xsdt);
        byte[] b = r.array();
        b[8] = checksum(b, 0, 20);
        b[32] = checksum(b, 0, 36);
        return b;
    }

    static byte[] xsdt(List<Long> entries) {
        ByteBuffer b = le(8 * entries.size());
        entries.forEach(b::putLong);
        return table("XSDT", 1, b.array());
    }

    /** Generic Address Structure: system memory, {@code bits} wide, access size undefined (as QEMU's). */
    static void gas(ByteBuffer b, int at, int bits, long address) {
        b.put(at, (byte) 0).put(at + 1, (byte) bits).put(at + 2, (byte) 0).put(at + 3, (byte) 0).putLong(at + 4, address);
    }

    static byte[] fadt(long dsdt) {
        ByteBuffer f = le(FADT_LENGTH - 36);
        f.putInt(40 - 36, (int) dsdt);                                   // DSDT
        f.putInt(112 - 36, FADT_HW_REDUCED | FADT_RESET_REG_SUP);        // Flags
        gas(f, 116 - 36, 8, MicrovmLayout.GED_REGS + MicrovmLayout.GED_REG_RESET);
        f.put(128 - 36, (byte) MicrovmLayout.GED_RESET_VALUE);
        f.putLong(140 - 36, dsdt);                                       // X_DSDT
        gas(f, 244 - 36, 8, MicrovmLayout.GED_REGS + MicrovmLayout.GED_REG_SLEEP_CTL);
        gas(f, 256 - 36, 8, MicrovmLayout.GED_REGS + MicrovmLayout.GED_REG_SLEEP_STS);
        return table("FACP", FADT_REVISION, f.array());
    }

    static byte[] madt(boolean ioapic2) {
        ByteBuffer m = le(8 + 8 + 12 * (ioapic2 ? 2 : 1) + 6);
        m.putInt((int) MicrovmLayout.LAPIC_BASE).putInt(1);             // local APIC address, PCAT_COMPAT
        m.put((byte) 0).put((byte) 8).put((byte) 0).put((byte) 0).putInt(1);   // processor local APIC: UID 0, id 0, enabled
        ioapic(m, 0, MicrovmLayout.IOAPIC_BASE, 0);
        if (ioapic2) {
            ioapic(m, 1, MicrovmLayout.IOAPIC2_BASE, MicrovmLayout.IOAPIC_PINS);
        }
        m.put((byte) 4).put((byte) 6).put((byte) 0xff).putShort((short) 0).put((byte) 1); // local APIC NMI: all, LINT1
        return table("APIC", MADT_REVISION, m.array());
    }

    private static void ioapic(ByteBuffer m, int id, long addr, int gsiBase) {
        m.put((byte) 1).put((byte) 12).put((byte) id).put((byte) 0).putInt((int) addr).putInt(gsiBase);
    }

    static byte[] dsdt(Devices d) {
        List<byte[]> sb = new ArrayList<>();
        if (d.serial) {
            sb.add(Aml.device("COM1",
                    Aml.nameDecl("_HID", Aml.eisaId("PNP0501")),
                    Aml.nameDecl("_UID", Aml.integer(1)),
                    Aml.nameDecl("_STA", Aml.integer(0xf)),
                    Aml.nameDecl("_CRS", Aml.resourceTemplate(
                            Aml.Res.io(MicrovmLayout.COM1_PORT, MicrovmLayout.COM1_PORT, 0, 8),
                            Aml.Res.irqNoFlags(MicrovmLayout.COM1_IRQ)))));
        }
        if (d.rtc) {
            sb.add(Aml.device("RTC",
                    Aml.nameDecl("_HID", Aml.eisaId("PNP0B00")),
                    Aml.nameDecl("_CRS", Aml.resourceTemplate(
                            Aml.Res.io(MicrovmLayout.RTC_PORT, MicrovmLayout.RTC_PORT, 1, 8),
                            Aml.Res.irqNoFlags(MicrovmLayout.RTC_IRQ)))));
        }
        sb.add(Aml.device("GED",
                Aml.nameDecl("_HID", Aml.string("ACPI0013")),
                Aml.nameDecl("_UID", Aml.string("GED")),
                Aml.nameDecl("_CRS", Aml.resourceTemplate(Aml.Res.interrupt(MicrovmLayout.GED_IRQ, true))),
                Aml.opRegion("EREG", 0, MicrovmLayout.GED_BASE, 4),
                Aml.field("EREG", 0x43, "ESEL", 32),                     // DWordAcc, NoLock, WriteAsZeros
                Aml.method("_EVT", 1, true,
                        Aml.store(Aml.ref("ESEL"), Aml.local0()),
                        Aml.ifThen(Aml.lEqual(Aml.and(Aml.local0(), Aml.integer(MicrovmLayout.GED_EVT_PWR_DOWN)),
                                        Aml.integer(MicrovmLayout.GED_EVT_PWR_DOWN)),
                                Aml.notify(Aml.ref("PWRB"), Aml.integer(0x80))))));
        sb.add(Aml.device("PWRB",
                Aml.nameDecl("_HID", Aml.string("PNP0C0C")),
                Aml.nameDecl("_UID", Aml.integer(0))));
        for (int[] v : d.virtio) {
            int slot = v[0];
            sb.add(Aml.device(String.format("VR%02d", slot),
                    Aml.nameDecl("_HID", Aml.string("LNRO0005")),
                    Aml.nameDecl("_UID", Aml.integer(slot)),
                    Aml.nameDecl("_CCA", Aml.integer(1)),
                    Aml.nameDecl("_CRS", Aml.resourceTemplate(
                            Aml.Res.memory32Fixed(MicrovmLayout.VIRTIO_MMIO_BASE
                                    + (long) slot * MicrovmLayout.VIRTIO_MMIO_SIZE, MicrovmLayout.VIRTIO_MMIO_SIZE, true),
                            Aml.Res.interrupt(v[1], false)))));
        }
        byte[] aml = Aml.cat(
                Aml.scope("_SB", sb.toArray(byte[][]::new)),
                Aml.scope("\\", Aml.nameDecl("_S5", Aml.pack(Aml.integer(MicrovmLayout.GED_SLP_TYP_S5),
                        Aml.integer(0), Aml.integer(0), Aml.integer(0)))));
        return table("DSDT", DSDT_REVISION, aml);
    }
}
