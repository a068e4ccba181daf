package dev.jemu.devices.block.vmdk;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockFormat;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.ImageFile;
import dev.jemu.devices.block.ImageLock;
import dev.jemu.devices.block.OpenOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * VMDK in the format registry: monolithicSparse (read), streamOptimized (read, and writes that append
 * compressed grains) and descriptor files with FLAT extents
 * (monolithicFlat, twoGbMaxExtentFlat; read and write). Delta disks (a parent) are refused.
 */
public final class VmdkFormat implements BlockFormat {
    private static final int MAX_DESCRIPTOR = 64 << 10;

    @Override
    public String name() {
        return "vmdk";
    }

    @Override
    public int probe(byte[] head, int len) {
        if (len >= 4 && Bytes.getIntLE(head, 0) == VmdkSparseExtent.MAGIC) return 100;
        return VmdkDescriptor.looksLikeDescriptor(head, len) ? 100 : 0;
    }

    @Override
    public BlockDriver open(Path path, OpenOptions o) throws BlockException {
        List<VmdkExtent> opened = new ArrayList<>();
        ImageLock descriptorLock = null;
        try {
            ImageFile f = ImageFile.open(path, true);
            byte[] head = new byte[4];
            int n = f.readUpTo(0, head, 0, 4);
            if (n == 4 && Bytes.getIntLE(head, 0) == VmdkSparseExtent.MAGIC) {
                f.close();
                VmdkSparseExtent e = new VmdkSparseExtent(ImageFile.open(path, true, o.use(), true));
                opened.add(e);
                if (!o.readOnly()) {
                    if (!e.writable()) throw new BlockException("writing VMDK sparse images is not supported (open read-only, or convert)");
                    opened.remove(e);
                    e.close();
                    e = new VmdkSparseExtent(ImageFile.open(path, false, o.use(), true)); // streamOptimized: grains are appended
                    e.barriers = o.barriers();
                    opened.add(e);
                }
                String text = e.descriptor();
                VmdkDescriptor d = text == null ? new VmdkDescriptor() : VmdkDescriptor.parse(text);
                checkNoParent(d);
                return new VmdkDriver(path, d, opened, o.readOnly(), null);
            }
            long size = f.size();
            if (size > MAX_DESCRIPTOR) {
                f.close();
                throw new BlockException("VMDK descriptor file too large");
            }
            byte[] text = new byte[(int) size];
            f.readFully(0, text, 0, text.length, "VMDK descriptor");
            f.close();
            VmdkDescriptor d = VmdkDescriptor.parse(new String(text, StandardCharsets.UTF_8));
            checkNoParent(d);
            if (d.extents.isEmpty()) throw BlockException.corrupt("VMDK descriptor has no extents");
            Path dir = path.toAbsolutePath().getParent();
            for (VmdkDescriptor.Extent x : d.extents) {
                if (!x.type().equals("FLAT")) throw new BlockException("VMDK extent type " + x.type() + " in a descriptor is not supported");
                boolean ro = o.readOnly() || !x.access().equals("RW");
                ImageFile ef = ImageFile.open(dir.resolve(x.file()), ro, o.use(), true);
                opened.add(new VmdkFlatExtent(ef, x.sectors(), x.offset()));
            }
            // the descriptor is one of the image's files too: QEMU keeps it open, with its lock bytes
            descriptorLock = o.use() == null ? null : o.use().lockFormatFile(path, !o.readOnly());
            return new VmdkDriver(path, d, opened, o.readOnly(), descriptorLock);
        } catch (BlockException | RuntimeException e) {
            if (descriptorLock != null) descriptorLock.close();
            for (VmdkExtent x : opened) {
                try {
                    x.close();
                } catch (BlockException ignored) {
                    // report the first error
                }
            }
            if (e instanceof BlockException be) throw be;
            throw new BlockException("cannot open '" + path + "': " + e);
        }
    }

    private static void checkNoParent(VmdkDescriptor d) throws BlockException {
        String p = d.values.get("parentCID");
        if (p != null && !p.equalsIgnoreCase("ffffffff")) throw new BlockException("VMDK delta disks (with a parent) are not supported");
    }

    /**
     * Creates a monolithicFlat image (descriptor + "<name>-flat.vmdk") or an empty streamOptimized one
     * (grains are appended as they are written); other subformats are refused.
     */
    @Override
    public void create(Path path, long size, CreateOptions o) throws BlockException {
        String sub = o.get("subformat");
        o.get("adapter_type");
        o.get("hwversion");
        o.getBool("compat6", false);
        boolean zeroedGrain = o.getBool("zeroed_grain", false);
        o.checkAllUsed("vmdk");
        if (sub == null) sub = "monolithicSparse"; // qemu-img's default
        if (!(sub.equals("monolithicSparse") || sub.equals("monolithicFlat") || sub.equals("streamOptimized"))) {
            throw new BlockException("only subformat=monolithicSparse, monolithicFlat or streamOptimized VMDK images can be created");
        }
        if (size < 0) throw new BlockException("Image creation needs a size parameter");
        long sectors = Math.ceilDiv(size, 512);
        if (sub.equals("monolithicSparse")) {
            VmdkSparseCreate.create(path, sectors, new java.util.Random().nextInt() & 0xffffffffL, zeroedGrain);
            return;
        }
        if (sub.equals("streamOptimized")) {
            VmdkStreamCreate.create(path, sectors, new java.util.Random().nextInt() & 0xffffffffL);
            return;
        }
        String name = path.getFileName().toString();
        String base = name.endsWith(".vmdk") ? name.substring(0, name.length() - 5) : name;
        String flat = base + "-flat.vmdk";
        Path flatPath = path.resolveSibling(flat);
        try (ImageFile f = ImageFile.create(flatPath)) {
            f.truncate(sectors * 512);
        }
        byte[] text = VmdkDescriptor.flatDescriptor(sectors, flat, new java.util.Random().nextInt() & 0xffffffffL)
                .getBytes(StandardCharsets.UTF_8);
        try (ImageFile f = ImageFile.create(path)) {
            f.write(0, text, 0, text.length);
            f.force();
        }
    }
}
