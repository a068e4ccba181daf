package dev.jemu.devices.block.vmdk;

import dev.jemu.devices.block.BlockException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The VMDK text descriptor: key=value pairs and extent lines ("RW 6144 FLAT \"x-flat.vmdk\" 0"). */
final class VmdkDescriptor {
    record Extent(String access, long sectors, String type, String file, long offset) {
    }

    final Map<String, String> values = new LinkedHashMap<>();
    final List<Extent> extents = new ArrayList<>();

    static boolean looksLikeDescriptor(byte[] head, int len) {
        String s = new String(head, 0, Math.min(len, 64), java.nio.charset.StandardCharsets.ISO_8859_1);
        return s.startsWith("# Disk DescriptorFile");
    }

    static VmdkDescriptor parse(String text) throws BlockException {
        VmdkDescriptor d = new VmdkDescriptor();
        for (String raw : text.split("\n")) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("RW ") || line.startsWith("RDONLY ") || line.startsWith("NOACCESS ")) {
                String[] p = line.split("\\s+", 4);
                if (p.length < 4) throw BlockException.corrupt("invalid VMDK extent line: " + line);
                long sectors;
                try {
                    sectors = Long.parseLong(p[1]);
                } catch (NumberFormatException e) {
                    throw BlockException.corrupt("invalid VMDK extent size: " + line);
                }
                String rest = p[3];
                if (!rest.startsWith("\"")) throw BlockException.corrupt("invalid VMDK extent file name: " + line);
                int q = rest.indexOf('"', 1);
                if (q < 0) throw BlockException.corrupt("invalid VMDK extent file name: " + line);
                String file = rest.substring(1, q);
                long off = 0;
                String tail = rest.substring(q + 1).trim();
                if (!tail.isEmpty()) {
                    try {
                        off = Long.parseLong(tail);
                    } catch (NumberFormatException e) {
                        throw BlockException.corrupt("invalid VMDK extent offset: " + line);
                    }
                }
                if (sectors < 0 || off < 0 || sectors > (1L << 40)) throw BlockException.corrupt("invalid VMDK extent: " + line);
                d.extents.add(new Extent(p[0], sectors, p[2], file, off));
                continue;
            }
            int eq = line.indexOf('=');
            if (eq > 0) {
                String v = line.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
                d.values.put(line.substring(0, eq).trim(), v);
            }
        }
        return d;
    }

    static String flatDescriptor(long sectors, String flatName, long cid) {
        long cyl = Math.min(16383, Math.max(1, sectors / (16 * 63)));
        return "# Disk DescriptorFile\n"
                + "version=1\n"
                + "CID=" + String.format("%08x", cid) + "\n"
                + "parentCID=ffffffff\n"
                + "createType=\"monolithicFlat\"\n\n"
                + "# Extent description\n"
                + "RW " + sectors + " FLAT \"" + flatName + "\" 0\n\n"
                + "# The Disk Data Base\n#DDB\n\n"
                + "ddb.virtualHWVersion = \"4\"\n"
                + "ddb.geometry.cylinders = \"" + cyl + "\"\n"
                + "ddb.geometry.heads = \"16\"\n"
                + "ddb.geometry.sectors = \"63\"\n"
                + "ddb.adapterType = \"ide\"\n";
    }
}
