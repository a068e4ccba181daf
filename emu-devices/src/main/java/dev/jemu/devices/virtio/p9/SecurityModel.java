package dev.jemu.devices.virtio.p9;

/**
 * QEMU's {@code security_model=} for a local fsdev: how guest owners and modes map to the host.
 * {@code passthrough} and {@code none} use the host's own (none ignores a failing chown);
 * {@code mapped-xattr} keeps the guest's in {@code user.virtfs.*} extended attributes of plain host files.
 */
public enum SecurityModel {
    PASSTHROUGH("passthrough"), MAPPED_XATTR("mapped-xattr"), MAPPED_FILE("mapped-file"), NONE("none");

    public final String spelling;

    SecurityModel(String spelling) {
        this.spelling = spelling;
    }

    /** The model spelled {@code s} ({@code mapped} is QEMU's old name of mapped-xattr), or null. */
    public static SecurityModel of(String s) {
        if (s.equals("mapped")) {
            return MAPPED_XATTR;
        }
        for (SecurityModel m : values()) {
            if (m.spelling.equals(s)) {
                return m;
            }
        }
        return null;
    }

    boolean mapped() {
        return this == MAPPED_XATTR || this == MAPPED_FILE;
    }
}
