package dev.jemu.devices.fs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The partitions of a disk from its GPT (primary header at LBA 1) or MBR (four primary entries and the
 * logical partitions of an extended one). A disk with neither is one partition covering the whole disk.
 */
public final class Partitions {
    static final int SECTOR = 512;
    private static final int MAX_GPT_ENTRIES = 1024, MAX_LOGICAL = 128;

    /** {@code number} as Linux counts it (vda1...), 0 for a whole disk without a table. */
    public record Partition(int number, long start, long length, boolean bootable) {
    }

    private Partitions() {
    }

    public static List<Partition> list(ByteSource disk) throws IOException {
        if (disk.size() < 2 * SECTOR) {
            return List.of(new Partition(0, 0, disk.size(), false));
        }
        byte[] mbr = disk.read(0, SECTOR);
        if (Le.u16(mbr, 510) != 0xAA55 || Fat.probe(disk)) { // a FAT boot sector has 55 AA too
            return List.of(new Partition(0, 0, disk.size(), false));
        }
        boolean protective = false;
        for (int i = 0; i < 4; i++) {
            protective |= Le.u8(mbr, 446 + 16 * i + 4) == 0xEE;
        }
        if (protective) {
            List<Partition> gpt = gpt(disk);
            if (gpt != null) {
                return gpt;
            }
        }
        return mbr(disk, mbr);
    }

    private static List<Partition> gpt(ByteSource disk) throws IOException {
        byte[] h = disk.read(SECTOR, SECTOR);
        if (!new String(h, 0, 8, java.nio.charset.StandardCharsets.ISO_8859_1).equals("EFI PART")) {
            return null;
        }
        long entriesLba = Le.u64(h, 72);
        long count = Le.u32(h, 80), size = Le.u32(h, 84);
        if (size < 128 || size > 4096 || count > MAX_GPT_ENTRIES || entriesLba < 2
                || entriesLba * SECTOR + count * size > disk.size()) {
            throw new FsException("GPT: bad partition entry array");
        }
        byte[] table = disk.read(entriesLba * SECTOR, (int) (count * size));
        List<Partition> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int e = (int) (i * size);
            boolean used = false;
            for (int k = 0; k < 16; k++) {
                used |= table[e + k] != 0;
            }
            if (!used) {
                continue;
            }
            long first = Le.u64(table, e + 32), last = Le.u64(table, e + 40);
            long attrs = Le.u64(table, e + 48);
            if (first > last || last >= disk.size() / SECTOR) {
                continue; // an entry outside the disk: skip it, as Linux does
            }
            out.add(new Partition(i + 1, first * SECTOR, (last - first + 1) * SECTOR, (attrs & 4) != 0));
        }
        return out;
    }

    private static List<Partition> mbr(ByteSource disk, byte[] mbr) throws IOException {
        List<Partition> out = new ArrayList<>();
        long sectors = disk.size() / SECTOR;
        long extended = 0;
        for (int i = 0; i < 4; i++) {
            int e = 446 + 16 * i;
            int type = Le.u8(mbr, e + 4);
            long start = Le.u32(mbr, e + 8), len = Le.u32(mbr, e + 12);
            if (type == 0 || len == 0 || start + len > sectors) {
                continue;
            }
            if (type == 0x05 || type == 0x0F || type == 0x85) {
                extended = start;
                continue;
            }
            out.add(new Partition(i + 1, start * SECTOR, len * SECTOR, Le.u8(mbr, e) == 0x80));
        }
        // logical partitions: a chain of EBRs, each relative to the extended partition's start
        long ebr = extended;
        for (int n = 5; extended != 0 && n < 5 + MAX_LOGICAL; n++) {
            byte[] b = disk.read(ebr * SECTOR, SECTOR);
            if (Le.u16(b, 510) != 0xAA55) {
                break;
            }
            long start = Le.u32(b, 446 + 8), len = Le.u32(b, 446 + 12);
            if (Le.u8(b, 446 + 4) != 0 && len != 0 && ebr + start + len <= sectors) {
                out.add(new Partition(n, (ebr + start) * SECTOR, len * SECTOR, Le.u8(b, 446) == 0x80));
            }
            long next = Le.u32(b, 462 + 8);
            if (next == 0 || extended + next >= sectors) {
                break;
            }
            ebr = extended + next;
        }
        return out;
    }
}
