package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jemu's microvm loader checked with QEMU's CPU and devices as the guest's hardware: the loader fills guest memory
 * for the kit's bzImage (boot_params with the e820 map, command line, initrd, page tables, the ACPI tables), the
 * memory is handed to {@code qemu-system-x86_64 -M microvm} as raw blobs ({@code -device loader}) with a 64 KiB
 * -bios that only enters the loader's 64-bit entry state, and Debian's kernel must boot to JEMU-BOOT-OK on jemu's
 * tables alone (QEMU's own firmware never runs, so its tables are never installed): the kernel reads jemu's RSDP,
 * XSDT, FADT, MADT and DSDT without an ACPI error, binds virtio-mmio to the LNRO0005 device, finds the disk behind
 * it, and powers off through the GED registers jemu's FADT names. Its e820 lines and bound drivers must equal those
 * of the same kit booted by QEMU's own -kernel.
 */
class MicrovmLoaderQemuTest {
    static final long RAM = 512L << 20;
    static final int FW = 0xf0000, PARAMS = 0xf000;

    @TempDir
    Path tmp;

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
    byte[] firmware(GuestRam ram, BootState s) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/x86/microvm-entry.S")) {
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
                .putLong(PARAMS + 16, s.regs()[3]).putLong(PARAMS + 24, s.cr3());
        return fw;
    }

    static List<String> lines(String out, String regex) {
        return out.lines().map(l -> l.replaceFirst("^\\[[ 0-9.]+\\] ", "")).filter(l -> l.matches(regex))
                .collect(Collectors.toList());
    }

    @Test
    void debiansKernelBootsOnJemusBootParamsAndAcpiTables() throws Exception {
        assumeTrue(KitGuest.hasTool("qemu-system-x86_64") && KitGuest.hasTool("as") && KitGuest.hasTool("ld"),
                "needs qemu-system-x86_64 and binutils");
        Path kernel = Kit.file("amd64", "bzImage"), initrd = Kit.file("amd64", "initrd.cpio.gz");
        Path root = Kit.file("amd64", "root.qcow2");
        MachineConfig c = new MachineConfig();
        c.ramBytes = RAM;
        c.kernel = kernel;
        c.initrd = initrd;
        // QEMU's microvm gives no TSC frequency and under host load its PIT calibration fails and the boot hangs
        // (the warning): the reference runs get the frequency on the command line
        c.append = "console=ttyS0 jemu.info tsc_early_khz=2000000";
        List<String> qemu = new ArrayList<>(List.of("qemu-system-x86_64", "-M", "microvm", "-m", "512M", "-nographic",
                "-no-reboot", "-drive", "id=d0,file=" + root + ",format=qcow2,if=none,snapshot=on",
                "-device", "virtio-blk-device,drive=d0"));
        try (GuestRam ram = new GuestRam(RAM)) {
            AddressSpace bus = new AddressSpace();
            bus.addRam("ram", 0, ram);
            // QEMU puts the first -device on its last virtio-mmio transport: slot 23 (GSI 47) with ioapic2
            MicrovmBoot.Loaded l = MicrovmBoot.load(c, bus, MicrovmBoot.Platform.defaults(RAM, List.of(23)), null);
            assertEquals(MicrovmBoot.Kind.LINUX64, l.kind());
            Files.write(tmp.resolve("fw.bin"), firmware(ram, l.state()));
            write(tmp.resolve("low.bin"), ram, 0, FW);
            write(tmp.resolve("kernel.bin"), ram, 0x100000, 0x100000 + Files.size(kernel));
            write(tmp.resolve("initrd.bin"), ram, l.initrdAt(), l.initrdAt() + l.initrdSize());
            List<String> mine = new ArrayList<>(qemu);
            mine.addAll(List.of("-bios", tmp.resolve("fw.bin").toString(),
                    "-device", "loader,file=" + tmp.resolve("low.bin") + ",addr=0,force-raw=on",
                    "-device", "loader,file=" + tmp.resolve("kernel.bin") + ",addr=0x100000,force-raw=on",
                    "-device", "loader,file=" + tmp.resolve("initrd.bin") + ",addr=0x"
                            + Long.toHexString(l.initrdAt()) + ",force-raw=on"));
            JemuProcess.Result r = JemuProcess.runCommand(mine, Duration.ofSeconds(180), List.of());
            String out = r.out();
            Files.writeString(Path.of("target", "microvm-loader-qemu.log"), out);
            assertFalse(r.timedOut(), r::describe);
            assertTrue(out.contains("JEMU-BOOT-OK x86_64"), r::describe);
            assertTrue(out.contains("JEMU-DISK-OK"), "the disk behind jemu's LNRO0005 node\n" + r.describe());
            assertEquals(0, r.status(), "powered off through the GED's sleep registers\n" + r.describe());
            assertTrue(out.contains("ACPI: PM: Preparing to enter system sleep state S5"), r::describe);
            for (String want : List.of("ACPI: RSDP 0x00000000000F0000 000024 (v02 BOCHS )", "ACPI: XSDT ", "ACPI: FACP ",
                    "ACPI: DSDT ", "ACPI: APIC ", "IOAPIC[1]: apic_id 1, version 32, address 0xfec10000, GSI 24-47",
                    "ACPI: 1 ACPI AML tables successfully acquired and loaded", "ACPI: PM: (supports S0 S5)",
                    "pnp: PnP ACPI: found 2 devices", "feb02e00-feb02fff : LNRO0005:00",
                    "Command line: " + c.append)) {
                assertTrue(out.contains(want), "missing '" + want + "'\n" + out);
            }
            for (String bad : List.of("ACPI Error", "ACPI BIOS Error", "ACPI Warning", "ACPI BIOS Warning",
                    "Firmware Bug", "Incorrect checksum", "Invalid checksum")) {
                assertFalse(out.contains(bad), "the kernel says '" + bad + "'\n" + out);
            }
            // QEMU's own -kernel boot of the same kit: the same memory map and the same drivers bound
            List<String> theirs = new ArrayList<>(qemu);
            theirs.addAll(List.of("-kernel", kernel.toString(), "-initrd", initrd.toString(),
                    "-append", c.append));
            JemuProcess.Result q = JemuProcess.runCommand(theirs, Duration.ofSeconds(180), List.of());
            Files.writeString(Path.of("target", "microvm-qemu-kernel.log"), q.out());
            assumeTrue(q.out().contains("JEMU-BOOT-OK"), "QEMU's own boot did not finish (its microvm can hang "
                    + "calibrating the TSC on a loaded host): " + q.describe());
            assertEquals(lines(q.out(), "BIOS-e820: .*"), lines(out, "BIOS-e820: .*"));
            assertEquals(lines(q.out(), "\\S+ -> \\S+"), lines(out, "\\S+ -> \\S+"), "bound drivers");
            assertEquals(lines(q.out(), "ACPI: (XSDT|FACP|APIC) .*").stream().map(x -> x.replaceAll("0x\\S+ ", ""))
                    .toList(), lines(out, "ACPI: (XSDT|FACP|APIC) .*").stream().map(x -> x.replaceAll("0x\\S+ ", ""))
                    .toList(), "XSDT, FADT and MADT: QEMU's sizes and ids");
            System.out.println("jemu's loader under QEMU:\n" + out);
        }
    }
}
