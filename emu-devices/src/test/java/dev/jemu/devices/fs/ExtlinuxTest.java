package dev.jemu.devices.fs;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ExtlinuxTest {
    @Test
    void defaultEntryOfDebiansFile() {
        Extlinux x = Extlinux.parse("""
                ## /boot/extlinux/extlinux.conf
                default l0
                menu title U-Boot menu
                prompt 0
                timeout 1


                label l0
                \tmenu label Debian GNU/Linux trixie 6.12.117+deb13-riscv64
                \tlinux /boot/vmlinux-6.12.117+deb13-riscv64
                \tinitrd /boot/initrd.img-6.12.117+deb13-riscv64
                \tappend root=/dev/vda1 rw console=ttyS0

                label l0r
                \tmenu label Debian GNU/Linux trixie 6.12.117+deb13-riscv64 (rescue target)
                \tlinux /boot/vmlinux-6.12.117+deb13-riscv64
                \tinitrd /boot/initrd.img-6.12.117+deb13-riscv64
                \tappend root=/dev/vda1 rw console=ttyS0 single
                """);
        assertEquals(2, x.entries().size());
        Extlinux.Entry e = x.defaultEntry();
        assertEquals("l0", e.label());
        assertEquals("/boot/vmlinux-6.12.117+deb13-riscv64", e.kernel());
        assertEquals("/boot/initrd.img-6.12.117+deb13-riscv64", e.initrd());
        assertEquals("root=/dev/vda1 rw console=ttyS0", e.append());
        assertNull(e.fdt());
    }

    @Test
    void kernelKeywordFdtAndFallbacks() {
        Extlinux x = Extlinux.parse("LABEL a\r\n  MENU LABEL x\r\n  KERNEL /Image\r\n  FDT /dtb/virt.dtb\r\n"
                + "  APPEND  quiet  splash \r\nlabel b\n  linux /b\n");
        Extlinux.Entry e = x.defaultEntry(); // no default line: the first entry with a kernel
        assertEquals("a", e.label());
        assertEquals("/Image", e.kernel());
        assertEquals("/dtb/virt.dtb", e.fdt());
        assertEquals("quiet  splash", e.append());
        assertEquals("b", Extlinux.parse("default b\nlabel a\nlabel b\n linux /k\n").defaultEntry().label());
        assertEquals("b", Extlinux.parse("default zz\nlabel a\nlabel b\n linux /k\n").defaultEntry().label());
        assertNull(Extlinux.parse("menu title nothing\n").defaultEntry());
    }
}
