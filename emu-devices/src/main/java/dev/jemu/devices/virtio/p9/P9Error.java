package dev.jemu.devices.virtio.p9;

/** A 9P operation failed: the Linux errno that goes back to the guest in an Rlerror. */
public final class P9Error extends Exception {
    public static final int EPERM = 1, ENOENT = 2, EIO = 5, EBADF = 9, EACCES = 13, EEXIST = 17, EXDEV = 18,
            ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, EFBIG = 27, ENOSPC = 28, EROFS = 30, ERANGE = 34,
            ENAMETOOLONG = 36, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EPROTO = 71, EMSGSIZE = 90,
            EOPNOTSUPP = 95;

    private final int errno;

    public P9Error(int errno) {
        super(null, null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    @Override
    public String getMessage() {
        return "errno " + errno;
    }
}
