package dev.jemu.devices.x86;

import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;

/**
 * The PC's two cascaded 8259A PICs (QEMU's {@code isa-i8259} pair): the master at I/O ports 0x20-0x21 with the
 * slave's output on its IRQ 2, the slave at 0xa0-0xa1 (ISA IRQs 8-15), and their edge/level control registers
 * (ELCR) at 0x4d0/0x4d1 with QEMU's masks (0xf8 and 0xde: IRQs 0-2, 8 and 13 are always edge). The master's
 * INT output goes to the CPU (the local APIC's LINT0); {@link #acknowledge()} is the CPU's INTA cycle, which
 * returns IRQ 7 (or 15) of the chip's vector base as the spurious vector when the request went away.
 */
public final class I8259Pair implements Stateful {
    public static final long MASTER_PORT = 0x20, SLAVE_PORT = 0xa0, ELCR_PORT = 0x4d0;

    private final I8259 master = new I8259("pic-master", true, 0xf8);
    private final I8259 slave = new I8259("pic-slave", false, 0xde);
    private final CachedIrqLine intr;

    /** {@code intr}: the master's INT output (to the CPU's INTR through LINT0). */
    public I8259Pair(IrqLine intr) {
        this.intr = new CachedIrqLine(intr);
        reset();
    }

    public void reset() {
        master.reset(false);
        slave.reset(false);
        update();
    }

    /** ISA interrupt request {@code n} (0-15); 2 is the cascade and has no device. */
    public IrqLine irq(int n) {
        if (n < 0 || n > 15) {
            throw new IllegalArgumentException("8259 IRQ " + n);
        }
        return level -> {
            if (n < 8) {
                master.setInput(n, level);
            } else {
                slave.setInput(n - 8, level);
            }
            update();
        };
    }

    /** Whether INT is asserted (an unmasked request above what is in service). */
    public boolean pending() {
        return intr.level();
    }

    /** The INTA cycle: the vector of the highest-priority request, now in service. */
    public int acknowledge() {
        int irq = master.pendingIrq();
        int vector;
        if (irq < 0) {
            vector = master.irqBase + 7; // spurious IRQ 7: the request went away before INTA
        } else {
            master.acknowledge(irq);
            if (irq == 2) {
                int slaveIrq = slave.pendingIrq();
                if (slaveIrq >= 0) {
                    slave.acknowledge(slaveIrq);
                } else {
                    slaveIrq = 7; // spurious IRQ 15
                }
                vector = slave.irqBase + slaveIrq;
            } else {
                vector = master.irqBase + irq;
            }
        }
        update();
        return vector;
    }

    private void update() {
        // the slave's INT holds the master's IR2 like a level input (it drops when the slave's request does)
        master.irr = slave.pendingIrq() >= 0 ? master.irr | 4 : master.irr & ~4;
        intr.set(master.pendingIrq() >= 0);
    }

    /** The poll command's read: 0x80 | IRQ (acknowledged) or 0 when nothing is pending. */
    private int pollRead(I8259 chip) {
        chip.poll = false;
        int irq = chip.pendingIrq();
        if (irq < 0) {
            return 0;
        }
        chip.acknowledge(irq);
        if (chip == master && irq == 2) {
            int s = slave.pendingIrq();
            if (s >= 0) {
                slave.acknowledge(s);
            }
        }
        update();
        return 0x80 | irq;
    }

    /** The master's or the slave's two ports. */
    public MmioDevice ports(boolean ofMaster) {
        I8259 chip = ofMaster ? master : slave;
        return new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                if (chip.poll) {
                    return pollRead(chip);
                }
                return offset == 0 ? chip.readCommand() : chip.readData();
            }

            @Override
            public void write(long offset, int size, long value) {
                int v = (int) value & 0xff;
                if (offset == 0) {
                    chip.writeCommand(v);
                } else {
                    chip.writeData(v);
                }
                update();
            }
        };
    }

    /** The ELCR port of the master (0x4d0) or the slave (0x4d1). */
    public MmioDevice elcr(boolean ofMaster) {
        I8259 chip = ofMaster ? master : slave;
        return new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                return chip.readElcr();
            }

            @Override
            public void write(long offset, int size, long value) {
                chip.writeElcr((int) value & 0xff);
                update();
            }
        };
    }

    @Override
    public String stateId() {
        return "i8259";
    }

    @Override
    public void saveState(StateWriter out) {
        master.save(out, "master.");
        slave.save(out, "slave.");
    }

    @Override
    public void loadState(StateReader in) {
        master.load(in, "master.");
        slave.load(in, "slave.");
        update();
        intr.force(intr.level());
    }
}
