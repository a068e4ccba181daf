package dev.jemu.core.machine;

import java.util.List;

/** A CPU model an architecture offers for {@code -cpu}; {@code aliases} are other accepted names. */
public record CpuModel(String name, String description, List<String> aliases) {
    public boolean matches(String n) {
        return name.equals(n) || aliases.contains(n);
    }
}
