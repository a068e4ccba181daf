package dev.jemu.riscv.virt;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.fdt.FdtReader;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.time.VirtualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Disks on the virt board: QEMU's slot order (first disk highest), device tree order, errors. */
class VirtVirtioTest {
    @TempDir
    Path dir;

    private MachineConfig config() throws Exception {
        MachineConfig c = new MachineConfig();
        c.kernel = Files.write(dir.resolve("k.bin"), new byte[] {0x6f, 0, 0, 0}); // j .
        c.clock = VirtualClock.instructionCount(0);
        c.ramBytes = 32 << 20;
        return c;
    }

    @Test
    void firstDiskTakesTheHighestSlot() throws Exception {
        MachineConfig c = config();
        Path a = Files.write(dir.resolve("a.img"), new byte[1 << 20]);
        Path b = Files.write(dir.resolve("b.img"), new byte[2 << 20]);
        c.drives.add("file=" + a + ",format=raw");
        c.drives.add("file=" + b + ",if=none,id=d1,format=raw");
        c.devices.add("virtio-blk-device,drive=d1");
        VirtMachine m = new VirtMachine(c);
        try {
            // -device first (QEMU order): b in slot 7, a in slot 6; the rest empty
            assertEquals(2, m.bus().read(VirtMap.VIRTIO.base(7) + 8, 4));
            assertEquals((2 << 20) / 512, m.bus().read(VirtMap.VIRTIO.base(7) + 0x100, 4));
            assertEquals(2, m.bus().read(VirtMap.VIRTIO.base(6) + 8, 4));
            assertEquals((1 << 20) / 512, m.bus().read(VirtMap.VIRTIO.base(6) + 0x100, 4));
            for (int i = 0; i < 6; i++) {
                assertEquals(0, m.bus().read(VirtMap.VIRTIO.base(i) + 8, 4), "slot " + i);
                assertEquals(0x74726976, m.bus().read(VirtMap.VIRTIO.base(i), 4));
            }
        } finally {
            m.close();
        }
    }

    @Test
    void deviceTreeListsSlotsHighestFirst() {
        FdtReader.Node soc = FdtReader.parse(VirtDeviceTree.build(64 << 20, new VirtDeviceTree.Chosen("", 0, 0)))
                .root().child("soc");
        List<String> virtio = new ArrayList<>();
        for (FdtReader.Node n : soc.children()) {
            if (n.name().startsWith("virtio_mmio@")) {
                virtio.add(n.name());
            }
        }
        assertEquals(8, virtio.size());
        assertEquals("virtio_mmio@10008000", virtio.get(0));
        assertEquals("virtio_mmio@10001000", virtio.get(7));
    }

    @Test
    void tooManyDisks() throws Exception {
        MachineConfig c = config();
        Path a = Files.write(dir.resolve("a.img"), new byte[1 << 16]);
        for (int i = 0; i < 9; i++) {
            c.drives.add("file=" + a + ",format=raw,readonly=on");
        }
        ConfigException e = assertThrows(ConfigException.class, () -> new VirtMachine(c));
        assertEquals("virt: 9 virtio disks, but only 8 virtio-mmio slots", e.getMessage());
    }
}
