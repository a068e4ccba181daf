package dev.jemu.x86.kvm;

import dev.jemu.core.log.Messages;
import dev.jemu.core.machine.Cpu;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.x86.cpu.BootState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One vCPU on the host CPU: KVM_RUN in a loop on the machine thread, each exit served by the board's devices
 * (port I/O on the I/O space, MMIO on the bus: the same models as under the interpreter), until the machine
 * loop wants attention (a kick, see {@link VcpuKick}), a guest timer falls due, or the guest stops.
 */
public final class KvmVcpu implements Cpu {
    private final KvmVm vm;
    final int fd;
    private final int index;
    private final MemorySegment run;
    private final AddressSpace bus;
    private final AddressSpace io;
    private final MachineLoop loop;
    private final VcpuKick kick = new VcpuKick();
    final VcpuState state;
    private boolean halted;
    private boolean failed;
    private String failure;
    private long exits;

    KvmVcpu(KvmVm vm, int index, AddressSpace bus, AddressSpace io, MachineLoop loop) throws KvmException {
        this.vm = vm;
        this.index = index;
        this.bus = bus;
        this.io = io;
        this.loop = loop;
        this.fd = vm.createVcpu(index);
        this.run = Kvm.mmap(fd, vm.vcpuMmapSize());
        KvmCpuid.set(vm, this);
        this.state = new VcpuState(this, vm.msrIndexList(), vm.checkExtension(Kvm.CAP_XSAVE) > 0);
        loop.setAttentionListener(kick::kick);
        reset();
    }

    /** The KVM exits served so far (statistics, tests). */
    public long exits() {
        return exits;
    }

    /** Why the vCPU stopped for good (the line printed), or null while it can run. */
    public String failure() {
        return failure;
    }

    /** Kicks sent to get the vCPU out of KVM_RUN. */
    public long kicks() {
        return kick.kicks;
    }

    @Override
    public long run(long budget) {
        if (failed) {
            return 0;
        }
        if (!kick.attached()) {
            try {
                setSignalMask(kick.attach());
            } catch (KvmException e) {
                fatal("KVM: cannot set up the vCPU's kick signal: " + e.getMessage());
                return 0;
            }
        }
        long served = 0;
        var clock = loop.clock();
        long deadline = clock.nextDeadline();
        long hostDeadline = deadline == Long.MAX_VALUE ? Long.MAX_VALUE
                : System.nanoTime() + Math.max(0, deadline - clock.nanos());
        while (true) {
            kick.entering(hostDeadline);
            if (loop.attention() || System.nanoTime() >= hostDeadline) {
                kick.left();
                break;
            }
            int rc = Kvm.ioctlRaw(fd, Kvm.RUN, MemorySegment.NULL);
            kick.left();
            if (rc < 0) {
                if (-rc == Kvm.EINTR || -rc == Kvm.EAGAIN) {
                    kick.drain();
                    continue; // the loop decides above whether to go in again
                }
                fatal("KVM_RUN: " + Kvm.strerror(-rc));
                break;
            }
            exits++;
            served++;
            if (!exit()) {
                break;
            }
        }
        kick.clearDeadline();
        return served;
    }

    /** Serves the exit in kvm_run; false when the vCPU must not go in again now. */
    private boolean exit() {
        int reason = run.get(ValueLayout.JAVA_INT, Kvm.RUN_EXIT_REASON);
        switch (reason) {
            case Kvm.EXIT_IO -> {
                portIo();
                return true;
            }
            case Kvm.EXIT_MMIO -> {
                mmio();
                return true;
            }
            case Kvm.EXIT_INTR, Kvm.EXIT_IRQ_WINDOW_OPEN -> {
                return true;
            }
            case Kvm.EXIT_HLT -> { // only without the in-kernel LAPIC, which otherwise waits in the kernel
                halted = true;
                return false;
            }
            case Kvm.EXIT_SHUTDOWN -> { // a triple fault: QEMU resets the machine
                loop.requestExit(ExitRequest.reset());
                return false;
            }
            case Kvm.EXIT_FAIL_ENTRY -> {
                long why = run.get(ValueLayout.JAVA_LONG, Kvm.RUN_EXIT);
                fatal(String.format("KVM: entry failed, hardware error 0x%x (rip %s)", why, ripText()));
                return false;
            }
            case Kvm.EXIT_INTERNAL_ERROR -> {
                int sub = run.get(ValueLayout.JAVA_INT, Kvm.RUN_EXIT);
                fatal("KVM internal error. Suberror: " + sub + (sub == 1 ? " (emulation failure)" : "")
                        + " at rip " + ripText());
                return false;
            }
            case Kvm.EXIT_SYSTEM_EVENT -> {
                int type = run.get(ValueLayout.JAVA_INT, Kvm.RUN_EXIT);
                loop.requestExit(type == 2 ? ExitRequest.reset() : ExitRequest.poweroff(0));
                return false;
            }
            default -> {
                fatal("KVM: unhandled exit reason " + reason + " at rip " + ripText());
                return false;
            }
        }
    }

    private void portIo() {
        boolean out = run.get(ValueLayout.JAVA_BYTE, Kvm.IO_DIRECTION) == 1;
        int size = run.get(ValueLayout.JAVA_BYTE, Kvm.IO_SIZE);
        int port = run.get(ValueLayout.JAVA_SHORT, Kvm.IO_PORT) & 0xffff;
        int count = run.get(ValueLayout.JAVA_INT, Kvm.IO_COUNT);
        long data = run.get(ValueLayout.JAVA_LONG, Kvm.IO_DATA_OFFSET);
        for (int i = 0; i < count; i++, data += size) {
            if (out) {
                long v = readData(data, size);
                try {
                    io.write(port, size, v);
                } catch (BusError e) {
                    // nothing listens on that port
                }
            } else {
                long v;
                try {
                    v = io.read(port, size);
                } catch (BusError e) {
                    v = -1L; // an unclaimed port reads all ones
                }
                writeData(data, size, v);
            }
        }
    }

    private void mmio() {
        long addr = run.get(ValueLayout.JAVA_LONG, Kvm.MMIO_PHYS);
        int len = run.get(ValueLayout.JAVA_INT, Kvm.MMIO_LEN);
        boolean write = run.get(ValueLayout.JAVA_BYTE, Kvm.MMIO_IS_WRITE) != 0;
        if (len == 1 || len == 2 || len == 4 || len == 8) {
            access(addr, len, write, Kvm.MMIO_DATA);
        } else {
            for (int i = 0; i < len; i++) { // odd sizes (KVM splits at 8 bytes): byte by byte
                access(addr + i, 1, write, Kvm.MMIO_DATA + i);
            }
        }
    }

    private void access(long addr, int size, boolean write, long dataOff) {
        if (write) {
            try {
                bus.write(addr, size, readData(dataOff, size));
            } catch (BusError e) {
                // unassigned memory ignores writes
            }
        } else {
            long v;
            try {
                v = bus.read(addr, size);
            } catch (BusError e) {
                v = 0; // unassigned memory reads 0, as in QEMU
            }
            writeData(dataOff, size, v);
        }
    }

    private long readData(long off, int size) {
        return switch (size) {
            case 1 -> run.get(ValueLayout.JAVA_BYTE, off) & 0xffL;
            case 2 -> run.get(ValueLayout.JAVA_SHORT_UNALIGNED, off) & 0xffffL;
            case 4 -> run.get(ValueLayout.JAVA_INT_UNALIGNED, off) & 0xffffffffL;
            default -> run.get(ValueLayout.JAVA_LONG_UNALIGNED, off);
        };
    }

    private void writeData(long off, int size, long v) {
        switch (size) {
            case 1 -> run.set(ValueLayout.JAVA_BYTE, off, (byte) v);
            case 2 -> run.set(ValueLayout.JAVA_SHORT_UNALIGNED, off, (short) v);
            case 4 -> run.set(ValueLayout.JAVA_INT_UNALIGNED, off, (int) v);
            default -> run.set(ValueLayout.JAVA_LONG_UNALIGNED, off, v);
        }
    }

    private String ripText() {
        try {
            return String.format("0x%x", state.regs()[16]);
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /** A vCPU that cannot go on: one line on stderr (QEMU stops too) and the run ends with status 1. */
    private void fatal(String message) {
        failed = true;
        failure = message;
        Messages.error(message);
        loop.requestExit(ExitRequest.quit(1));
    }

    private void setSignalMask(long kernelMask) throws KvmException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(12, 8); // kvm_signal_mask: u32 len, then the kernel's 8-byte sigset
            m.set(ValueLayout.JAVA_INT, 0, 8);
            m.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, kernelMask);
            Kvm.ioctl(fd, Kvm.SET_SIGNAL_MASK, m, "KVM_SET_SIGNAL_MASK");
        }
    }

    @Override
    public boolean isHalted() {
        return halted && !failed;
    }

    /** Whether the local APIC is KVM's (in-kernel irqchip). */
    boolean lapic() {
        return vm.irqchip;
    }

    /** Leaves a HLT (no in-kernel LAPIC: the caller injected what woke it). */
    void wake() {
        halted = false;
    }

    /** The power-on state (SDM 9.1.1): real mode at F000:FFF0. */
    @Override
    public void reset() {
        halted = false;
        state.powerOn();
    }

    /** Starts from a boot protocol's state. */
    public void boot(BootState s) {
        halted = false;
        state.load(s);
    }

    // ------------------------------------------------------------------ state

    @Override
    public String stateId() {
        return "cpu" + index;
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void saveState(StateWriter out) {
        state.save(out);
        out.putInt("halted", halted ? 1 : 0);
    }

    @Override
    public void loadState(StateReader in) {
        state.restore(in);
        halted = in.getInt("halted", 0) != 0;
    }

    void close() {
        loop.setAttentionListener(null);
        kick.close();
        Kvm.munmap(run);
    }

    // ------------------------------------------------------------------ blobs for the state ioctls

    static byte[] getBlob(int fd, long request, int size, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(size, 8);
            KvmVm.check(Kvm.ioctlRaw(fd, request, s), what);
            return s.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    static void setBlob(int fd, long request, byte[] data, int size, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(size, 8);
            MemorySegment.copy(data, 0, s, ValueLayout.JAVA_BYTE, 0, Math.min(size, data.length));
            KvmVm.check(Kvm.ioctlRaw(fd, request, s), what);
        }
    }
}
