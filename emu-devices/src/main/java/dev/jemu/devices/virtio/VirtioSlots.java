package dev.jemu.devices.virtio;

import dev.jemu.core.control.ControlledBoard;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.Messages;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.Stateful;
import dev.jemu.devices.block.Drive;
import dev.jemu.devices.fs.DiskBoot;
import dev.jemu.devices.net.NetDevices;
import dev.jemu.devices.virtio.blk.BlockDevices;
import dev.jemu.devices.virtio.blk.VirtioBlk;
import dev.jemu.devices.virtio.net.NetMonitor;
import dev.jemu.devices.virtio.net.VirtioNet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A board's row of virtio-mmio slots (riscv64 and aarch64 {@code virt}) and what sits in them: the
 * {@code -drive}/{@code -device} disks first, then the host devices (virtio-rng, virtio-9p, virtio-net), the rest
 * empty. As in QEMU, devices go into the highest slot first, so the first disk is the one Linux probes first
 * (/dev/vda) when the device tree lists the slots highest first. Also what monitors and snapshots ask of
 * them: block info, drives in guest order, the device set, NICs, flush, drain, reset and close.
 */
public final class VirtioSlots {
    /** A slot's device as the board maps it: the MMIO window and its state. */
    public record Slot(MmioDevice mmio, Stateful state) {
    }

    private final MachineConfig config;
    private final int count;
    private final String board;
    private final List<BlockDevices.Disk> blk;
    private final List<HostVirtioDevices.Plan> host;
    private final List<VirtioMmioTransport> transports = new ArrayList<>();
    private final List<VirtioBlk> disks = new ArrayList<>();
    private final List<AutoCloseable> hostDevices = new ArrayList<>();
    private final List<String> hostDeviceSet = new ArrayList<>(); // for snapshots: which one in which slot

    /**
     * Resolves the configured disks and host devices for {@code count} slots; {@code board} starts the errors
     * ("virt: 9 virtio disks, but only 8 virtio-mmio slots"). Opens the disks' images (closed again on error).
     */
    public VirtioSlots(MachineConfig config, int count, String board) throws ConfigException {
        this.config = config;
        this.count = count;
        this.board = board;
        this.blk = BlockDevices.resolve(config, "virtio");
        if (blk.size() > count) {
            closeDrives(blk);
            throw new ConfigException(board + ": " + blk.size() + " virtio disks, but only " + count
                    + " virtio-mmio slots");
        }
        try {
            this.host = HostVirtioDevices.resolve(config);
        } catch (ConfigException e) {
            closeDrives(blk);
            throw e;
        }
        if (blk.size() + host.size() > count) {
            closeDrives(blk);
            throw new ConfigException(board + ": " + (blk.size() + host.size()) + " virtio devices, but only "
                    + count + " virtio-mmio slots");
        }
    }

    private static void closeDrives(List<BlockDevices.Disk> blk) {
        for (BlockDevices.Disk d : blk) {
            try {
                d.drive().close();
            } catch (Exception e) {
                // already failing
            }
        }
    }

    /** Builds slot {@code i} (0 = lowest address) named {@code node} at {@code base}, interrupting on {@code irq}. */
    public Slot create(int i, String node, long base, IrqLine irq, DmaMemory dma, Consumer<Runnable> post) {
        int k = count - 1 - i; // highest slot first
        if (k < blk.size()) {
            VirtioBlk d = new VirtioBlk(blk.get(k).drive(), blk.get(k).serial(), post,
                    "virtio-blk@" + Long.toHexString(base));
            VirtioMmioTransport t = new VirtioMmioTransport(node, d, irq, dma);
            disks.add(d);
            transports.add(t);
            return new Slot(t, t);
        }
        if (k < blk.size() + host.size()) {
            VirtioDevice d = HostVirtioDevices.create(host.get(k - blk.size()), config, post,
                    "virtio@" + Long.toHexString(base));
            VirtioMmioTransport t = new VirtioMmioTransport(node, d, irq, dma);
            hostDevices.add((AutoCloseable) d);
            hostDeviceSet.add(HostVirtioDevices.describe(host.get(k - blk.size())));
            transports.add(t);
            return new Slot(t, t);
        }
        VirtioMmioSlot s = new VirtioMmioSlot(node);
        return new Slot(s, s);
    }

    /**
     * Without {@code -kernel}, the first disk (/dev/vda) is booted as u-boot's distro boot would: its
     * extlinux.conf default entry. Null when there is a kernel, no disk, or only a device tree to dump.
     */
    public DiskBoot.Boot diskBoot() throws ConfigException {
        if (config.kernel != null || disks.isEmpty() || config.dumpDtb != null) {
            return null;
        }
        Drive first = disks.get(disks.size() - 1).drive(); // disks were added lowest slot first
        try {
            DiskBoot.Boot b = DiskBoot.find(DiskBoot.of(first));
            if (b == null) {
                throw new ConfigException(first.options().file() + ": nothing bootable on the disk (no partition "
                        + "with /boot/extlinux/extlinux.conf or /extlinux/extlinux.conf) and no -kernel given");
            }
            return b;
        } catch (IOException e) {
            throw new ConfigException(first.options().file() + ": cannot boot from the disk: " + e.getMessage());
        }
    }

    /** Finishes the disks' I/O and closes their images (deleting snapshot overlays), and the host devices. */
    public void close() {
        for (VirtioBlk d : disks) {
            try {
                d.close();
            } catch (Exception e) {
                Messages.error(d.drive().options().file() + ": " + e.getMessage());
            }
        }
        disks.clear();
        for (AutoCloseable d : hostDevices) {
            try {
                d.close();
            } catch (Exception e) {
                // nothing to lose: their host resources are read-only or already written
            }
        }
        hostDevices.clear();
    }

    /** Every drive's cached data and metadata written to its image now, as the guest's FLUSH would. */
    public void flushDisks() {
        for (VirtioBlk d : disks) {
            try {
                d.drive().flush();
            } catch (Exception e) {
                System.err.println("jemu: " + d.drive().options().file() + ": flush failed: " + e.getMessage());
            }
        }
    }

    /** For snapshots: the disks (with sizes), then the host devices, in command-line order. */
    public List<String> deviceSet() {
        List<String> out = new ArrayList<>();
        for (Drive d : drives()) {
            out.add("virtio-blk vd" + (char) ('a' + out.size()) + " " + d.size() + " bytes");
        }
        out.addAll(hostDeviceSet.reversed()); // in command-line order, as the disks (slots were filled downwards)
        return out;
    }

    /** The drives as the guest numbers them: /dev/vda (highest slot, added last) first. */
    public List<Drive> drives() {
        List<Drive> out = new ArrayList<>();
        for (VirtioBlk d : disks.reversed()) {
            out.add(d.drive());
        }
        return out;
    }

    public boolean hasDisks() {
        return !disks.isEmpty();
    }

    public void drain() {
        for (VirtioMmioTransport t : transports) {
            t.drain();
        }
    }

    public void reset() {
        for (VirtioMmioTransport t : transports) {
            t.reset();
        }
    }

    /** {@code info block} / {@code query-block}: /dev/vda first. */
    public List<ControlledBoard.BlockInfo> blocks() {
        List<ControlledBoard.BlockInfo> out = new ArrayList<>();
        for (int i = disks.size() - 1; i >= 0; i--) { // /dev/vda first
            Drive d = disks.get(i).drive();
            String cache = d.options().cache() == null ? "writeback" : d.options().cache().name().toLowerCase();
            out.add(new ControlledBoard.BlockInfo(d.id() != null ? d.id() : "virtio" + (disks.size() - 1 - i),
                    d.options().file(), d.options().format(), d.readOnly(), cache,
                    "/machine/peripheral-anon/device[" + (disks.size() - 1 - i) + "]", d.size()));
        }
        return out;
    }

    public String networkInfo() {
        return NetMonitor.info(nics());
    }

    public boolean setLink(String name, boolean up) {
        return NetMonitor.setLink(nics(), name, up);
    }

    /** The virtio-net devices in command-line order (slots were filled downwards). */
    private List<VirtioNet> nics() {
        return hostDevices.reversed().stream().filter(d -> d instanceof VirtioNet).map(d -> (VirtioNet) d).toList();
    }

    /** What {@code -device} can add on a board with these slots. */
    public static final List<dev.jemu.core.machine.DeviceInfo> DEVICES = List.of(BlockDevices.VIRTIO_BLK_DEVICE,
            HostVirtioDevices.RNG_DEVICE, HostVirtioDevices.NINE_P_DEVICE, NetDevices.VIRTIO_NET_DEVICE);
}
