package dev.jemu.tests.fuzz;

import java.util.function.Consumer;

/**
 * A reckless virtio-mmio driver for one transport window: a handshake with biased features, queue numbers
 * and ring addresses (inside, across and outside RAM), then descriptor chains with biased headers, lengths,
 * flags, indices and buffer addresses, made available and notified, so the device really walks rings and
 * moves data (virtio-blk: to and from the attached images). It never reads the device, so a seed's
 * operations are the same on every run.
 */
final class VirtioFuzzDriver {
    // virtio-mmio registers (virtio 1.2, 4.2.2) and status bits
    static final int DEVICE_ID = 0x08, DRIVER_FEATURES = 0x20, DRIVER_FEATURES_SEL = 0x24, QUEUE_SEL = 0x30,
            QUEUE_NUM = 0x38, QUEUE_READY = 0x44, QUEUE_NOTIFY = 0x50, INTERRUPT_ACK = 0x64, STATUS = 0x70,
            QUEUE_DESC = 0x80, QUEUE_DRIVER = 0x90, QUEUE_DEVICE = 0xa0;
    static final int ACK = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8;
    static final int F_NEXT = 1, F_WRITE = 2, F_INDIRECT = 4;
    /** Feature bits worth offering back: VERSION_1, EVENT_IDX, INDIRECT_DESC, and virtio-blk's. */
    static final int[] FEATURE_BITS = {32, 29, 28, 1, 2, 5, 6, 9, 13, 14, 33, 34};
    /** virtio-blk request types, plus ones that do not exist. */
    static final long[] BLK_TYPES = {0, 1, 4, 8, 11, 13, 2, 0x8000_0000L, 0xffff_ffffL};

    private final Window w;
    private final DmaTargets dma;
    private final long scratch;
    private final long capacity;
    private int num;
    private long desc, avail, used;
    private int availIdx;

    VirtioFuzzDriver(Window w, int index, DmaTargets dma, long capacity) {
        this.w = w;
        this.dma = dma;
        this.scratch = dma.ramBase + DmaTargets.RESERVED + 0x1000L * index; // headers, status bytes, tables
        this.capacity = capacity;
    }

    private void reg(int off, long v) {
        dma.bus.write(w.base() + off, 4, v & 0xffff_ffffL);
    }

    /** Reset and the whole handshake, with biased choices; {@code log} receives what was done. */
    void handshake(Biased b, Consumer<String> log) {
        long features = 0;
        if (b.chance(80)) {
            features = 1L << 32;
            for (int bit : FEATURE_BITS) {
                features |= b.chance(50) ? 1L << bit : 0;
            }
        } else {
            features = b.value();
        }
        num = b.chance(75) ? 1 << b.nextInt(9) : (int) b.value();
        int queueSel = b.chance(90) ? 0 : (int) b.value();
        desc = b.chance(80) ? dma.inside(b, 16) : dma.any(b, 16);
        avail = b.chance(80) ? dma.inside(b, 2) : dma.any(b, 2);
        used = b.chance(80) ? dma.inside(b, 4) : dma.any(b, 4);
        boolean ready = b.chance(90), driverOk = b.chance(90);
        availIdx = 0;
        log.accept(String.format("handshake features=0x%x sel=%d num=%d desc=0x%x avail=0x%x used=0x%x ready=%b ok=%b",
                features, queueSel, num, desc, avail, used, ready, driverOk));
        reg(STATUS, 0);
        reg(STATUS, ACK);
        reg(STATUS, ACK | DRIVER);
        reg(DRIVER_FEATURES_SEL, 0);
        reg(DRIVER_FEATURES, features);
        reg(DRIVER_FEATURES_SEL, 1);
        reg(DRIVER_FEATURES, features >>> 32);
        reg(STATUS, ACK | DRIVER | FEATURES_OK);
        reg(QUEUE_SEL, queueSel);
        reg(QUEUE_NUM, num);
        reg(QUEUE_DESC, desc);
        reg(QUEUE_DESC + 4, desc >>> 32);
        reg(QUEUE_DRIVER, avail);
        reg(QUEUE_DRIVER + 4, avail >>> 32);
        reg(QUEUE_DEVICE, used);
        reg(QUEUE_DEVICE + 4, used >>> 32);
        if (ready) {
            reg(QUEUE_READY, 1);
        }
        if (driverOk) {
            reg(STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK);
        }
        if (dma.isRam(avail, 4)) { // a fresh ring: flags 0, idx 0
            dma.ramWrite(avail, 4, 0);
        }
    }

    /** One descriptor chain (block-shaped mostly), made available and notified. */
    void request(Biased b, Consumer<String> log) {
        int n = num > 0 && num <= 1 << 15 && Integer.bitCount(num) == 1 ? num : 1;
        int head = b.nextInt(n);
        int segments = 1 + b.nextInt(4);
        boolean blk = capacity >= 0 && b.chance(80);
        long type = BLK_TYPES[b.nextInt(BLK_TYPES.length)];
        boolean deviceWrites = type == 0 || type == 8;
        long table = desc;
        int first = head;
        StringBuilder sb = new StringBuilder("request head=").append(head);
        if (b.chance(10)) { // an indirect table in the scratch page
            long t = scratch + 0x100;
            long len = b.chance(80) ? 16L * (segments + 2) : b.length();
            dma.ramWrite(desc + 16L * head, 8, t);
            dma.ramWrite(desc + 16L * head + 8, 4, len);
            dma.ramWrite(desc + 16L * head + 12, 2, F_INDIRECT | (b.chance(10) ? F_NEXT : 0));
            table = t;
            first = 0;
            n = 16;
            sb.append(" indirect len=").append(len);
        }
        int idx = first;
        int total = blk ? segments + 2 : segments;
        for (int i = 0; i < total; i++) {
            long addr, len;
            int flags;
            if (blk && i == 0) { // header: type, reserved, sector
                addr = scratch;
                len = b.chance(90) ? 16 : b.length();
                flags = 0;
                long sector = b.chance(50) ? b.nextLong(Math.max(1, capacity)) : new long[] {capacity - 1, capacity,
                        capacity + 1, 1L << 55, b.value()}[b.nextInt(5)];
                dma.ramWrite(scratch, 4, type);
                dma.ramWrite(scratch + 4, 4, b.chance(90) ? 0 : b.value());
                dma.ramWrite(scratch + 8, 8, sector);
                sb.append(String.format(" type=%d sector=0x%x", type, sector));
            } else if (blk && i == total - 1) { // status byte
                addr = b.chance(90) ? scratch + 0x20 : dma.any(b, 1);
                len = b.chance(90) ? 1 : b.length();
                flags = F_WRITE;
            } else {
                addr = dma.any(b, b.chance(70) ? 512 : 1);
                len = b.length();
                flags = deviceWrites == b.chance(90) ? F_WRITE : 0;
                if (blk && (type == 11 || type == 13)) { // discard / write zeroes segments
                    for (int s = 0; s < 4; s++) {
                        dma.ramWrite(addr + 16L * s, 8, b.chance(70) ? b.nextLong(Math.max(1, capacity)) : b.value());
                        dma.ramWrite(addr + 16L * s + 8, 4, b.chance(70) ? b.nextInt(64) : b.value());
                        dma.ramWrite(addr + 16L * s + 12, 4, b.chance(80) ? 0 : b.value());
                    }
                }
            }
            if (!blk) {
                flags = b.nextInt(8);
                addr = dma.any(b, 1);
            }
            boolean last = i == total - 1;
            int next = b.chance(90) ? (idx + 1) % n : (int) b.value() & 0xffff;
            if (!last) {
                flags |= F_NEXT;
            } else if (b.chance(5)) {
                flags |= F_NEXT; // a chain that runs on: must end in a loop or index error
            }
            long d = table + 16L * idx;
            dma.ramWrite(d, 8, addr);
            dma.ramWrite(d + 8, 4, len);
            dma.ramWrite(d + 12, 2, flags);
            dma.ramWrite(d + 14, 2, next);
            sb.append(String.format(" [%d: 0x%x+%d f%d n%d]", idx, addr, len, flags, next));
            idx = next;
        }
        int step = b.chance(95) ? 1 : (int) b.value() & 0xffff;
        dma.ramWrite(avail + 4 + 2L * (availIdx & (n - 1)), 2, head);
        availIdx = (availIdx + step) & 0xffff;
        dma.ramWrite(avail + 2, 2, availIdx);
        if (b.chance(10)) {
            dma.ramWrite(avail, 2, b.value()); // flags: NO_INTERRUPT and garbage
        }
        if (b.chance(10)) {
            dma.ramWrite(avail + 4 + 2L * n, 2, b.value()); // used_event
        }
        long queue = b.chance(90) ? 0 : b.value();
        sb.append(" availIdx=").append(availIdx).append(" notify=").append(queue);
        log.accept(sb.toString());
        reg(QUEUE_NOTIFY, queue);
        if (b.chance(30)) {
            reg(INTERRUPT_ACK, 3);
        }
    }
}
