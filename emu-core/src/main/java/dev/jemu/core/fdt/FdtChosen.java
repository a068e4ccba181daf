package dev.jemu.core.fdt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * What a boot loader tells Linux through {@code /chosen} of a device tree it did not build (a user's
 * {@code -dtb}, a disk's FDT): QEMU (and u-boot) set {@code bootargs} when there is a command line and
 * {@code linux,initrd-start}/{@code -end} (64-bit) when there is an initrd, creating {@code /chosen} if the tree
 * has none. Everything else in the tree is kept as it was.
 */
public final class FdtChosen {
    private FdtChosen() {
    }

    /**
     * @param bootargs the command line; null or empty leaves the tree's own
     * @param initrdEnd 0 when there is no initrd (then the tree's initrd properties are left alone)
     * @throws IllegalArgumentException if {@code blob} is not a well-formed device tree
     */
    public static byte[] patch(byte[] blob, String bootargs, long initrdStart, long initrdEnd) {
        FdtReader.Tree tree = FdtReader.parse(blob);
        FdtReader.Node chosen = tree.root().child("chosen");
        if (chosen == null) {
            chosen = new FdtReader.Node("chosen", new LinkedHashMap<>(), new ArrayList<>());
            tree.root().children().add(chosen);
        }
        if (bootargs != null && !bootargs.isEmpty()) {
            byte[] s = bootargs.getBytes(StandardCharsets.UTF_8);
            byte[] v = new byte[s.length + 1];
            System.arraycopy(s, 0, v, 0, s.length);
            chosen.props().put("bootargs", v);
        }
        if (initrdEnd != 0) {
            chosen.props().put("linux,initrd-start", ByteBuffer.allocate(8).putLong(initrdStart).array());
            chosen.props().put("linux,initrd-end", ByteBuffer.allocate(8).putLong(initrdEnd).array());
        }
        return FdtBuilder.of(tree);
    }
}
