package dev.jemu.core.control;

import java.util.Map;

/**
 * Something the machine reports to its monitors, in QMP's terms: the event name ({@code STOP}, {@code RESUME},
 * {@code RESET}, {@code SHUTDOWN}, {@code POWERDOWN}), its data members (empty when QEMU sends none) and the host
 * wall-clock time it happened, in microseconds since the epoch (QMP's {@code timestamp}).
 */
public record MachineEvent(String name, Map<String, Object> data, long timestampMicros) {
    public MachineEvent {
        data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data)); // QMP keeps member order
    }

    static MachineEvent now(String name, Map<String, Object> data) {
        java.time.Instant t = java.time.Instant.now();
        return new MachineEvent(name, data, t.getEpochSecond() * 1_000_000L + t.getNano() / 1000);
    }
}
