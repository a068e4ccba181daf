package dev.jemu.devices.virtio.p9;

/** A 9P qid: the server's identity of a file (type bits, version, a unique path number: the host inode). */
record P9Qid(int type, int version, long path) {
    static final int DIR = 0x80, SYMLINK = 0x02, FILE = 0;
}
