package dev.jemu.x86.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.state.StateRecord;
import dev.jemu.core.time.VirtualClock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The KVM accelerator on the host CPU: real and long mode programs, port I/O and MMIO exits through jemu's
 * address spaces, the kick out of KVM_RUN, vCPU state save and restore, and the one-line error without
 * /dev/kvm. Every test but the last is skipped, with a message, where /dev/kvm cannot be used.
 */
class KvmAcceleratorTest {
    private static final String REAL_MODE_HELLO = """
            .code16
            start:
                mov $0x3f8, %dx
                mov $msg, %si
            next:
                lodsb
                test %al, %al
                jz done
                out %al, %dx
                jmp next
            done:
                @END@
            msg: .asciz "hello from real mode\\n"
            """;

    private static byte[] program(String source) throws Exception {
        assumeTrue(Asm.present(), "binutils (as, objcopy) not installed: KVM program tests skipped");
        return Asm.assemble(source);
    }

    @Test
    void realModeProgramPrintsThroughPortIoThenHalts() throws Exception {
        byte[] code = program(REAL_MODE_HELLO.replace("@END@", "hlt"));
        try (KvmRig rig = KvmRig.open(false)) {
            rig.ram.load(0x1000, code);
            rig.kvm.boot(KvmRig.realMode(0x1000));
            for (int i = 0; i < 100 && !rig.kvm.cpu().isHalted(); i++) {
                rig.kvm.cpu().run(1 << 16);
            }
            assertTrue(rig.kvm.cpu().isHalted(), "the guest's HLT ends the run (KVM_EXIT_HLT)");
            assertEquals("hello from real mode\n", rig.serialText());
            assertEquals(21 + 1, rig.kvm.vcpu().exits(), "one exit per character and the HLT");
        }
    }

    @Test
    void machineLoopKicksTheVcpuOutOfAHaltInTheKernel() throws Exception {
        // with the in-kernel LAPIC, HLT waits inside KVM_RUN: only the loop's kick gets the thread back
        byte[] code = program(REAL_MODE_HELLO.replace("@END@", "cli\n hlt\n jmp done"));
        try (KvmRig rig = KvmRig.open(true)) {
            rig.ram.load(0x1000, code);
            rig.kvm.boot(KvmRig.realMode(0x1000));
            CompletableFuture<ExitRequest> run = rig.runLoop();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!rig.serialText().endsWith("\n") && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertEquals("hello from real mode\n", rig.serialText());
            Thread.sleep(50); // the vCPU is now halted inside the kernel
            long t0 = System.nanoTime();
            rig.loop.requestExit(ExitRequest.quit(7));
            ExitRequest e = run.get(5, TimeUnit.SECONDS);
            long first = System.nanoTime() - t0;
            assertEquals(ExitRequest.quit(7), e);
            assertTrue(rig.kvm.vcpu().kicks() >= 1, "a signal was sent");
            // again, with the paths warm: the guest is still halted in its loop
            run = rig.runLoop();
            Thread.sleep(50);
            t0 = System.nanoTime();
            rig.loop.requestExit(ExitRequest.quit(8));
            assertEquals(ExitRequest.quit(8), run.get(5, TimeUnit.SECONDS));
            System.out.printf("kick out of a halted KVM_RUN to the loop's return: first %.1f us, then %.1f us%n",
                    first / 1e3, (System.nanoTime() - t0) / 1e3);
        }
    }

    @Test
    void aGuestTimerFallingDueGetsTheVcpuOutOfABusyGuest() throws Exception {
        // the guest spins without an exit: only the kick at the timer's deadline lets the loop run the timer
        byte[] code = program(".code64\n1: jmp 1b\n");
        try (KvmRig rig = KvmRig.open(true)) {
            rig.ram.load(0x1000, code);
            rig.kvm.boot(rig.longMode(0x1000));
            long armed = System.nanoTime();
            rig.loop.clock().newTimer("test", () -> rig.loop.requestExit(ExitRequest.poweroff(3)))
                    .armAfter(TimeUnit.MILLISECONDS.toNanos(100));
            ExitRequest e = rig.runLoop().get(10, TimeUnit.SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - armed);
            assertEquals(ExitRequest.poweroff(3), e);
            assertTrue(ms >= 100, "not before the deadline: " + ms + " ms");
            assertTrue(rig.kvm.vcpu().kicks() >= 1, "the timer thread kicked");
        }
    }

    @Test
    void aTripleFaultAsksTheMachineForAReset() throws Exception {
        // an empty IDT: the #GP of a non-canonical load cannot be delivered, nor the #DF: KVM_EXIT_SHUTDOWN
        // (not INT3: this project's nested KVM hosts emulate it and fail)
        byte[] code = program(".code64\n lidt idt(%rip)\n mov $0x0000800000000000, %rax\n mov (%rax), %rax\n"
                + " hlt\nidt: .word 0\n .quad 0\n");
        try (KvmRig rig = KvmRig.open(true)) {
            rig.ram.load(0x1000, code);
            rig.kvm.boot(rig.longMode(0x1000));
            assertEquals(ExitRequest.reset(), rig.runLoop().get(10, TimeUnit.SECONDS));
        }
    }

    private static final String LONG_MODE = """
            .code64
                mov $0x0123456789abcdef, %rax
                mov $3, %rcx
                imul %rcx, %rax          # a 64-bit product: only long mode has it
                mov %rax, %rbx
                mov $16, %ecx
                mov $0x3f8, %dx
            hex:
                rol $4, %rbx
                mov %bl, %al
                and $0xf, %al
                add $'0', %al
                cmp $'9', %al
                jbe 1f
                add $('a' - '9' - 1), %al
            1:  out %al, %dx
                dec %ecx
                jnz hex
                mov $'\\n', %al
                out %al, %dx
                mov $0, %al
                mov $0x501, %dx
                out %al, %dx
                hlt
            """;

    @Test
    void longModeProgramComputesIn64Bits() throws Exception {
        byte[] code = program(LONG_MODE);
        try (KvmRig rig = KvmRig.open(true)) {
            rig.ram.load(0x1000, code);
            rig.kvm.boot(rig.longMode(0x1000));
            ExitRequest e = rig.runLoop().get(10, TimeUnit.SECONDS);
            assertEquals(ExitRequest.poweroff(0), e);
            assertEquals(String.format("%016x%n", 0x0123456789abcdefL * 3), rig.serialText());
        }
    }

    private static String ioLoop(int n) {
        return """
                .code64
                    mov $%d, %%ecx
                1:  out %%al, $0x80
                    dec %%ecx
                    jnz 1b
                    mov $0, %%al
                    mov $0x501, %%dx
                    out %%al, %%dx
                    hlt
                """.formatted(n);
    }

    private static String mmioLoop(int n) {
        return """
                .code64
                    mov $0xd0000000, %%rsi
                    mov $%d, %%rcx
                    xor %%edi, %%edi          # mismatches
                1:  mov %%rcx, (%%rsi)
                    mov (%%rsi), %%rdx
                    lea 1(%%rcx), %%rbx
                    cmp %%rbx, %%rdx
                    je 2f
                    inc %%edi
                2:  dec %%rcx
                    jnz 1b
                    mov %%edi, %%eax
                    mov $0x501, %%dx
                    out %%al, %%dx
                    hlt
                """.formatted(n);
    }

    @Test
    void portIoAndMmioExitsRoundTripThroughJemusDevices() throws Exception {
        int n = 20000;
        byte[] io = program(ioLoop(n));
        byte[] mmio = program(mmioLoop(n));
        double ioUs = 0, mmioUs = 0;
        for (int round = 0; round < 2; round++) { // the first round warms the JVM's code up: the second is measured
            try (KvmRig rig = KvmRig.open(true)) {
                rig.ram.load(0x1000, io);
                rig.kvm.boot(rig.longMode(0x1000));
                long t0 = System.nanoTime();
                ExitRequest e = rig.runLoop().get(60, TimeUnit.SECONDS);
                ioUs = (System.nanoTime() - t0) / 1e3 / n;
                assertEquals(ExitRequest.poweroff(0), e);
                assertEquals(n, rig.counter, "every OUT reached the device");
            }
            try (KvmRig rig = KvmRig.open(true)) {
                rig.mapMmioPage();
                rig.ram.load(0x1000, mmio);
                rig.kvm.boot(rig.longMode(0x1000));
                long t0 = System.nanoTime();
                ExitRequest e = rig.runLoop().get(60, TimeUnit.SECONDS);
                mmioUs = (System.nanoTime() - t0) / 1e3 / (2.0 * n);
                assertEquals(ExitRequest.poweroff(0), e, "status = reads that did not answer the last write + 1");
                assertEquals(1, rig.mmioValue, "the last write reached the device");
            }
        }
        System.out.printf("KVM exit round trip (guest -> jemu device -> guest): port I/O %.2f us, MMIO %.2f us%n",
                ioUs, mmioUs);
    }

    @Test
    void vcpuStateSavedAndRestoredInAnotherVm() throws Exception {
        byte[] code = program("""
                .code64
                    mov $0x1122334455667788, %r15
                    mov $'A', %al
                    mov $0x3f8, %dx
                    out %al, %dx
                    mov $0x501, %dx
                    out %al, %dx             # stop here: the state is saved
                    mov $0x3f8, %dx
                    mov %r15, %rax
                    shr $56, %rax            # 0x11
                    add $('B' - 0x11), %al
                    out %al, %dx
                    mov $0, %al
                    mov $0x501, %dx
                    out %al, %dx
                    hlt
                """);
        StateRecord cpu;
        byte[] memory = new byte[2 << 20];
        try (KvmRig rig = KvmRig.open(true)) {
            rig.ram.load(0x1000, code);
            rig.kvm.boot(rig.longMode(0x1000));
            ExitRequest e = rig.runLoop().get(10, TimeUnit.SECONDS);
            assertEquals(ExitRequest.poweroff('A'), e);
            cpu = StateRecord.of(rig.kvm.cpu());
            rig.ram.copyOut(0, memory, 0, memory.length);
            assertEquals(0x1122334455667788L, cpu.getLong("r15"));
            assertEquals(0x501, cpu.getLong("r2"), "rdx");
            assertTrue((cpu.getLong("efer") & 0x400) != 0, "EFER.LMA");
            assertEquals(0x8, cpu.getInt("seg1.selector"), "CS in X86Cpu's index 1");
        }
        try (KvmRig rig = KvmRig.open(true)) {
            rig.ram.load(0, memory);
            cpu.restore(rig.kvm.cpu());
            ExitRequest e = rig.runLoop().get(10, TimeUnit.SECONDS);
            assertEquals(ExitRequest.poweroff(0), e);
            assertEquals("B", rig.serialText(), "the restored vCPU went on after the OUT with its registers");
        }
    }

    @Test
    void systemResetPutsThePowerOnStateBack() throws Exception {
        byte[] code = program(LONG_MODE);
        try (KvmRig rig = KvmRig.open(true)) {
            rig.ram.load(0x1000, code);
            rig.kvm.boot(rig.longMode(0x1000));
            assertEquals(ExitRequest.poweroff(0), rig.runLoop().get(10, TimeUnit.SECONDS));
            assertTrue((StateRecord.of(rig.kvm.cpu()).getLong("efer") & 0x400) != 0, "ran in long mode");
            rig.kvm.reset();
            StateRecord cpu = StateRecord.of(rig.kvm.cpu());
            assertEquals(0xfff0, cpu.getLong("rip"));
            assertEquals(0xffff0000L, cpu.getLong("seg1.base"), "CS base at reset");
            assertEquals(0xf000, cpu.getInt("seg1.selector"));
            assertEquals(0, cpu.getLong("efer"));
            assertEquals(0x600, cpu.getLong("r2"), "EDX holds the family/model/stepping at reset");
            assertEquals(2, rig.kvm.state().size(), "the vCPU and the in-kernel chips");
        }
    }

    @Test
    void missingDevIsOneLineError() {
        assumeTrue(KvmAccelerator.hostSupported(), "not an x86_64 Linux host");
        System.setProperty(KvmAccelerator.DEVICE_PROPERTY, "/nonexistent/kvm");
        try (GuestRam ram = new GuestRam(1 << 20)) {
            AddressSpace bus = new AddressSpace();
            bus.addRam("ram", 0, ram);
            ConfigException e = assertThrows(ConfigException.class,
                    () -> KvmAccelerator.create(bus, new AddressSpace(), new MachineLoop(VirtualClock.realtime())));
            assertEquals("-accel kvm: Could not access KVM kernel module: No such file or directory", e.getMessage());
        } finally {
            System.clearProperty(KvmAccelerator.DEVICE_PROPERTY);
        }
    }

    @Test
    void icountIsRefused() {
        assumeTrue(KvmAccelerator.hostSupported(), "not an x86_64 Linux host");
        ConfigException e = assertThrows(ConfigException.class, () -> KvmAccelerator.create(new AddressSpace(),
                new AddressSpace(), new MachineLoop(VirtualClock.instructionCount(0))));
        assertEquals("-accel kvm: -icount is not allowed with hardware virtualization", e.getMessage());
    }
}
