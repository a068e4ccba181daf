package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.devices.fs.DiskBoot;
import dev.jemu.x86.cpu.BootState;
import dev.jemu.x86.microvm.MicrovmBoot;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jemu's microvm loader checked with QEMU's CPU and devices as the guest's hardware, before jemu's own x86 CPU
 * runs it: the loader fills guest memory (boot_params with the e820 map, command line, initrd, page tables, the
 * ACPI tables; or hvm_start_info for a PVH kernel), the memory goes to {@code qemu-system-x86_64 -M microvm} as
 * raw blobs ({@code -device loader}) with a 64 KiB -bios that only enters the loader's entry state, and Debian's
 * kernel must boot the kit on jemu's tables alone (QEMU's own firmware never runs, so its ACPI tables are never
 * installed): it reads jemu's RSDP, XSDT, FADT, MADT and DSDT without an ACPI error, binds virtio-mmio to the
 * LNRO0005 node and finds the disk behind it, and powers off through the GED registers jemu's FADT names.
 */
class MicrovmLoaderQemuTest {
    static final long RAM = 512L << 20;
    static final int FW = 0xf0000, PARAMS = 0xf000;
    /**
     * QEMU's microvm gives no TSC frequency and under host load its PIT calibration fails and the boot hangs
     * (the warning): these reference runs get the frequency on the command line.
     */
    static final String TSC = "tsc_early_khz=2000000";

    @TempDir
    Path tmp;

    @BeforeEach
    void tools() {
        assumeTrue(KitGuest.hasTool("qemu-system-x86_64") && KitGuest.hasTool("as") && KitGuest.hasTool("ld")
                && KitGuest.hasTool("objcopy"), "needs qemu-system-x86_64 and binutils");
    }

    static void write(Path p, GuestRam ram, long from, long to) throws Exception {
        byte[] b = new byte[(int) (to - from)];
        ram.segment().asSlice(from, b.length).asByteBuffer().get(b);
        Files.write(p, b);
    }

    static String run(List<String> cmd, Path dir) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), cmd + ": " + out);
        return out;
    }

    /** The firmware: the assembled entry stub over what the loader put in 0xf0000-0xfffff (the RSDP). */
    byte[] firmware(GuestRam ram, BootState s, boolean pvh) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/x86/firmware/microvm-entry.S")) {
            Files.write(tmp.resolve("entry.S"), in.readAllBytes());
        }
        run(List.of("as", "--64", "-o", "entry.o", "entry.S"), tmp);
        run(List.of("ld", "-m", "elf_x86_64", "-Ttext", "0", "-e", "0", "-o", "entry.elf", "entry.o"), tmp);
        run(List.of("objcopy", "-O", "binary", "entry.elf", "entry.bin"), tmp);
        byte[] stub = Files.readAllBytes(tmp.resolve("entry.bin"));
        assertEquals(0x10000, stub.length);
        byte[] fw = new byte[0x10000];
        ram.segment().asSlice(FW, fw.length).asByteBuffer().get(fw);
        for (int i = 0; i < stub.length; i++) {
            if (stub[i] != 0) {
                fw[i] = stub[i];
            }
        }
        ByteBuffer.wrap(fw).order(ByteOrder.LITTLE_ENDIAN).putLong(PARAMS, s.rip()).putLong(PARAMS + 8, s.regs()[6])
                .putLong(PARAMS + 16, s.regs()[3]).putLong(PARAMS + 24, s.cr3()).putLong(PARAMS + 32, pvh ? 1 : 0);
        return fw;
    }

    static List<String> qemu(Path disk) {
        return new ArrayList<>(List.of("qemu-system-x86_64", "-M", "microvm", "-m", "512M", "-nographic",
                "-no-reboot", "-drive", "id=d0,file=" + disk + ",format=qcow2,if=none,snapshot=on",
                "-device", "virtio-blk-device,drive=d0"));
    }

    /**
     * Loads {@code c} (or {@code disk}'s entry) with jemu's loader as QEMU's default microvm with one virtio-blk
     * (QEMU puts the first -device on its last transport: slot 23, GSI 47), runs the memory under QEMU with
     * {@code qcow2} as that disk, and checks what every boot on jemu's tables must show.
     */
    JemuProcess.Result bootUnderQemu(String name, MachineConfig c, DiskBoot.Boot disk, Path qcow2,
                                     MicrovmBoot.Kind kind) throws Exception {
        c.ramBytes = RAM;
        List<String> cmd = qemu(qcow2);
        try (GuestRam ram = new GuestRam(RAM)) {
            AddressSpace bus = new AddressSpace();
            bus.addRam("ram", 0, ram);
            MicrovmBoot.Loaded l = MicrovmBoot.load(c, bus, MicrovmBoot.Platform.defaults(RAM, List.of(23)), disk);
            assertEquals(kind, l.kind());
            Files.write(tmp.resolve("fw.bin"), firmware(ram, l.state(), kind == MicrovmBoot.Kind.PVH));
            write(tmp.resolve("low.bin"), ram, 0, FW);
            write(tmp.resolve("kernel.bin"), ram, l.kernelStart(), l.kernelEnd());
            write(tmp.resolve("initrd.bin"), ram, l.initrdAt(), l.initrdAt() + l.initrdSize());
            cmd.addAll(List.of("-bios", tmp.resolve("fw.bin").toString(),
                    "-device", "loader,file=" + tmp.resolve("low.bin") + ",addr=0,force-raw=on",
                    "-device", "loader,file=" + tmp.resolve("kernel.bin") + ",addr=0x"
                            + Long.toHexString(l.kernelStart()) + ",force-raw=on",
                    "-device", "loader,file=" + tmp.resolve("initrd.bin") + ",addr=0x"
                            + Long.toHexString(l.initrdAt()) + ",force-raw=on"));
        }
        JemuProcess.Result r = JemuProcess.runCommand(cmd, Duration.ofSeconds(180), List.of());
        String out = r.out();
        Files.writeString(Path.of("target", "microvm-loader-" + name + ".log"), out);
        assertFalse(r.timedOut(), r::describe);
        assertTrue(out.contains("JEMU-BOOT-OK x86_64"), r::describe);
        assertEquals(0, r.status(), "powered off through the GED's sleep registers\n" + r.describe());
        assertTrue(out.contains("ACPI: PM: Preparing to enter system sleep state S5"), r::describe);
        for (String want : List.of("ACPI: RSDP 0x00000000000F0000 000024 (v02 BOCHS )", "ACPI: XSDT ", "ACPI: FACP ",
                "ACPI: DSDT ", "ACPI: APIC ", "IOAPIC[1]: apic_id 1, version 32, address 0xfec10000, GSI 24-47",
                "ACPI: 1 ACPI AML tables successfully acquired and loaded", "ACPI: PM: (supports S0 S5)",
                "pnp: PnP ACPI: found 2 devices", "virtio_blk virtio0: [vda]")) {
            assertTrue(out.contains(want), "missing '" + want + "'\n" + out);
        }
        for (String bad : List.of("ACPI Error", "ACPI BIOS Error", "ACPI Warning", "ACPI BIOS Warning",
                "Firmware Bug", "Incorrect checksum", "Invalid checksum")) {
            assertFalse(out.contains(bad), "the kernel says '" + bad + "'\n" + out);
        }
        return r;
    }

    static MachineConfig kernel(Path kernel, Path initrd, String append) {
        MachineConfig c = new MachineConfig();
        c.kernel = kernel;
        c.initrd = initrd;
        c.append = append;
        return c;
    }

    /** The ELF vmlinux inside the bzImage (its zstd payload), which carries the PVH entry note. */
    Path vmlinux(Path bzImage) throws Exception {
        byte[] bz = Files.readAllBytes(bzImage);
        ByteBuffer b = ByteBuffer.wrap(bz).order(ByteOrder.LITTLE_ENDIAN);
        int pm = ((bz[0x1f1] & 0xff) + 1) * 512, off = b.getInt(0x248), len = b.getInt(0x24c);
        Path z = tmp.resolve("vmlinux.zst");
        Files.write(z, java.util.Arrays.copyOfRange(bz, pm + off, pm + off + len));
        assumeTrue(len > 4 && b.getInt(pm + off) == 0xfd2fb528 && KitGuest.hasTool("zstd"), "no zstd payload/tool");
        // the kernel appends the unpacked size after the zstd frame: zstd writes the whole ELF, then fails on it
        Process p = new ProcessBuilder("zstd", "-dcq", z.toString()).redirectOutput(tmp.resolve("vmlinux").toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Path elf = tmp.resolve("vmlinux");
        assertTrue(Files.size(elf) > len && dev.jemu.core.loader.ElfLoader.isElf(Files.readAllBytes(elf)),
                "vmlinux extraction failed");
        return elf;
    }

    /**
     * One QEMU boot (~30 s) that proves what jemu's own boots cannot: the PVH entry and hvm_start_info (the bzImage
     * path, the extlinux disk boot and the same ACPI lines are proven on jemu's CPU by Amd64BootTest), and jemu's
     * ACPI tables with QEMU's CPU as the oracle: the disk behind LNRO0005, the drivers QEMU's own boot binds, and
     * power-off through the GED.
     */
    @Test
    void pvhVmlinuxBootsOnJemusStartInfoAndAcpiTables() throws Exception {
        Path vmlinux = vmlinux(Kit.file(Kit.AMD64, "bzImage"));
        String out = bootUnderQemu("pvh", kernel(vmlinux, Kit.file(Kit.AMD64, "initrd.cpio.gz"),
                "console=ttyS0 jemu.info " + TSC), null, Kit.file(Kit.AMD64, "root.qcow2"), MicrovmBoot.Kind.PVH)
                .out();
        assertTrue(out.contains("JEMU-DISK-OK"), out);
        assertTrue(out.contains("BIOS-e820: [mem 0x0000000000100000-0x000000001fffffff] usable"), out);
        assertTrue(out.contains("feb02e00-feb02fff : LNRO0005:00"), out);
        for (String driver : List.of("platform/devices/ACPI0013:00 -> acpi-ged",
                "platform/devices/LNRO0005:00 -> virtio-mmio", "pnp/devices/00:00 -> serial",
                "pnp/devices/00:01 -> rtc_cmos", "virtio/devices/virtio0 -> virtio_blk")) {
            assertTrue(out.contains(driver), "missing '" + driver + "'\n" + out);
        }
    }
}
